"""Copies a NetGen safetensors checkpoint without its optimizer state (the optimizer.* tensors and the
netgen.optimizer* metadata): the parameters alone, loadable with Checkpoint.Load(path, network) but not resumable.
Usage: python3 strip_optimizer.py IN.safetensors OUT.safetensors"""
import json, struct, sys

source, target = sys.argv[1], sys.argv[2]
with open(source, 'rb') as f:
    size = struct.unpack('<Q', f.read(8))[0]
    header = json.loads(f.read(size))
    data = f.read()
meta = {k: v for k, v in header.pop('__metadata__').items() if not k.startswith('netgen.optimizer')}
kept, chunks, offset = {'__metadata__': meta}, [], 0
for name, t in sorted(header.items(), key=lambda item: item[1]['data_offsets'][0]):
    if name.startswith('optimizer.'):
        continue
    begin, end = t['data_offsets']
    kept[name] = {'dtype': t['dtype'], 'shape': t['shape'], 'data_offsets': [offset, offset + end - begin]}
    chunks.append(data[begin:end])
    offset += end - begin
text = json.dumps(kept, separators=(',', ':')).encode()
text += b' ' * (-len(text) % 8)  # the data section starts 8-byte aligned, as NetGen writes it
with open(target, 'wb') as f:
    f.write(struct.pack('<Q', len(text)))
    f.write(text)
    f.writelines(chunks)
