#!/usr/bin/env python3
"""PyTorch baseline for `NetGen.Benchmarks --gpu-check`: the same LeNet-5 train step on the same GPU.

LeNet-5 as in NetGen.Samples/ConvNets.cs: [1,28,28] → Conv2d(6, 5×5, padding 2)+ReLU → MaxPool 2 → Conv2d(16, 5×5)+ReLU
→ MaxPool 2 → Linear 400→120+ReLU → 120→84+ReLU → 84→10, softmax cross-entropy, SGD (lr 0.01, momentum 0.9), float32
with TF32 off. cuDNN picks its own convolution algorithms (benchmark mode off: deterministic choice per shape). A step
is what NetGen's generated `TrainStep` does: upload the batch, forward, loss, backward, update, read the loss back;
the "resident" column keeps the batch on the device.

Usage: python3 benchmarks/gpu/torch_lenet.py [--steps 200] [--batches 64,256,1024] [--device cuda]
"""
import torch
from torch import nn

from torch_timing import run


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def random_batch(batch, generator):
    return torch.rand(batch, 1, 28, 28, generator=generator) * 2 - 1, torch.randint(0, 10, (batch,), generator=generator)


if __name__ == "__main__":
    run(__doc__, "torch-lenet5", lenet5, random_batch)
