#!/usr/bin/python3
"""Exports the scaling-run ONNX models: one CNN architecture at 1x, 4x, 16x.

Runs with Debian's python3 (torch 1.13), never the bench venv. Two series:
- depth: a stem conv, then 6*k blocks of Conv3x3(64)+BatchNorm+ReLU, global
  pool, linear head (k = 1, 4, 16): op count and weight bytes grow linearly;
- width: 6 blocks of Conv3x3(32*k)+BatchNorm+ReLU at fixed depth: op count
  fixed, weight bytes grow ~k^2 (the file size is the x axis of the fit).
Random weights from a fixed seed; BatchNorm statistics from a few train-mode
batches; static batch 1, opset 13, input 1x3x64x64.

Usage: gen_scaling.py OUT_DIR [NAME ...]; writes OUT_DIR/<name>.onnx.
"""
import sys
import time
from pathlib import Path

import torch
from torch import nn

SEED = 4321
SHAPE = (1, 3, 64, 64)


def conv_bn_relu(cin, cout, stride=1):
    return [nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU()]


def make_cnn(blocks, width):
    layers = conv_bn_relu(3, width, stride=2)
    for _ in range(blocks):
        layers += conv_bn_relu(width, width)
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 10)]
    return nn.Sequential(*layers)


MODELS = {}
for k in (1, 4, 16):
    MODELS[f"scale_depth_{k}x"] = (6 * k, 64)
    MODELS[f"scale_width_{k}x"] = (6, 32 * k)


def export(name, out_dir):
    blocks, width = MODELS[name]
    torch.manual_seed(SEED)
    model = make_cnn(blocks, width)
    gen = torch.Generator().manual_seed(SEED + 1)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = None
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.normal_(0.0, 0.1, generator=gen)
        model.train()
        for _ in range(3):
            model(torch.randn((4,) + SHAPE[1:], generator=gen))
    model.eval()
    example = torch.randn(SHAPE, generator=gen)
    torch.onnx.export(model, (example,), str(out_dir / f"{name}.onnx"), opset_version=13,
                      input_names=["input"], output_names=["output"], do_constant_folding=True)


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    for name in sys.argv[2:] or list(MODELS):
        start = time.monotonic()
        export(name, out_dir)
        print(f"gen_scaling: {name} {time.monotonic() - start:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
