#!/usr/bin/env python3
"""PyTorch baseline for `NetGen.Benchmarks --gpu-check`: the same MLP train step on the same GPU.

Network 784-256-128-10 with ReLU, softmax cross-entropy, SGD (lr 0.01, momentum 0.9), float32 with TF32 off (NetGen's
GPU GEMM runs plain FP32). A step is what NetGen's generated `TrainStep` does: copy the batch from host memory to the
device, forward, loss, backward, optimizer update, and read the loss back (`loss.item()`, the one synchronisation).
The "resident" column keeps the batch on the device (no upload), to show what the copy costs.

Usage: python3 benchmarks/gpu/torch_mlp.py [--steps 200] [--batches 64,256,1024] [--device cuda]
"""
import torch
from torch import nn

from torch_timing import run


def mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def random_batch(batch, generator):
    return torch.rand(batch, 784, generator=generator) * 2 - 1, torch.randint(0, 10, (batch,), generator=generator)


if __name__ == "__main__":
    run(__doc__, "torch-mlp", mlp, random_batch)
