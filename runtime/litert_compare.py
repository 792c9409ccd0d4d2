#!/usr/bin/env python3
"""Compares optconv's reference interpreter with the real LiteRT runtime.

Usage:
  OPTCONV_RUNTIME_DUMP_DIR=/tmp/rt optconv_unit_tests --gtest_filter='Interpreter*'
  python runtime/litert_compare.py /tmp/rt [tolerance]   # needs ai_edge_litert, numpy

For every <name>.tflite the dump holds <name>.in<i>.bin (inputs) and
<name>.out<i>.bin (RunGraph's outputs), raw little-endian. Each model runs
with LiteRT's builtin kernels (and with the default XNNPACK delegate); the
max absolute error per model is printed. Exit status 1 when any error
exceeds the tolerance (default 1e-4).
"""
import glob
import os
import sys

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType


def run(path, inputs, resolver):
    interp = Interpreter(model_path=path, experimental_op_resolver_type=resolver)
    for detail, value in zip(interp.get_input_details(), inputs):
        interp.resize_tensor_input(detail["index"], value.shape)
    interp.allocate_tensors()
    for detail, value in zip(interp.get_input_details(), inputs):
        interp.set_tensor(detail["index"], value.astype(detail["dtype"]))
    interp.invoke()
    return [interp.get_tensor(d["index"]) for d in interp.get_output_details()]


def main():
    root = sys.argv[1]
    tol = float(sys.argv[2]) if len(sys.argv) > 2 else 1e-4
    failures = 0
    for model in sorted(glob.glob(os.path.join(root, "*.tflite"))):
        name = os.path.basename(model)[:-len(".tflite")]
        probe = Interpreter(model_path=model)
        inputs = []
        for i, detail in enumerate(probe.get_input_details()):
            raw = np.fromfile(os.path.join(root, f"{name}.in{i}.bin"), dtype=detail["dtype"])
            shape = [d if d > 0 else -1 for d in detail["shape_signature"]]
            inputs.append(raw.reshape(shape))
        line = [f"{name:20s}"]
        for label, resolver in (("builtin", OpResolverType.BUILTIN_REF),
                                ("default", OpResolverType.AUTO)):
            try:
                outs = run(model, inputs, resolver)
            except (RuntimeError, ValueError) as e:
                msg = str(e).splitlines()[0]
                if label == "builtin" and "Didn't find op" in msg:
                    line.append("builtin: op/version not in LiteRT's reference resolver")
                    continue
                failures += 1
                line.append(f"{label} LiteRT error: {msg}")
                continue
            worst = 0.0
            for i, out in enumerate(outs):
                ours = np.fromfile(os.path.join(root, f"{name}.out{i}.bin"), dtype=out.dtype)
                if ours.size != out.size:
                    worst = float("inf")
                    continue
                diff = np.abs(ours.astype(np.float64) - out.reshape(-1).astype(np.float64))
                worst = max(worst, float(diff.max()) if diff.size else 0.0)
            line.append(f"{label} max|err|={worst:.3g}")
            if not worst <= tol:
                failures += 1
                line.append("MISMATCH")
        print("  ".join(line))
    print(f"{failures} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
