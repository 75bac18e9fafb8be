#!/usr/bin/env python3
"""PyTorch baseline for `NetGen.Benchmarks --gpu-check`: the char-LSTM train step on the same GPU.

NetGen.Samples' CharLstm: 64 token ids per sample (vocabulary 128), Embedding(128, 64), one LSTM(64 → 256) over the 64
steps (cuDNN's), a per-step Linear(256 → 128), softmax cross-entropy averaged over all B·64 steps; SGD (lr 0.01,
momentum 0.9), float32 with TF32 off. A step is what NetGen's generated `TrainStep` does: copy the batch (tokens and
one label per step) from host memory to the device, forward, loss, backward, optimizer update, read the loss back.
The "resident" column keeps the batch on the device.

Usage: python3 benchmarks/gpu/torch_char_lstm.py [--steps 200] [--batches 64,256,1024] [--device cuda]
"""
import argparse

import torch
from torch import nn

from torch_mlp import measure

VOCABULARY, LENGTH, EMBED, HIDDEN = 128, 64, 64, 256


class CharLstm(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCABULARY, EMBED)
        self.memory = nn.LSTM(EMBED, HIDDEN, batch_first=True)
        self.logits = nn.Linear(HIDDEN, VOCABULARY)

    def forward(self, tokens):
        hs, _ = self.memory(self.embed(tokens))
        return self.logits(hs)


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
    print(f"{'network':<16} {'batch':>6} {'ms/step':>10} {'samples/s':>12} {'resident ms':>12} {'samples/s':>12}")
    for batch in (int(b) for b in args.batches.split(",")):
        torch.manual_seed(1)
        model = CharLstm().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(9)
        x_host = torch.randint(0, VOCABULARY, (batch, LENGTH), generator=generator)
        y_host = torch.roll(x_host.flatten(), -1).view(batch, LENGTH)  # the next character, as GpuCheck's data
        x_device, y_device = x_host.to(device), y_host.to(device)

        def train_step(x, y):
            optimizer.zero_grad(set_to_none=True)
            loss = loss_fn(model(x).reshape(-1, VOCABULARY), y.reshape(-1))
            loss.backward()
            optimizer.step()
            return loss.item()

        uploaded = measure(lambda: train_step(x_host.to(device), y_host.to(device)), args.steps, synchronize)
        resident = measure(lambda: train_step(x_device, y_device), args.steps, synchronize)
        print(f"{'torch-char-lstm':<16} {batch:>6} {uploaded:>10.3f} {batch / uploaded * 1000:>12,.0f} "
              f"{resident:>12.3f} {batch / resident * 1000:>12,.0f}")


if __name__ == "__main__":
    main()
