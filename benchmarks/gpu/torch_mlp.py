#!/usr/bin/env python3
"""PyTorch baseline for `NetGen.Benchmarks --gpu-check`: the same MLP train step on the same GPU.

Network 784-256-128-10 with ReLU, softmax cross-entropy, SGD (lr 0.01, momentum 0.9), float32 with TF32 off (NetGen's
GPU GEMM runs plain FP32). A step is what NetGen's generated `TrainStep` does: copy the batch from host memory to the
device, forward, loss, backward, optimizer update, and read the loss back (`loss.item()`, the one synchronisation).
The "resident" column keeps the batch on the device (no upload), to show what the copy costs.

Usage: python3 benchmarks/gpu/torch_mlp.py [--steps 200] [--batches 64,256,1024] [--device cuda]
"""
import argparse
import time

import torch
from torch import nn


def measure(step, steps, synchronize):
    """Milliseconds per call of step() over `steps` calls, after a warm-up of a tenth as many (at least one)."""
    for _ in range(max(1, steps // 10)):
        step()
    synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize()
    return (time.perf_counter() - start) * 1000 / steps


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
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(9)
        x_host = torch.rand(batch, 784, generator=generator) * 2 - 1
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
        print(f"{'torch-mlp':<12} {batch:>6} {uploaded:>10.3f} {batch / uploaded * 1000:>12,.0f} "
              f"{resident:>12.3f} {batch / resident * 1000:>12,.0f}")


if __name__ == "__main__":
    main()
