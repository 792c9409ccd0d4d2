"""Reference outputs of a SavedModel: TensorFlow's own float results.

Usage: tf_reference.py SAVED_MODEL_DIR INPUTS.npz OUT.npz
Runs the `serving_default` signature on every array of INPUTS.npz (one
sample each, fed as the signature's single input) and writes the outputs
under the same keys.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main():
    import numpy as np
    import tensorflow as tf
    src, inputs_path, out_path = sys.argv[1:4]
    fn = tf.saved_model.load(src).signatures["serving_default"]
    (arg_name,) = fn.structured_input_signature[1].keys()
    inputs = np.load(inputs_path)
    outputs = {}
    for key in inputs.files:
        result = fn(**{arg_name: tf.constant(inputs[key])})
        (value,) = result.values()
        outputs[key] = value.numpy()
    np.savez(out_path, **outputs)


if __name__ == "__main__":
    main()
