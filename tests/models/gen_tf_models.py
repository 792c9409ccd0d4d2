"""TensorFlow test models for the SavedModel / GraphDef importer.

Usage: gen_tf_models.py OUT_DIR [NAME ...]. Writes one SavedModel directory (or
frozen .pb) per model, a <name>.npz of reference feeds and TensorFlow outputs
(keys "<set>/in/<key>" and "<set>/out/<key>"), and index.json. Random weights
from fixed seeds. Add a model: a function that builds it, registered with @model.
"""
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

SEEDS = (0, 1, 2)
PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png")
MODELS = {}


def model(name, image=False):
    def register(fn):
        MODELS[name] = (fn, image)
        return fn
    return register


def seed_everything(seed=0):
    np.random.seed(seed)
    tf.random.set_seed(seed)
    try:
        import keras
        keras.utils.set_random_seed(seed)
    except Exception:
        pass


def photos(size):
    """Real photographs (scikit-image's samples) scaled to [-1, 1], NHWC; [] when missing."""
    import importlib.util
    spec = importlib.util.find_spec("skimage")
    if spec is None:
        return []
    from PIL import Image
    directory = Path(list(spec.submodule_search_locations)[0]) / "data"
    out = []
    for name in PHOTOS:
        if not (directory / name).exists():
            continue
        image = Image.open(directory / name).convert("RGB").resize((size, size), Image.BILINEAR)
        out.append((np.asarray(image, np.float32) / 127.5 - 1)[None])
    return out


def randomize(m, seed=0):
    """Random weights that keep activations alive: fresh init leaves BatchNorm at
    identity statistics and can make an application's output constant, which
    would let a wrong conversion pass. Kernels ~ N(0, 1/fan_in); BatchNorm
    scales and variances in [0.5, 1.5]; shifts, means and biases ~ N(0, 0.1)."""
    rng = np.random.default_rng(seed)
    for v in m.weights:
        name = getattr(v, "path", None) or v.name
        shape = tuple(v.shape)
        if any(k in name for k in ("gamma", "moving_variance")):
            value = rng.uniform(0.5, 1.5, shape)
        elif any(k in name for k in ("beta", "moving_mean", "bias")) or len(shape) < 2:
            value = rng.normal(0, 0.1, shape)
        else:
            fan_in = int(np.prod(shape[:2])) if "depthwise" in name else int(np.prod(shape[:-1]))
            value = rng.normal(0, 1 / np.sqrt(max(fan_in, 1)), shape)
        v.assign(value.astype(np.dtype(v.dtype if isinstance(v.dtype, str) else v.dtype.name)))


# ---- Keras applications: Keras 3 export() and Keras 2 (tf_keras) SavedModels.
# Logits (no softmax) so that outputs are sensitive to every weight.

APPS = {
    # name: (keras.applications attr, input size, kwargs)
    "mobilenet_v2": ("MobileNetV2", 96, {"alpha": 0.35}),
    "resnet50": ("ResNet50", 64, {}),
    "efficientnet_b0": ("EfficientNetB0", 64, {}),
    "densenet121": ("DenseNet121", 64, {}),
    "mobilenet_v3_small": ("MobileNetV3Small", 96, {"alpha": 0.75}),
}


def keras_variants(name, image=False):
    """Registers build(keras, layers) -> Model twice: k3_<name> (Keras 3, export()) and
    k2_<name> (Keras 2 through tf-keras, model.save as a TF2 SavedModel)."""
    def register(build):
        def keras3(out):
            import keras
            seed_everything()
            m = build(keras, keras.layers)
            randomize(m)
            m.export(str(out), verbose=False)

        def keras2(out):
            import tf_keras
            seed_everything()
            tf_keras.utils.set_random_seed(0)
            m = build(tf_keras, tf_keras.layers)
            randomize(m)
            m.save(str(out), save_format="tf")

        model(f"k3_{name}", image)(keras3)
        model(f"k2_{name}", image)(keras2)
        return build
    return register


for _name, (_attr, _size, _kwargs) in APPS.items():
    keras_variants(_name, image=_size)(
        lambda keras, layers, attr=_attr, size=_size, kwargs=_kwargs: getattr(
            keras.applications, attr)(input_shape=(size, size, 3), weights=None, classes=10,
                                      classifier_activation=None, **kwargs))


@keras_variants("conv_transpose_autoencoder", image=32)
def conv_transpose_autoencoder(keras, layers):
    x = keras.Input((32, 32, 3), name="image")
    h = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(x)
    h = layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Conv2DTranspose(16, 3, strides=2, padding="same", activation="relu")(h)
    h = layers.Conv2DTranspose(8, 4, strides=2, padding="valid")(h)
    y = layers.Conv2D(3, 3, padding="valid", activation="sigmoid")(h)
    return keras.Model(x, y)


@model("k3_multi_io")
def multi_io(out):
    import keras
    from keras import layers
    seed_everything()
    image = keras.Input((24, 24, 3), name="image")
    meta = keras.Input((7,), name="meta")
    h = layers.Conv2D(8, 3, padding="same", activation="elu")(image)
    h = layers.MaxPooling2D(2)(h)
    h = layers.DepthwiseConv2D(3, padding="same", activation="selu")(h)
    h = layers.AveragePooling2D(2)(h)
    h = layers.BatchNormalization()(h)
    h = layers.Flatten()(h)
    m = layers.Dense(16, activation="tanh")(meta)
    m = layers.LeakyReLU(0.1)(m)
    joined = layers.Concatenate()([h, m])
    cls = layers.Dense(5, activation="softmax", name="cls")(joined)
    reg = layers.Dense(2, name="reg")(layers.Dense(12, activation="gelu")(joined))
    m = keras.Model([image, meta], [cls, reg])
    randomize(m)
    m.export(str(out), verbose=False)


@model("k2_multi_io")
def multi_io_keras2(out):
    import tf_keras as keras
    from tf_keras import layers
    seed_everything()
    keras.utils.set_random_seed(0)
    image = keras.Input((24, 24, 3), name="image")
    meta = keras.Input((7,), name="meta")
    h = layers.Conv2D(8, 3, padding="same", activation="relu6")(image)
    h = layers.UpSampling2D(2, interpolation="bilinear")(h)
    h = layers.SeparableConv2D(8, 3, strides=2, padding="same")(h)
    h = layers.GlobalAveragePooling2D()(h)
    m = layers.Dense(16, activation="sigmoid")(meta)
    joined = layers.Concatenate()([h, m])
    cls = layers.Dense(5, activation="softmax", name="cls")(joined)
    reg = layers.Dense(2, name="reg")(joined)
    m = keras.Model([image, meta], [cls, reg])
    randomize(m)
    m.save(str(out), save_format="tf")


def encoder_block(layers, x, heads, key_dim, ff):
    """Post-norm transformer block: MultiHeadAttention (einsums), LayerNorm, GELU FFN."""
    att = layers.MultiHeadAttention(num_heads=heads, key_dim=key_dim)(x, x)
    x = layers.LayerNormalization(epsilon=1e-5)(x + att)
    h = layers.Dense(ff, activation="gelu")(x)
    h = layers.Dense(x.shape[-1])(h)
    return layers.LayerNormalization(epsilon=1e-5)(x + h)


@keras_variants("transformer")
def transformer(keras, layers):
    x = keras.Input((16, 32), name="tokens")
    h = encoder_block(layers, encoder_block(layers, x, 4, 8, 64), 2, 16, 48)
    return keras.Model(x, layers.Dense(5)(h))


@model("tf_module_einsums")
def tf_module_einsums(out):
    """Einsum equations beyond attention: ellipsis, sums, outer and batch products."""
    seed_everything()

    class Module(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.random.normal([5, 3, 4], seed=3))

        @tf.function(input_signature=[tf.TensorSpec([2, 6, 5], tf.float32, name="a"),
                                      tf.TensorSpec([2, 5, 7], tf.float32, name="b")])
        def __call__(self, a, b):
            return {
                "bmm": tf.einsum("bij,bjk->bik", a, b),
                "bmm_t": tf.einsum("bij,bjk->bki", a, b),
                "dense3": tf.einsum("...i,ijk->...jk", a, self.w),
                "row_sums": tf.einsum("bij->bi", a),
                "transpose": tf.einsum("bij->jbi", a),
                "outer": tf.einsum("i,j->ij", a[0, 0], b[0, 0]),
                "contract_two": tf.einsum("bij,bij->b", a, a),
            }

    m = Module()
    tf.saved_model.save(m, str(out), signatures={"serving_default": m.__call__})


@model("tf_module_l2_normalize")
def tf_module_l2_normalize(out):
    """tf.math.l2_normalize over the last axis (fuses to L2_NORMALIZATION) and over
    another axis (stays elementwise), on a face-embedding-like head."""
    seed_everything()

    class Module(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.random.normal([12, 16], seed=5))

        @tf.function(input_signature=[tf.TensorSpec([3, 12], tf.float32, name="x"),
                                      tf.TensorSpec([2, 4, 5, 6], tf.float32, name="m")])
        def __call__(self, x, m):
            return {"embedding": tf.math.l2_normalize(tf.matmul(x, self.w), axis=-1),
                    "maps": tf.math.l2_normalize(m, axis=-1),
                    "columns": tf.math.l2_normalize(m, axis=1)}

    m = Module()
    tf.saved_model.save(m, str(out), signatures={"serving_default": m.__call__})


@model("tf_module_depth_space")
def tf_module_depth_space(out):
    """Sub-pixel upsampling (conv -> tf.nn.depth_to_space) and its inverse."""
    seed_everything()

    class Module(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.random.normal([3, 3, 3, 12], seed=6) * 0.3)

        @tf.function(input_signature=[tf.TensorSpec([1, 6, 8, 3], tf.float32, name="x")])
        def __call__(self, x):
            y = tf.nn.conv2d(x, self.w, strides=1, padding="SAME")
            return {"up": tf.nn.depth_to_space(y, 2), "down": tf.nn.space_to_depth(x, 2)}

    m = Module()
    tf.saved_model.save(m, str(out), signatures={"serving_default": m.__call__})


@model("tf_module_two_signatures")
def tf_module(out):
    seed_everything()

    class Module(tf.Module):
        def __init__(self):
            super().__init__()
            self.w = tf.Variable(tf.random.normal([6, 4], seed=1))
            self.b = tf.Variable(tf.random.normal([4], seed=2))

        @tf.function(input_signature=[tf.TensorSpec([None, 6], tf.float32, name="x")])
        def predict(self, x):
            y = tf.nn.relu(tf.matmul(x, self.w) + self.b)
            return {"y": y, "total": tf.reduce_sum(y, axis=1, keepdims=True)}

        @tf.function(input_signature=[tf.TensorSpec([None, 6], tf.float32, name="x"),
                                      tf.TensorSpec([], tf.float32, name="scale")])
        def scaled(self, x, scale):
            z = tf.matmul(x * scale, self.w, transpose_b=False)
            z = tf.reshape(z, [-1, 2, 2])
            return {"z": tf.transpose(tf.math.rsqrt(tf.square(z) + 1.0), [0, 2, 1])}

    m = Module()
    tf.saved_model.save(m, str(out), signatures={"serving_default": m.predict,
                                                 "scaled": m.scaled})


@model("tf1_frozen_graphdef")
def tf1_frozen(out):
    from tensorflow.python.framework import convert_to_constants  # noqa: F401
    g = tf.Graph()
    with g.as_default():
        tf.compat.v1.set_random_seed(0)
        x = tf.compat.v1.placeholder(tf.float32, [None, 16, 16, 3], name="input")
        w = tf.compat.v1.get_variable("w", [3, 3, 3, 8])
        b = tf.compat.v1.get_variable("b", [8])
        h = tf.nn.relu(tf.nn.bias_add(tf.nn.conv2d(x, w, 1, "SAME"), b))
        h = tf.nn.max_pool2d(h, 2, 2, "VALID")
        h = tf.reduce_mean(h, axis=[1, 2])
        wd = tf.compat.v1.get_variable("wd", [8, 4])
        tf.nn.softmax(tf.matmul(h, wd), name="probs")
        with tf.compat.v1.Session(graph=g) as sess:
            sess.run(tf.compat.v1.global_variables_initializer())
            frozen = tf.compat.v1.graph_util.convert_variables_to_constants(
                sess, g.as_graph_def(), ["probs"])
    Path(str(out) + ".pb").write_bytes(frozen.SerializeToString())
    return {"file": out.name + ".pb", "graphdef_inputs": {"input": [1, 16, 16, 3]},
            "graphdef_outputs": ["probs"]}


# Keras LSTM / GRU text classifiers (tf_rnn_models.py).
sys.path.insert(0, str(Path(__file__).resolve().parent))
import tf_rnn_models  # noqa: E402

for _name, _build in tf_rnn_models.MODELS.items():
    model(_name)(_build)


# ---- references

def signature_io(sig):
    _, kwargs = sig.structured_input_signature
    ins = [(k, [d if d is not None else 1 for d in s.shape.as_list()], s.dtype.name)
           for k, s in sorted(kwargs.items())]
    outs = sorted(sig.structured_outputs.items())
    return ins, [(k, s.dtype.name) for k, s in outs]


def random_feeds(ins, seed):
    rng = np.random.default_rng(seed)
    # Integer inputs are token ids: valid indices for any embedding of >= 100 rows.
    return {k: (rng.integers(0, 100, shape) if np.issubdtype(np.dtype(dtype), np.integer)
                else rng.standard_normal(shape)).astype(dtype) for k, shape, dtype in ins}


def references_savedmodel(path, image):
    loaded = tf.saved_model.load(str(path))
    meta = {"signatures": {}}
    arrays = {}
    for sig_name in sorted(loaded.signatures.keys()):
        sig = loaded.signatures[sig_name]
        ins, outs = signature_io(sig)
        feed_sets = [random_feeds(ins, seed) for seed in SEEDS]
        if image and len(ins) == 1:
            feed_sets += [{ins[0][0]: p} for p in photos(image)]
        for i, feeds in enumerate(feed_sets):
            result = sig(**{k: tf.constant(v) for k, v in feeds.items()})
            for k, v in feeds.items():
                arrays[f"{sig_name}/{i}/in/{k}"] = v
            for k, v in result.items():
                arrays[f"{sig_name}/{i}/out/{k}"] = v.numpy()
        meta["signatures"][sig_name] = {"inputs": ins, "outputs": [k for k, _ in outs],
                                        "feed_sets": len(feed_sets)}
    return meta, arrays


def references_graphdef(pb, inputs, outputs):
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(Path(pb).read_bytes())
    g = tf.Graph()
    with g.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    ins = [(k, shape, "float32") for k, shape in inputs.items()]
    arrays = {}
    with tf.compat.v1.Session(graph=g) as sess:
        for i, seed in enumerate(SEEDS):
            feeds = random_feeds(ins, seed)
            got = sess.run([f"{o}:0" for o in outputs], {f"{k}:0": v for k, v in feeds.items()})
            for k, v in feeds.items():
                arrays[f"serving_default/{i}/in/{k}"] = v
            for k, v in zip(outputs, got):
                arrays[f"serving_default/{i}/out/{k}"] = v
    return {"signatures": {"serving_default": {"inputs": ins, "outputs": list(outputs),
                                               "feed_sets": len(SEEDS)}}}, arrays


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    wanted = sys.argv[2:] or sorted(MODELS)
    index_file = out_dir / "index.json"
    index = json.loads(index_file.read_text()) if index_file.exists() else {}
    for name in wanted:
        build, image = MODELS[name]
        start = time.monotonic()
        path = out_dir / name
        extra = build(path) or {}
        if "graphdef_inputs" in extra:
            meta, arrays = references_graphdef(out_dir / extra["file"], extra["graphdef_inputs"],
                                               extra["graphdef_outputs"])
        else:
            meta, arrays = references_savedmodel(path, image)
        np.savez(out_dir / f"{name}.npz", **arrays)
        meta.update({"file": extra.get("file", name), "image": bool(image),
                     "seconds": round(time.monotonic() - start, 1)})
        meta.update({k: v for k, v in extra.items() if k != "file"})
        index[name] = meta
        print(f"{name}: {meta['seconds']} s", file=sys.stderr)
    index_file.write_text(json.dumps(index, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
