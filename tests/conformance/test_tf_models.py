"""TensorFlow models: the generated SavedModels / frozen GraphDef (tests/models/
gen_tf_models.py, references computed by TensorFlow at generation time) and the
third-party ones in ../shared/models. Each converts with the CLI and matches
TensorFlow in LiteRT, or (third-party only) is refused with exit 3 listing the
unsupported nodes.
"""
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import checks
import harness
import summary
from generated import ensure_generated, generated_index, model_params

TF = "tf"
SHARED_SUITE = "real-tf"


def _convert(model_path, out, args=()):
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    proc = harness.run_optconv(["convert", model_path, "-o", out, "--json", *args])
    report = json.loads(proc.stdout) if proc.stdout.strip().startswith("{") else None
    return harness.ConvertResult(Path(model_path), out, proc.returncode, proc.stdout,
                                 proc.stderr, 0.0, report)


def _check(result, ins, out_names, feed_sets, references, suite, name):
    assert result.returncode == 0, result.describe()
    outs = [(k, None, None) for k in out_names]
    ins = [(k, shape, np.dtype(dtype)) for k, shape, dtype in ins]
    metrics, problems, info = harness.check_against_reference(
        result.output, ins, outs, feed_sets, references, result.report)
    histogram = Counter(op for op in info.ops if op != "DELEGATE")  # XNNPACK's node
    summary.record(suite, name, status="match" if not problems else "MISMATCH",
                   ops=sum(histogram.values()), transposes=histogram["TRANSPOSE"],
                   sqnr_db=min(m.sqnr_db for m in metrics),
                   rel_diff=max(m.rel_diff for m in metrics),
                   note=", ".join(f"{k} {v}" for k, v in histogram.most_common()))
    assert not problems, (f"{len(problems)} of {len(metrics)} outputs differ:\n"
                          + "\n".join(problems[:10]))
    return info


# ---- generated models --------------------------------------------------------------------------

def _signature_params():
    index = ensure_generated(TF)
    if index is None:
        return model_params(TF)
    return [pytest.param(name, sig, id=f"{name}-{sig}")
            for name in sorted(index) for sig in sorted(index[name]["signatures"])]


@pytest.mark.parametrize("name,signature", _signature_params())
def test_tf_generated_model_converts_and_matches(name, signature, tmp_path):
    index = generated_index(TF)
    meta = index[name]
    root = harness.GENERATED / TF
    args = []
    if "graphdef_inputs" in meta:
        for key, shape in meta["graphdef_inputs"].items():
            args += ["--inputs", f"{key}:{','.join(map(str, shape))}"]
        for key in meta["graphdef_outputs"]:
            args += ["--outputs", key]
    elif signature != "serving_default":
        args += ["--signature", signature]
    out = harness.GENERATED / "tflite" / TF / f"{name}-{signature}.tflite"
    result = _convert(root / meta["file"], out, args)
    sig = meta["signatures"][signature]
    arrays = np.load(root / f"{name}.npz")
    feed_sets, references = [], []
    for i in range(sig["feed_sets"]):
        feed_sets.append({k: arrays[f"{signature}/{i}/in/{k}"] for k, _, _ in sig["inputs"]})
        references.append({k: arrays[f"{signature}/{i}/out/{k}"] for k in sig["outputs"]})
    if meta["image"]:
        assert sig["feed_sets"] > len(checks.SEEDS), "no photograph among the feeds"
    _check(result, sig["inputs"], sig["outputs"], feed_sets, references, TF,
           f"{name}-{signature}")


def test_tf_generated_keras_apps_have_no_transposes():
    """TF is NHWC already: a CNN needs no TRANSPOSE at all."""
    index = generated_index(TF)
    for name in sorted(n for n in index if n.startswith(("k2_", "k3_")) and index[n]["image"]):
        out = harness.GENERATED / "tflite" / TF / f"{name}-serving_default.tflite"
        if not out.exists():
            continue  # the conversion test reports it
        ops = _ops_of(out)
        assert "TRANSPOSE" not in ops, f"{name}: {Counter(ops)}"


def _ops_of(path):
    from ai_edge_litert.interpreter import Interpreter
    return [op["op_name"] for op in Interpreter(model_path=str(path))._get_ops_details()]


# ---- third-party models ------------------------------------------------------------------------

# Shapes for inputs whose rank the model leaves unknown, and values random data does not suit.
INPUT_SHAPES = {
    "tf2onnx_regression": {"X": [1, 4]},
    "tf2onnx_regression_frozen": {"X": [1, 4]},
    "tf2onnx_lstm_frozen": {"keep_prob": []},
}
INPUT_VALUES = {"tf2onnx_lstm_frozen": {"keep_prob": 1.0}}


def _shared_entries():
    path = harness.SHARED_MODELS / "manifest.json"
    if not path.exists():
        return [pytest.param(None, id="shared-models-absent",
                             marks=pytest.mark.skip(reason=f"{harness.SHARED_MODELS} does not "
                                                    "exist: no third-party TF models here"))]
    entries = [e for e in json.loads(path.read_text()) if e["kind"] in ("savedmodel", "graphdef")]
    return [pytest.param(e, id=e["name"]) for e in entries]


def _shared_inputs(entry):
    """[(key, concrete shape, dtype)] of the default signature / GraphDef inputs, or None for
    string inputs."""
    raw = (entry["inputs"]["serving_default"].items() if entry["kind"] == "savedmodel"
           else [(i["name"], i) for i in entry["inputs"]])
    ins = []
    for key, spec in raw:
        shape = INPUT_SHAPES.get(entry["name"], {}).get(key, spec["shape"])
        if spec["dtype"] == "string" or shape == "unknown_rank":
            return None
        ins.append((key, [1 if d is None or d < 0 else d for d in shape], spec["dtype"]))
    return ins


def _tf_reference(entry, model_path, feed_sets):
    import tensorflow as tf
    if entry["kind"] == "savedmodel":
        fn = tf.saved_model.load(str(model_path)).signatures["serving_default"]
        return [{k: v.numpy() for k, v in fn(**{n: tf.constant(a) for n, a in f.items()}).items()}
                for f in feed_sets]
    graph_def = tf.compat.v1.GraphDef()
    graph_def.ParseFromString(Path(model_path).read_bytes())
    outputs = [o["name"] for o in entry["outputs"]]
    g = tf.Graph()
    with g.as_default():
        tf.compat.v1.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=g) as sess:
        return [dict(zip(outputs, sess.run([f"{o}:0" for o in outputs],
                                           {f"{k}:0": v for k, v in f.items()})))
                for f in feed_sets]


@pytest.mark.parametrize("entry", _shared_entries())
def test_shared_tf_model_converts_and_matches_or_is_refused(entry, tmp_path):
    name = entry["name"]
    model_dir = harness.SHARED_MODELS / entry["kind"] / name
    model_path = model_dir if entry["kind"] == "savedmodel" else next(model_dir.glob("*.pb"))
    args = []
    for key, shape in INPUT_SHAPES.get(name, {}).items():
        args += ["--inputs", f"{key}:[{','.join(map(str, shape))}]"]
    if entry["kind"] == "graphdef":
        for spec in entry["inputs"]:
            if spec["name"] not in INPUT_SHAPES.get(name, {}):
                args += ["--inputs", spec["name"]]
        for spec in entry["outputs"]:
            args += ["--outputs", spec["name"]]
    result = _convert(model_path, harness.GENERATED / "tflite" / SHARED_SUITE / f"{name}.tflite",
                      args)
    if result.returncode == harness.EXIT_UNSUPPORTED:
        listed = checks.check_refusal(result, model_path)
        summary.record(SHARED_SUITE, name, status="refused",
                       note="; ".join(sorted({op for _, op in listed})))
        return
    assert result.returncode == 0, result.describe()
    ins = _shared_inputs(entry)
    assert ins is not None, "converted a model whose inputs we cannot feed"
    feed_sets = []
    for seed in checks.SEEDS:
        rng = np.random.default_rng(seed)
        feeds = {k: rng.standard_normal(s).astype(d) for k, s, d in ins}
        for k, v in INPUT_VALUES.get(name, {}).items():
            feeds[k] = np.full(feeds[k].shape, v, feeds[k].dtype)
        feed_sets.append(feeds)
    references = _tf_reference(entry, model_path, feed_sets)
    _check(result, ins, list(references[0]), feed_sets, references, SHARED_SUITE, name)
