"""What the PyTorch baselines for `NetGen.Benchmarks --gpu-check` share: the command line, the timing and the table.

Each script (torch_mlp.py, torch_lenet.py, torch_char_lstm.py) names its network, its random batch and its table label,
and calls `run`. Options: --steps 200, --batches 64,256,1024, --device cuda.
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


def run(doc, label, make_model, make_batch, label_width=12, classes=None):
    """Times the train step of `make_model()` at each batch size and prints one table row per batch.

    `doc` is the script's docstring (its first line describes the command), `make_batch(batch, generator)` returns the
    host inputs and labels. The step is SGD (lr 0.01, momentum 0.9) on softmax cross-entropy, float32 with TF32 off;
    with `classes` the output and labels are flattened to one row per step (`[-1, classes]` and `[-1]`) first.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
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
    print(f"{'network':<{label_width}} {'batch':>6} {'ms/step':>10} {'samples/s':>12} {'resident ms':>12} {'samples/s':>12}")
    for batch in (int(b) for b in args.batches.split(",")):
        torch.manual_seed(1)
        model = make_model().to(device)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        loss_fn = nn.CrossEntropyLoss()
        generator = torch.Generator().manual_seed(9)
        x_host, y_host = make_batch(batch, generator)
        x_device, y_device = x_host.to(device), y_host.to(device)

        def train_step(x, y):
            optimizer.zero_grad(set_to_none=True)
            if classes is None:
                loss = loss_fn(model(x), y)
            else:
                loss = loss_fn(model(x).reshape(-1, classes), y.reshape(-1))
            loss.backward()
            optimizer.step()
            return loss.item()

        uploaded = measure(lambda: train_step(x_host.to(device), y_host.to(device)), args.steps, synchronize)
        resident = measure(lambda: train_step(x_device, y_device), args.steps, synchronize)
        print(f"{label:<{label_width}} {batch:>6} {uploaded:>10.3f} {batch / uploaded * 1000:>12,.0f} "
              f"{resident:>12.3f} {batch / resident * 1000:>12,.0f}")
