"""Input samples for accuracy checks and int8 calibration.

Photographs: scikit-image's wheel bundles a handful of real photographs in
skimage/data (no network here, so nothing else can be fetched). PHOTOS lists
the files that are photographs (not synthetic test patterns); grey ones are
replicated to three channels. Sample i uses photo i % len(PHOTOS): the first
len(PHOTOS) samples are the whole photos (centre square crop); later ones are
deterministic random crops (50-100% of the short side) and horizontal flips.
The evaluation set and the calibration set use different seeds, so they share
source photos but not crops; docs/benchmarks.md says so.
"""
import numpy as np
from PIL import Image

PHOTOS = [
    # colour photographs
    "astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png",
    "motorcycle_right.png", "hubble_deep_field.jpg", "retina.jpg", "ihc.png",
    # grey photographs
    "camera.png", "moon.png", "coins.png", "page.png", "grass.png", "gravel.png", "brick.png",
    "clock_motion.png", "cell.png", "microaneurysms.png", "text.png",
]

IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)

EVAL_SEED = 2024
CALIB_SEED = 777

_cache = {}


def load_photos():
    """All bundled photographs as HxWx3 uint8 arrays, in PHOTOS order."""
    if "photos" not in _cache:
        import os
        import skimage
        data_dir = os.path.join(os.path.dirname(skimage.__file__), "data")
        _cache["photos"] = [np.asarray(Image.open(os.path.join(data_dir, name)).convert("RGB"))
                            for name in PHOTOS]
    return _cache["photos"]


def photo_crops(count, height, width, seed):
    """`count` RGB images (HxWx3 float32 in [0, 1]) made from the photographs."""
    photos = load_photos()
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        img = photos[i % len(photos)]
        h, w = img.shape[:2]
        side = min(h, w)
        if i < len(photos) and seed == EVAL_SEED:
            crop, top, left, flip = side, (h - side) // 2, (w - side) // 2, False
        else:
            crop = int(side * rng.uniform(0.5, 1.0))
            top = int(rng.integers(0, h - crop + 1))
            left = int(rng.integers(0, w - crop + 1))
            flip = bool(rng.integers(0, 2))
        patch = img[top:top + crop, left:left + crop]
        if flip:
            patch = patch[:, ::-1]
        resized = Image.fromarray(np.ascontiguousarray(patch)).resize((width, height),
                                                                      Image.BILINEAR)
        out.append(np.asarray(resized, np.float32) / 255.0)
    return out


def preprocess(img01, style):
    """One HxWx3 [0,1] image to the model's input convention (batch of 1).

    torch: ImageNet mean/std, NCHW.  keras_tf: [-1, 1], NHWC (MobileNetV2).
    keras_caffe: BGR minus ImageNet means in 0..255, NHWC (ResNet50).
    keras_raw: 0..255, NHWC (EfficientNet rescales inside the model).
    """
    if style == "torch":
        x = (img01 - IMAGENET_MEAN) / IMAGENET_STD
        return x.transpose(2, 0, 1)[None].astype(np.float32)
    if style == "keras_tf":
        return (img01 * 2.0 - 1.0)[None].astype(np.float32)
    if style == "keras_caffe":
        bgr = img01[..., ::-1] * 255.0
        return (bgr - np.array([103.939, 116.779, 123.68], np.float32))[None].astype(np.float32)
    if style == "keras_raw":
        return (img01 * 255.0)[None].astype(np.float32)
    raise ValueError(f"unknown preprocessing style {style}")


def make_samples(spec, count, seed):
    """`count` single-sample inputs for one model input, as described by `spec`.

    spec: {"kind": "image", "shape": [...], "style": ...} |
          {"kind": "normal", "shape": [...]} |
          {"kind": "tokens", "shape": [...], "high": V, "dtype": "int64"}
    """
    shape = list(spec["shape"])
    kind = spec["kind"]
    if kind == "image":
        nchw = spec["style"] == "torch"
        h, w = (shape[2], shape[3]) if nchw else (shape[1], shape[2])
        return [preprocess(img, spec["style"]) for img in photo_crops(count, h, w, seed)]
    rng = np.random.default_rng(seed)
    if kind == "normal":
        return [rng.standard_normal(shape).astype(np.float32) for _ in range(count)]
    if kind == "tokens":
        dtype = np.dtype(spec.get("dtype", "int64"))
        return [rng.integers(0, spec["high"], shape).astype(dtype) for _ in range(count)]
    raise ValueError(f"unknown input kind {kind}")


def distinct_photo_count():
    return len(load_photos())
