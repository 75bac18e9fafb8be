#!/usr/bin/env python3
"""PyTorch baseline for `NetGen.Benchmarks --gpu-check`: the same LeNet-5 train step on the same GPU.

LeNet-5 as in NetGen.Samples/ConvNets.cs: [1,28,28] → Conv2d(6, 5×5, padding 2)+ReLU → MaxPool 2 → Conv2d(16, 5×5)+ReLU
→ MaxPool 2 → Linear 400→120+ReLU → 120→84+ReLU → 84→10, softmax cross-entropy, SGD (lr 0.01, momentum 0.9), float32
with TF32 off. cuDNN picks its own convolution algorithms (benchmark mode off: deterministic choice per shape). A step
is what NetGen's generated `TrainStep` does: upload the batch, forward, loss, backward, update, read the loss back;
the "resident" column keeps the batch on the device.

Usage: python3 benchmarks/gpu/torch_lenet.py [--steps 200] [--batches 64,256,1024] [--device cuda]
"""
import argparse

import torch
from torch import nn

from torch_mlp import measure


def lenet5():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--batches", default="64,256,1024")
    parser.add_argument("--device", default="cuda")
    args = parser.parse_args()

    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    device = torch.device(args.device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "CPU"
    synchronize = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    print(f"PyTorch {torch.__version__} on {name}; float32, TF32 off; {args.steps} steps after warm-up")
    print(f"{'network':<12} {'batch':>6} {'ms/step':>10} {'samples/s':>12} {'resident ms':>12} {'samples/s':>12}")
    for batch in (int(b) for b in args.batches.split(",")):
        torch.manual_seed(1)
        model = lenet5().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(9)
        x_host = torch.rand(batch, 1, 28, 28, generator=generator) * 2 - 1
        y_host = torch.randint(0, 10, (batch,), generator=generator)
        x_device, y_device = x_host.to(device), y_host.to(device)

        def train_step(x, y):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            optimizer.step()
            return loss.item()

        uploaded = measure(lambda: train_step(x_host.to(device), y_host.to(device)), args.steps, synchronize)
        resident = measure(lambda: train_step(x_device, y_device), args.steps, synchronize)
        print(f"{'torch-lenet5':<12} {batch:>6} {uploaded:>10.3f} {batch / uploaded * 1000:>12,.0f} "
              f"{resident:>12.3f} {batch / resident * 1000:>12,.0f}")


if __name__ == "__main__":
    main()
