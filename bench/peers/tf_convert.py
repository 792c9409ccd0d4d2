"""Runs the official converter (tf.lite.TFLiteConverter) on one SavedModel.

Usage: tf_convert.py SAVED_MODEL_DIR OUT.tflite MODE [CALIB.npz]
MODE: float32 | fp16 (float16 weights) | dynamic (dynamic-range int8
weights) | int8 (int8 weights and activations, float input/output,
calibrated on every array in CALIB.npz in key order; the converter's default
op set, so an op it cannot quantize stays float: the documented "integer
quantization with float fallback" most users run).

Prints one JSON line: import and convert seconds, so the harness can tell the
converter's own time from interpreter start-up.
"""
import json
import os
import sys
import time

T0 = time.perf_counter()


def main():
    src, out, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    import numpy as np
    import tensorflow as tf
    t_import = time.perf_counter()
    converter = tf.lite.TFLiteConverter.from_saved_model(src)
    if mode == "fp16":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.target_spec.supported_types = [tf.float16]
    elif mode == "dynamic":
        converter.optimizations = [tf.lite.Optimize.DEFAULT]
    elif mode == "int8":
        calib = np.load(sys.argv[4])
        samples = [calib[k] for k in sorted(calib.files)]

        def representative():
            for sample in samples:
                yield [sample]

        converter.optimizations = [tf.lite.Optimize.DEFAULT]
        converter.representative_dataset = representative
    elif mode != "float32":
        raise SystemExit(f"unknown mode {mode}")
    flat = converter.convert()
    t_done = time.perf_counter()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "wb") as f:
        f.write(flat)
    print(json.dumps({"import_s": t_import - T0, "convert_s": t_done - t_import}))


if __name__ == "__main__":
    main()
