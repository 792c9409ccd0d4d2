#!/usr/bin/env python3
"""Writes examples/tiny_cnn.onnx, the small model scripts/demo.sh converts.

A 3x32x32 image classifier in ONNX's NCHW layout: Conv+BatchNorm+Relu,
depthwise Conv+Clip(0,6), 1x1 Conv, MaxPool, GlobalAveragePool, Flatten,
Gemm, Softmax (opset 13). Weights come from a fixed seed, so the file is
byte-identical on every run; it is committed (about 4 KB) so the demo needs
no Python. Runs with any python that has onnx and numpy (Debian's python3).
"""
import argparse
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build():
    rng = np.random.default_rng(20240601)

    def init(name, shape, scale=0.2):
        data = (rng.standard_normal(shape) * scale).astype(np.float32)
        return numpy_helper.from_array(data, name)

    def positive(name, low, high):
        return numpy_helper.from_array(rng.uniform(low, high, 8).astype(np.float32), name)

    inits = [
        init("conv1.w", (8, 3, 3, 3)), init("conv1.b", (8,), 0.05),
        positive("bn1.scale", 0.5, 1.5), init("bn1.bias", (8,), 0.1),
        init("bn1.mean", (8,), 0.1), positive("bn1.var", 0.5, 2.0),
        init("dw.w", (8, 1, 3, 3), 0.3), init("dw.b", (8,), 0.05),
        init("pw.w", (16, 8, 1, 1), 0.3), init("pw.b", (16,), 0.05),
        init("fc.w", (10, 16), 0.3), init("fc.b", (10,), 0.05),
        numpy_helper.from_array(np.array(0.0, np.float32), "clip.min"),
        numpy_helper.from_array(np.array(6.0, np.float32), "clip.max"),
    ]
    node = helper.make_node
    nodes = [
        node("Conv", ["image", "conv1.w", "conv1.b"], ["c1"], name="conv1",
             kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
        node("BatchNormalization", ["c1", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"],
             ["b1"], name="bn1", epsilon=1e-5),
        node("Relu", ["b1"], ["r1"], name="relu1"),
        node("Conv", ["r1", "dw.w", "dw.b"], ["d1"], name="dwconv", group=8,
             kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        node("Clip", ["d1", "clip.min", "clip.max"], ["d2"], name="relu6"),
        node("Conv", ["d2", "pw.w", "pw.b"], ["p1"], name="pwconv", kernel_shape=[1, 1]),
        node("Relu", ["p1"], ["p2"], name="relu2"),
        node("MaxPool", ["p2"], ["m1"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        node("GlobalAveragePool", ["m1"], ["g1"], name="gap"),
        node("Flatten", ["g1"], ["f1"], name="flatten", axis=1),
        node("Gemm", ["f1", "fc.w", "fc.b"], ["logits"], name="fc", transB=1),
        node("Softmax", ["logits"], ["probs"], name="softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "tiny_cnn",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, 32, 32])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])], inits)
    model = helper.make_model(graph, producer_name="optconv-example", producer_version="1",
                              opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[2] / "examples" / "tiny_cnn.onnx"
    parser.add_argument("-o", "--output", type=Path, default=default)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(build().SerializeToString())
    print(args.output)


if __name__ == "__main__":
    main()
