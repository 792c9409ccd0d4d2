#!/usr/bin/python3
"""Exports real PyTorch-built graphs to ONNX for the conformance suite.

Runs with Debian's python3 (torch 1.13, torchvision 0.14), never the test
venv. Every model has random weights from a fixed seed; BatchNorm layers see
a few batches of random data in train mode first (cumulative averages), so
their statistics and affine parameters are realistic rather than 0/1, then
the model is exported in eval mode with static batch 1 (one model also with
a dynamic batch axis).

Writes <out>/<name>.onnx plus <out>/index.json describing each model (kind,
opset, input kinds). Usage: gen_torchvision.py OUT_DIR [NAME ...]
"""
import json
import sys
import time
from pathlib import Path

import torch
import torchvision
from torch import nn

SEED = 1234


class UNet(nn.Module):
    """A small U-Net: ConvTranspose, bilinear and nearest Upsample, Concat skips."""

    @staticmethod
    def block(cin, cout):
        return nn.Sequential(
            nn.Conv2d(cin, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
            nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout), nn.ReLU())

    def __init__(self):
        super().__init__()
        self.enc1, self.enc2, self.enc3 = self.block(3, 16), self.block(16, 32), self.block(32, 64)
        self.bottleneck = self.block(64, 64)
        self.pool = nn.MaxPool2d(2)
        self.up3 = nn.ConvTranspose2d(64, 64, 2, stride=2)
        self.dec3 = self.block(128, 32)
        self.up2 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.dec2 = self.block(64, 16)
        self.up1 = nn.Upsample(scale_factor=2, mode="nearest")
        self.dec1 = self.block(32, 16)
        self.head = nn.Conv2d(16, 2, 1)

    def forward(self, x):
        e1 = self.enc1(x)
        e2 = self.enc2(self.pool(e1))
        e3 = self.enc3(self.pool(e2))
        b = self.bottleneck(self.pool(e3))
        d3 = self.dec3(torch.cat([self.up3(b), e3], 1))
        d2 = self.dec2(torch.cat([self.up2(d3), e2], 1))
        d1 = self.dec1(torch.cat([self.up1(d2), e1], 1))
        return torch.sigmoid(self.head(d1))


class TinyTransformer(nn.Module):
    """Two nn.TransformerEncoder layers (batch_first, d_model 64, 4 heads, GELU)."""

    def __init__(self):
        super().__init__()
        layer = nn.TransformerEncoderLayer(d_model=64, nhead=4, dim_feedforward=128, dropout=0.1,
                                           activation="gelu", batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(64, 8)

    def forward(self, x):
        return self.head(self.encoder(x))


class LstmClassifier(nn.Module):
    """Embedding + single-layer LSTM + Linear on the last step (token ids in)."""

    VOCAB = 500

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(self.VOCAB, 32)
        self.lstm = nn.LSTM(32, 48, batch_first=True)
        self.fc = nn.Linear(48, 5)

    def forward(self, ids):
        out, _ = self.lstm(self.embedding(ids))
        return self.fc(out[:, -1, :])


def classifier(fn, **kwargs):
    return lambda: fn(weights=None, **kwargs)


IMAGE = (1, 3, 224, 224)
# name: (factory, input shape, kind, opset, dynamic batch)
MODELS = {
    "mobilenet_v2": (classifier(torchvision.models.mobilenet_v2), IMAGE, "classifier", 13, False),
    "resnet18": (classifier(torchvision.models.resnet18), IMAGE, "classifier", 13, False),
    "resnet50": (classifier(torchvision.models.resnet50), IMAGE, "classifier", 13, False),
    "squeezenet1_1": (classifier(torchvision.models.squeezenet1_1), IMAGE, "classifier", 13, False),
    "shufflenet_v2_x1_0": (classifier(torchvision.models.shufflenet_v2_x1_0), IMAGE, "classifier",
                           13, False),
    "mnasnet0_5": (classifier(torchvision.models.mnasnet0_5), IMAGE, "classifier", 13, False),
    "efficientnet_b0": (classifier(torchvision.models.efficientnet_b0), IMAGE, "classifier", 13,
                        False),
    "googlenet": (classifier(torchvision.models.googlenet, aux_logits=False, init_weights=True),
                  IMAGE, "classifier", 13, False),
    "resnet18_opset11": (classifier(torchvision.models.resnet18), IMAGE, "classifier", 11, False),
    "mobilenet_v2_dynbatch": (classifier(torchvision.models.mobilenet_v2), IMAGE, "classifier",
                              13, True),
    # The batch reaches reshape targets through Shape/Gather (channel shuffle)
    # and sits in squeeze-excite reshapes: both must cost no ops.
    "shufflenet_v2_x1_0_dynbatch": (classifier(torchvision.models.shufflenet_v2_x1_0), IMAGE,
                                    "classifier", 13, True),
    "efficientnet_b0_dynbatch": (classifier(torchvision.models.efficientnet_b0), IMAGE,
                                 "classifier", 13, True),
    "unet": (UNet, (1, 3, 64, 64), "cnn", 13, False),
    "transformer_encoder": (TinyTransformer, (1, 16, 64), "sequence", 13, False),
    "transformer_encoder_opset17": (TinyTransformer, (1, 16, 64), "sequence", 17, False),
    "lstm_classifier": (LstmClassifier, (1, 20), "tokens", 13, False),
}


def calibrate(model, shape, kind):
    """A few train-mode batches so BatchNorm statistics are those of real data flow."""
    gen = torch.Generator().manual_seed(SEED + 1)
    bns = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    with torch.no_grad():
        for bn in bns:
            bn.momentum = None  # cumulative average over the calibration batches
            bn.weight.uniform_(0.5, 1.5, generator=gen)
            bn.bias.normal_(0.0, 0.1, generator=gen)
        if not bns:
            return
        model.train()
        batch = (4,) + tuple(shape[1:])
        for _ in range(3):
            model(torch.randn(batch, generator=gen))


def export(name, out_dir):
    factory, shape, kind, opset, dynamic = MODELS[name]
    torch.manual_seed(SEED)
    model = factory()
    calibrate(model, shape, kind)
    model.eval()
    gen = torch.Generator().manual_seed(SEED + 2)
    if kind == "tokens":
        example = torch.randint(0, LstmClassifier.VOCAB, shape, generator=gen)
        input_spec = {"kind": "tokens", "low": 0, "high": LstmClassifier.VOCAB}
    else:
        example = torch.randn(shape, generator=gen)
        input_spec = {"kind": "normal"}
    input_name, output_name = ("input_ids", "logits") if kind == "tokens" else ("input", "output")
    path = out_dir / f"{name}.onnx"
    dynamic_axes = {input_name: {0: "batch"}, output_name: {0: "batch"}} if dynamic else None
    # Exported with autograd enabled: in eval mode under no_grad, torch 1.13
    # routes nn.TransformerEncoderLayer to a fused kernel ONNX cannot express.
    torch.onnx.export(model, (example,), str(path), opset_version=opset,
                      input_names=[input_name], output_names=[output_name],
                      dynamic_axes=dynamic_axes, do_constant_folding=True)
    meta = {"file": path.name, "kind": kind, "opset": opset, "dynamic_batch": dynamic,
            "inputs": {input_name: input_spec}, "image_classifier": kind == "classifier",
            "cnn": kind in ("classifier", "cnn")}
    if dynamic and name.endswith("_dynbatch"):
        meta["static_twin"] = name[:-len("_dynbatch")]
    return meta


def main():
    out_dir = Path(sys.argv[1])
    names = sys.argv[2:] or list(MODELS)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(2)
    index = {}
    for name in names:
        start = time.monotonic()
        index[name] = export(name, out_dir)
        print(f"gen_torchvision: {name} {time.monotonic() - start:.1f}s", file=sys.stderr)
    (out_dir / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
