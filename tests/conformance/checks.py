"""The checks every model goes through: convert, compare with onnxruntime, structure."""
import functools
import importlib.util
import json
from pathlib import Path

import numpy as np

import harness
import summary

SEEDS = (0, 1, 2)
PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png")
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


@functools.lru_cache(maxsize=None)
def model_info(path):
    """(inputs, outputs, node count, op type list) of an ONNX model's main graph."""
    import onnx
    model = onnx.load(str(path), load_external_data=False)
    ins, outs = harness.onnx_io(model)
    return ins, outs, len(model.graph.node), [n.op_type for n in model.graph.node]


def photo_dir():
    """scikit-image's bundled sample photographs (the wheel ships them; never imported)."""
    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(list(spec.submodule_search_locations)[0]) / "data"
    return path if (path / PHOTOS[0]).exists() else None


def photo_feeds(input_name, size=224):
    """Real photographs, resized and normalised as for ImageNet, NCHW float32."""
    from PIL import Image
    directory = photo_dir()
    if directory is None:
        raise AssertionError("scikit-image's sample photographs are missing "
                             "(scripts/test-venv.sh installs tests/requirements-nodeps.txt)")
    feeds = []
    for name in PHOTOS:
        image = Image.open(directory / name).convert("RGB")
        scale = 256 / min(image.size)
        image = image.resize((round(image.width * scale), round(image.height * scale)),
                             Image.BILINEAR)
        left, top = (image.width - size) // 2, (image.height - size) // 2
        image = image.crop((left, top, left + size, top + size))
        x = (np.asarray(image, np.float32) / 255 - IMAGENET_MEAN) / IMAGENET_STD
        feeds.append({input_name: np.ascontiguousarray(x.transpose(2, 0, 1)[None])})
    return feeds


def check_refusal(result, model_path):
    """A clean refusal: exit 3, the file named, at least one node listed, no output file."""
    stderr = result.stderr
    assert result.returncode == harness.EXIT_UNSUPPORTED, result.describe()
    assert str(model_path) in stderr or Path(model_path).name in stderr, (
        f"stderr does not name the model file:\n{stderr}")
    assert not result.output.exists(), f"{result.output} left behind after a refusal"
    listed = harness.listed_nodes(stderr)
    assert listed, f"no `node '<name>' (<op>)` in the refusal:\n{stderr}"
    return listed


def convert_and_compare(conversions, suite, name, model_path, input_specs=None, seeds=SEEDS,
                        extra_feeds=(), dims=None, refuse_ok=False):
    """Converts (exit 0 required; exit 3 accepted when `refuse_ok`), runs both runtimes on
    random feeds (plus `extra_feeds`) and asserts every output matches.
    Returns the TfliteInfo, or None for an accepted refusal."""
    model_path = Path(model_path)
    ins, outs, nodes, _ = model_info(model_path)
    result = conversions.get(suite, name, model_path)
    row = {"convert_s": result.seconds, "onnx_nodes": nodes}
    if result.returncode == harness.EXIT_UNSUPPORTED and refuse_ok:
        listed = check_refusal(result, model_path)
        summary.record(suite, name, status="refused", **row,
                       note="; ".join(sorted({op for _, op in listed})))
        return None
    if result.returncode != 0:
        summary.record(suite, name, status=f"exit {result.returncode}", **row,
                       note=_first_line(result.stderr))
        raise AssertionError(result.describe())
    assert result.output.exists(), f"exit 0 but no {result.output}"
    feed_sets = [harness.make_feeds(ins, input_specs or {}, seed, dims) for seed in seeds]
    feed_sets += list(extra_feeds)
    references = [harness.run_onnxruntime(model_path, feeds) for feeds in feed_sets]
    try:
        metrics, problems, info = harness.check_against_reference(
            result.output, ins, outs, feed_sets, references, result.report)
    except Exception as e:
        summary.record(suite, name, status="RUN FAILED", **row, note=_first_line(str(e)))
        raise
    ops = info.ops
    summary.record(suite, name, status="match" if not problems else "MISMATCH", ops=len(ops),
                   transposes=ops.count("TRANSPOSE"), **row,
                   sqnr_db=min(m.sqnr_db for m in metrics),
                   rel_diff=max(m.rel_diff for m in metrics), note=f"by {info.matched_by}" + (
                       f"; layout of {', '.join(info.ambiguous_layouts)} told by values"
                       if info.ambiguous_layouts else ""))
    assert not problems, (f"{len(problems)} of {len(metrics)} outputs differ:\n"
                          + "\n".join(problems[:10]))
    return info


def converted_info(conversions, suite, name, model_path):
    """TfliteInfo of an already converted model (for structural checks)."""
    result = conversions.get(suite, name, model_path)
    assert result.returncode == 0, "conversion failed:\n" + result.describe()
    ins, outs, _, _ = model_info(model_path)
    return harness.inspect_tflite(result.output, ins, outs)


def io_layout_metadata(tflite_path):
    """The optconv_io_layout metadata of a .tflite, parsed with LiteRT's own
    schema module; None when the file has none."""
    from ai_edge_litert import schema_py_generated as schema
    model = schema.Model.GetRootAsModel(Path(tflite_path).read_bytes(), 0)
    for i in range(model.MetadataLength()):
        entry = model.Metadata(i)
        if entry.Name() == b"optconv_io_layout":
            return json.loads(model.Buffers(entry.Buffer()).DataAsNumpy().tobytes())
    return None


def check_op_count(conversions, suite, name, model_path):
    info = converted_info(conversions, suite, name, model_path)
    _, _, nodes, _ = model_info(model_path)
    ops = info.ops
    assert len(ops) <= nodes, (f"{len(ops)} TFLite ops > {nodes} ONNX nodes: "
                               f"{_histogram(ops)}")


def check_deterministic(conversions, suite, name, model_path, tmp_path):
    first = conversions.get(suite, name, model_path)
    assert first.returncode == 0, "conversion failed:\n" + first.describe()
    again = harness.convert(model_path, tmp_path / "again.tflite")
    assert again.returncode == 0, again.describe()
    a, b = first.output.read_bytes(), again.output.read_bytes()
    first_diff = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    assert a == b, (f"two conversions differ: {len(a)} vs {len(b)} bytes, first difference at "
                    f"byte {first_diff}")


def _histogram(ops):
    counts = {}
    for op in ops:
        counts[op] = counts.get(op, 0) + 1
    return ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))


def _first_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0][:120] if lines else ""
