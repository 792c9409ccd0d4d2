"""Broken TensorFlow inputs: damaged copies of a generated Keras 2 SavedModel (k2_multi_io,
from tests/models/gen_tf_models.py; copies in tmp dirs) must fail with the documented exit
code, a message naming what is wrong, no output file, and the input left as it was. The
model is generated, not taken from ../shared/models, so these run on every machine."""
import math
import shutil

import pytest

import harness
from generated import ensure_generated

_INDEX = ensure_generated("tf")
SOURCE = harness.GENERATED / "tf" / "k2_multi_io"
SHARD = "variables/variables.data-00000-of-00001"
INDEX = "variables/variables.index"

pytestmark = pytest.mark.skipif(_INDEX is None or not SOURCE.is_dir(),
                                reason="the TF test models could not be generated "
                                       "(test_tf_models.py reports why)")


def _kernel_key(model):
    """A Dense/Conv kernel's checkpoint key and value (the largest kernel variable)."""
    import tensorflow as tf
    reader = tf.train.load_checkpoint(str(model / "variables" / "variables"))
    shapes = reader.get_variable_to_shape_map()
    key = max((k for k in shapes if k.endswith("kernel/.ATTRIBUTES/VARIABLE_VALUE")),
              key=lambda k: (math.prod(shapes[k]), k))
    return key, reader.get_tensor(key)


def _copy(tmp_path):
    model = tmp_path / "model_copy"
    shutil.copytree(SOURCE, model)
    for path in model.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return model


def _digests(model):
    return {p.relative_to(model): harness.sha256(p) for p in sorted(model.rglob("*")) if p.is_file()}


def _flip(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def run_bad(tmp_path, model, expected_code, must_mention=(), extra_args=()):
    """Converts `model` expecting failure; checks code, message, output dir, input."""
    out_dir = tmp_path / "out"
    out_dir.mkdir(exist_ok=True)
    before = _digests(model) if model.exists() else None
    proc = harness.run_optconv(["convert", model, "-o", out_dir / "model.tflite", *extra_args],
                               timeout=120)
    assert proc.returncode == expected_code, (
        f"exit {proc.returncode}, expected {expected_code}\nstderr:\n{proc.stderr}")
    assert model.name in proc.stderr, f"stderr does not name {model.name}:\n{proc.stderr}"
    for text in must_mention:
        assert text in proc.stderr, f"stderr does not mention {text!r}:\n{proc.stderr}"
    assert list(out_dir.iterdir()) == [], f"output written: {list(out_dir.iterdir())}"
    if before is not None:
        assert _digests(model) == before, "input was modified"
    assert "Traceback" not in proc.stderr and "terminate called" not in proc.stderr
    return proc


def test_the_undamaged_copy_converts(tmp_path):
    """The damage below is what fails, not the model."""
    model = _copy(tmp_path)
    proc = harness.run_optconv(["convert", model, "-o", tmp_path / "ok.tflite"], timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "ok.tflite").stat().st_size > 0


def test_directory_without_saved_model_pb(tmp_path):
    model = _copy(tmp_path)
    (model / "saved_model.pb").unlink()
    run_bad(tmp_path, model, harness.EXIT_INVALID, ["saved_model.pb"])


def test_truncated_saved_model_pb(tmp_path):
    model = _copy(tmp_path)
    pb = model / "saved_model.pb"
    pb.write_bytes(pb.read_bytes()[: pb.stat().st_size // 3])
    run_bad(tmp_path, model, harness.EXIT_INVALID, ["saved_model.pb"])


@pytest.mark.parametrize("offset", [0, 17, 40])
def test_corrupt_index_block(tmp_path, offset):
    model = _copy(tmp_path)
    _flip(model / INDEX, offset)
    run_bad(tmp_path, model, harness.EXIT_INVALID, ["variables.index", "crc32c mismatch"])


def test_corrupt_index_footer(tmp_path):
    model = _copy(tmp_path)
    index = model / INDEX
    _flip(index, index.stat().st_size - 1)  # the magic number
    run_bad(tmp_path, model, harness.EXIT_INVALID, ["variables.index", "magic"])


def test_flipped_bytes_in_a_weight_are_a_crc_mismatch(tmp_path):
    import numpy as np

    model = _copy(tmp_path)
    key, kernel = _kernel_key(model)
    shard = model / SHARD
    offset = shard.read_bytes().find(np.ascontiguousarray(kernel).tobytes())
    assert offset >= 0, "kernel bytes not found in the shard"
    _flip(shard, offset)
    run_bad(tmp_path, model, harness.EXIT_INVALID, ["crc32c mismatch", key, SHARD.split("/")[1]])


def test_missing_shard(tmp_path):
    model = _copy(tmp_path)
    (model / SHARD).unlink()
    run_bad(tmp_path, model, harness.EXIT_INVALID, [SHARD.split("/")[1], "not found"])


def test_missing_variables_directory(tmp_path):
    model = _copy(tmp_path)
    shutil.rmtree(model / "variables")
    run_bad(tmp_path, model, harness.EXIT_INVALID, ["variables.index", "not found"])


def test_unknown_tag(tmp_path):
    model = _copy(tmp_path)
    run_bad(tmp_path, model, harness.EXIT_INVALID, ["[gpu,serve]", "available tag sets: [serve]"],
            ["--tags", "serve,gpu"])


def test_unknown_signature(tmp_path):
    model = _copy(tmp_path)
    run_bad(tmp_path, model, harness.EXIT_INVALID,
            ["no signature 'predict_nothing'", "available signatures: serving_default"],
            ["--signature", "predict_nothing"])
