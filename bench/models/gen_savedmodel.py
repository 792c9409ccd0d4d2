"""Writes the bench's TF SavedModels (Keras 2 via tf-keras), random weights.

Runs in the bench venv (tensorflow-cpu, tf-keras). No weights can be
downloaded here, so every Keras application is built with weights=None from a
fixed seed; BatchNorm layers get random affine parameters and statistics from
a few training-mode batches of photographs (momentum 0, so the moving
averages are those of real images, not the 0/1 defaults). Each model is saved
with one `serving_default` signature of static batch 1 (input name `input`,
output `output`).

Usage: gen_savedmodel.py OUT_DIR [NAME ...]; writes OUT_DIR/<name>/ and
OUT_DIR/<name>.json (input spec for the harness).
"""
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import data  # noqa: E402

SEED = 99
# 2: classifiers end in logits (classifier_activation=None), like the
# torchvision exports; a 1000-way softmax of random weights is nearly uniform
# and its int8 output (scale 1/256) rounds to zero, which hides accuracy.
GENERATOR_VERSION = 2
IMAGE = [1, 224, 224, 3]
TEXT_VOCAB = 5000


def lstm_text():
    ids = keras.Input(shape=(64,), batch_size=1, dtype="int32")
    x = keras.layers.Embedding(TEXT_VOCAB, 64)(ids)
    x = keras.layers.LSTM(128)(x)
    out = keras.layers.Dense(10)(x)
    return keras.Model(ids, out)


def transformer_encoder():
    """Two post-norm encoder blocks, d_model 128, 4 heads, GELU FFN 256."""
    inp = keras.Input(shape=(64, 128), batch_size=1)
    x = inp
    for _ in range(2):
        att = keras.layers.MultiHeadAttention(num_heads=4, key_dim=32)(x, x)
        x = keras.layers.LayerNormalization(epsilon=1e-5)(x + att)
        ff = keras.layers.Dense(256, activation="gelu")(x)
        ff = keras.layers.Dense(128)(ff)
        x = keras.layers.LayerNormalization(epsilon=1e-5)(x + ff)
    out = keras.layers.Dense(16)(x)
    return keras.Model(inp, out)


# name: (factory, input spec for the harness, classifier?)
MODELS = {
    "keras_mobilenet_v2": (lambda: keras.applications.MobileNetV2(weights=None, classifier_activation=None),
                           {"kind": "image", "shape": IMAGE, "style": "keras_tf"}, True),
    "keras_resnet50": (lambda: keras.applications.ResNet50(weights=None, classifier_activation=None),
                       {"kind": "image", "shape": IMAGE, "style": "keras_caffe"}, True),
    "keras_efficientnet_b0": (lambda: keras.applications.EfficientNetB0(weights=None, classifier_activation=None),
                              {"kind": "image", "shape": IMAGE, "style": "keras_raw"}, True),
    "keras_lstm_text": (lstm_text, {"kind": "tokens", "shape": [1, 64], "high": TEXT_VOCAB,
                                    "dtype": "int32"}, False),
    "keras_transformer": (transformer_encoder, {"kind": "normal", "shape": [1, 64, 128]}, False),
}


def calibrate_batchnorm(model, spec):
    bns = [l for l in model.submodules if isinstance(l, keras.layers.BatchNormalization)]
    if not bns:
        return
    rng = np.random.default_rng(SEED)
    for bn in bns:
        bn.gamma.assign(rng.uniform(0.5, 1.5, bn.gamma.shape).astype(np.float32))
        bn.beta.assign(rng.normal(0.0, 0.1, bn.beta.shape).astype(np.float32))
        bn.momentum = 0.0
    batch = np.concatenate(data.make_samples(spec, 8, seed=SEED), axis=0)
    model(batch, training=True)  # momentum 0: moving stats := this batch's stats


def build(name, out_dir):
    factory, spec, classifier = MODELS[name]
    keras.utils.set_random_seed(SEED)
    model = factory()
    calibrate_batchnorm(model, spec)
    dtype = tf.int32 if spec["kind"] == "tokens" else tf.float32

    @tf.function(input_signature=[tf.TensorSpec(spec["shape"], dtype, name="input")])
    def serve(x):
        return {"output": model(x, training=False)}

    path = out_dir / name
    tf.saved_model.save(model, str(path), signatures={"serving_default": serve})
    meta = {"input": dict(spec, name="input"), "output": "output", "classifier": classifier,
            "params": int(model.count_params()), "generator_version": GENERATOR_VERSION,
            "output_activation": "logits" if classifier else "none"}
    (out_dir / f"{name}.json").write_text(json.dumps(meta, indent=1))


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in sys.argv[2:] or list(MODELS):
        start = time.monotonic()
        build(name, out_dir)
        print(f"gen_savedmodel: {name} {time.monotonic() - start:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
