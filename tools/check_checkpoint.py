#!/usr/bin/python3
"""Checks a NetGen checkpoint from Python, with no NetGen code: parses the safetensors layout by hand, loads every
tensor with numpy (and into torch when it is installed), and prints names, shapes and metadata.

    /usr/bin/python3 tools/check_checkpoint.py PATH [--tiny]

--tiny additionally checks NetGen.Tests/Fixtures/netgen-tiny.safetensors against what the test that wrote it
put there (TinyNetwork after one SGD step: parameter k of the internal buffer is k/100 + 1 - 0.1, dense weights
stored [in, out] internally, so weight[o, i] in the file must be the internal element i*out + o).
Exits non-zero with a message on the first problem.
"""
import json
import struct
import sys

import numpy as np


def fail(msg):
    sys.exit(f"FAIL: {msg}")


def read(path):
    raw = open(path, "rb").read()
    if len(raw) < 8:
        fail("shorter than 8 bytes")
    (n,) = struct.unpack("<Q", raw[:8])
    if 8 + n > len(raw):
        fail(f"header length {n} exceeds file")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    if not all(isinstance(v, str) for v in meta.values()):
        fail("metadata values must be strings")
    data = raw[8 + n:]
    end = 0
    tensors = {}
    for name, info in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        b, e = info["data_offsets"]
        if b != end:
            fail(f"{name}: offset {b}, expected {end}")
        if info["dtype"] != "F32":
            fail(f"{name}: dtype {info['dtype']}")
        if (e - b) != 4 * int(np.prod(info["shape"], dtype=np.int64)):
            fail(f"{name}: {e - b} bytes for shape {info['shape']}")
        tensors[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(info["shape"])
        end = e
    if end != len(data):
        fail(f"tensors cover {end} bytes, data section has {len(data)}")
    return meta, tensors


def check_tiny(meta, tensors):
    expected_shapes = {"L1.weight": [4, 3], "L1.bias": [4], "L2.weight": [2, 4], "L2.bias": [2], "Emb.weight": [5, 2]}
    offset = 0
    for name, shape in expected_shapes.items():
        t = tensors.get(name)
        if t is None or list(t.shape) != shape:
            fail(f"{name}: expected shape {shape}, got {None if t is None else list(t.shape)}")
        count = int(np.prod(shape))
        internal = (np.arange(offset, offset + count, dtype=np.float32) / np.float32(100) + np.float32(1)) - np.float32(0.1)
        if name.endswith("weight") and name != "Emb.weight":
            internal = internal.reshape(shape[1], shape[0]).T  # [in, out] -> [out, in]
        if not np.allclose(t, internal.reshape(shape), rtol=0, atol=1e-6):
            fail(f"{name}: values differ from TinyNetwork's (layout?)\n{t}\n{internal.reshape(shape)}")
        if not np.all(tensors["optimizer.momentum." + name] == 1):
            fail(f"optimizer.momentum.{name} should be all ones after one SGD step with gradient 1")
        offset += count
    for key, value in {"netgen.network": "TinyNetwork", "netgen.optimizer": "sgd", "netgen.optimizer.step": "1",
                       "netgen.epoch": "1", "netgen.step": "1", "format": "pt"}.items():
        if meta.get(key) != value:
            fail(f"metadata {key} = {meta.get(key)!r}, expected {value!r}")
    try:
        import torch
        linear = torch.nn.Linear(3, 4)
        linear.load_state_dict({"weight": torch.from_numpy(tensors["L1.weight"].copy()),
                                "bias": torch.from_numpy(tensors["L1.bias"].copy())})
        print("loaded L1 into torch.nn.Linear(3, 4):", tuple(linear.weight.shape))
    except ImportError:
        print("torch not installed: skipped the torch.nn.Linear load")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    meta, tensors = read(sys.argv[1])
    for k in sorted(meta):
        print(f"{k} = {meta[k]}")
    for name, t in tensors.items():
        print(f"{name} {list(t.shape)}")
    if "--tiny" in sys.argv:
        check_tiny(meta, tensors)
    print("OK")


if __name__ == "__main__":
    main()
