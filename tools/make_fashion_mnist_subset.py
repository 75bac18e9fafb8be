#!/usr/bin/env python3
"""Makes data/fashion-mnist-subset/: the first 4000 training and first 1000 test images and labels of Fashion-MNIST,
as idx files gzip-compressed with a fixed timestamp (so reruns give identical bytes), plus the COPYRIGHT file.

    python3 tools/make_fashion_mnist_subset.py SOURCE_DIR [OUT_DIR]

SOURCE_DIR holds the four original files (train-images-idx3-ubyte.gz, ...). Standard library only.
"""
import gzip
import os
import shutil
import struct
import sys

COUNTS = {"train": 4000, "t10k": 1000}


def subset(src, dst, count):
    with gzip.open(src, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    dims = list(struct.unpack(">" + "I" * (magic & 0xFF), data[4:4 + 4 * (magic & 0xFF)]))
    if magic >> 8 != 0x08 or dims[0] < count:
        sys.exit(f"{src}: not an unsigned-byte idx file with at least {count} items")
    item = 1
    for d in dims[1:]:
        item *= d
    header = 4 + 4 * len(dims)
    out = struct.pack(">I", magic) + struct.pack(">" + "I" * len(dims), count, *dims[1:]) + data[header:header + count * item]
    with open(dst, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as f:
        f.write(out)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    source = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "data", "fashion-mnist-subset")
    os.makedirs(out, exist_ok=True)
    for split, count in COUNTS.items():
        for kind in ("images-idx3", "labels-idx1"):
            name = f"{split}-{kind}-ubyte.gz"
            subset(os.path.join(source, name), os.path.join(out, name), count)
    shutil.copyfile(os.path.join(source, "COPYRIGHT"), os.path.join(out, "COPYRIGHT"))
    print("wrote", os.path.normpath(out))


if __name__ == "__main__":
    main()
