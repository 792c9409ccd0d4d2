"""Third-party ONNX models from ../shared/models (written by other people's exporters).

Each either converts and matches onnxruntime, or is refused with exit 3 and a
message that lists every node of each unsupported op. Models that use only
ops of harness.SUPPORTED_OPS must convert.
"""
import json

import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import checks
import harness
import summary

SUITE = "real"
ONNX_DIR = harness.SHARED_MODELS / "onnx"

# Inputs that random normal data does not suit, and sizes for symbolic dimensions.
INPUT_SPECS = {
    "tiny_gpt_nextnode": {"input_ids": {"kind": "tokens", "low": 0, "high": 11}},
    "silero_vad_16k_op15": {"sr": {"kind": "value", "value": 16000}},
}
DIMS = {"silero_vad_16k_op15": {"sequence": 512}}


def _manifest():
    path = harness.SHARED_MODELS / "manifest.json"
    if not path.exists():
        return {}
    return {e["name"]: e for e in json.loads(path.read_text()) if e.get("kind") == "onnx"}


def _params():
    if not ONNX_DIR.is_dir():
        return [pytest.param(None, id="shared-models-absent",
                             marks=pytest.mark.skip(reason=f"{ONNX_DIR} does not exist: the real "
                                                    "third-party models are not on this machine"))]
    return [pytest.param(d.name, id=d.name) for d in sorted(ONNX_DIR.iterdir()) if d.is_dir()]


def _model_path(name):
    files = sorted((ONNX_DIR / name).glob("*.onnx"))
    assert len(files) == 1, f"expected one .onnx in {ONNX_DIR / name}, found {files}"
    return files[0]


def _fully_supported(path):
    return set(checks.model_info(path)[3]) <= harness.SUPPORTED_OPS


@pytest.mark.parametrize("name", _params())
def test_real_model_converts_and_matches_or_is_refused_cleanly(name, conversions):
    path = _model_path(name)
    result = conversions.get(SUITE, name, path)
    if result.returncode == harness.EXIT_UNSUPPORTED and not _fully_supported(path):
        listed = checks.check_refusal(result, path)
        _check_lists_every_unsupported_node(path, listed, result.stderr, result.seconds)
        return
    checks.convert_and_compare(conversions, SUITE, name, path, INPUT_SPECS.get(name),
                               dims=DIMS.get(name))


def _check_lists_every_unsupported_node(path, listed, stderr, seconds):
    _, _, nodes, _ = checks.model_info(path)
    graph = onnx.load(str(path), load_external_data=False).graph
    listed_types = {op for _, op in listed}
    wrongly_refused = listed_types & harness.SUPPORTED_OPS
    summary.record(SUITE, path.parent.name, status="refused", onnx_nodes=nodes, convert_s=seconds,
                   note="; ".join(sorted(listed_types)))
    assert not wrongly_refused, f"refused ops that must be supported: {sorted(wrongly_refused)}"
    listed_names = {n for n, _ in listed}
    for op in sorted(listed_types):
        of_type = [n for n in graph.node if n.op_type == op]
        named = [n.name for n in of_type if n.name]
        missing = [n for n in named if n not in listed_names]
        assert not missing, f"{op} nodes not listed in the refusal: {missing[:10]}\n{stderr}"
        count = sum(1 for _, o in listed if o == op)
        assert count >= len(of_type), f"{len(of_type)} {op} nodes, {count} listed\n{stderr}"


@pytest.mark.parametrize("name", [p for p in _params() if p.values[0] is not None
                                  and _fully_supported(_model_path(p.values[0]))])
def test_real_model_op_count_not_above_onnx(name, conversions):
    checks.check_op_count(conversions, SUITE, name, _model_path(name))


@pytest.mark.parametrize("name", _params())
def test_real_model_conversion_is_deterministic(name, conversions, tmp_path):
    path = _model_path(name)
    if conversions.get(SUITE, name, path).returncode == harness.EXIT_UNSUPPORTED:
        pytest.skip("refused")
    checks.check_deterministic(conversions, SUITE, name, path, tmp_path)


def test_real_models_match_manifest():
    """The manifest and the files agree (guards against a stale shared/ copy)."""
    if not ONNX_DIR.is_dir():
        pytest.skip(f"{ONNX_DIR} does not exist")
    manifest = _manifest()
    for d in sorted(ONNX_DIR.iterdir()):
        entry = manifest.get(d.name)
        assert entry, f"{d.name} missing from manifest.json"
        for rel, digest in entry.get("file_sha256", {}).items():
            assert harness.sha256(d / rel) == digest, f"{d.name}/{rel} differs from the manifest"


def test_convtranspose2d_matches_its_own_test_data(conversions):
    """onnx_pt03_convtranspose2d ships ONNX's expected output: the .tflite must match it."""
    case = ONNX_DIR / "onnx_pt03_convtranspose2d"
    if not case.is_dir():
        pytest.skip(f"{case} does not exist")
    path = _model_path(case.name)
    result = conversions.get(SUITE, case.name, path)
    assert result.returncode == 0, result.describe()
    ins, outs, _, _ = checks.model_info(path)
    data = case / "test_data_set_0"
    feeds = {ins[0][0]: _load_pb(data / "input_0.pb")}
    expected = {outs[0][0]: _load_pb(data / "output_0.pb")}
    _, problems, _ = harness.check_against_reference(result.output, ins, outs, [feeds], [expected],
                                                     result.report)
    assert not problems, "\n".join(problems)


def _load_pb(path):
    tensor = onnx.TensorProto()
    tensor.ParseFromString(path.read_bytes())
    return np.asarray(numpy_helper.to_array(tensor))
