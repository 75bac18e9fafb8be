#!/usr/bin/env python3
"""PyTorch baseline for `NetGen.Benchmarks --gpu-check`: the char-LSTM train step on the same GPU.

NetGen.Samples' CharLstm: 64 token ids per sample (vocabulary 128), Embedding(128, 64), one LSTM(64 → 256) over the 64
steps (cuDNN's), a per-step Linear(256 → 128), softmax cross-entropy averaged over all B·64 steps; SGD (lr 0.01,
momentum 0.9), float32 with TF32 off. A step is what NetGen's generated `TrainStep` does: copy the batch (tokens and
one label per step) from host memory to the device, forward, loss, backward, optimizer update, read the loss back.
The "resident" column keeps the batch on the device.

Usage: python3 benchmarks/gpu/torch_char_lstm.py [--steps 200] [--batches 64,256,1024] [--device cuda]
"""
import torch
from torch import nn

from torch_timing import run

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


def random_batch(batch, generator):
    x = torch.randint(0, VOCABULARY, (batch, LENGTH), generator=generator)
    return x, torch.roll(x.flatten(), -1).view(batch, LENGTH)  # the next character, as GpuCheck's data


if __name__ == "__main__":
    run(__doc__, "torch-char-lstm", CharLstm, random_batch, label_width=16, classes=VOCABULARY)
