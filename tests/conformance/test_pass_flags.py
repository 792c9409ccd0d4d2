"""The pass-pipeline flags of `optconv convert` and `optconv passes`: pass statistics, the
layout report and its --max-transposes gate (exit 5, nothing written), the constant
folding size cap, --print-ir-after-change; plus LiteRT equivalence of models the
cleanups (CSE, whole-tensor slices, size-capped folding) rewrite."""
import json

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import checks
import harness

EXAMPLE = harness.REPO / "examples" / "tiny_cnn.onnx"
EXIT_LIMIT = 5


def _model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "flags", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def _save(model, path):
    path.write_bytes(model.SerializeToString())
    return path


def _vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def _attention_like(path):
    """A source Transpose between reshapes (as attention heads are split): it cannot be
    removed, because the reshape after it mixes the permuted dims."""
    shape = numpy_helper.from_array(np.array([3, 8], np.int64), "shape")
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="relu"),
             helper.make_node("Transpose", ["r"], ["t"], perm=[1, 0, 2], name="heads_transpose"),
             helper.make_node("Reshape", ["t", "shape"], ["y"], name="merge_heads")]
    return _save(_model(nodes, [_vi("x", [2, 3, 4])], [_vi("y", [3, 8])], [shape]), path)


def _convert(args, tmp_path, name="out.tflite"):
    out = tmp_path / name
    proc = harness.run_optconv(["convert", *args, "-o", out])
    return proc, out


def test_passes_prints_the_pipeline_with_options():
    proc = harness.run_optconv(["passes"])
    assert proc.returncode == 0, proc.stderr
    assert "at most 8 rounds" in proc.stdout, proc.stdout
    assert "max-bytes=1048576" in proc.stdout and "keep-io-layout=false" in proc.stdout
    assert "cse" in proc.stdout
    listing = json.loads(harness.run_optconv(["passes", "--json"]).stdout)
    fold = next(p for p in listing if p["name"] == "fold-constants")
    assert fold["options"] == {"max-bytes": "1048576"} and fold["max_rounds"] == 8
    assert {"name", "summary", "options", "group", "max_rounds"} <= set(listing[-1])


def test_pass_stats_and_json_report(tmp_path):
    proc, out = _convert([EXAMPLE, "--pass-stats", "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "pass statistics" in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    counters = report["pass_counters"]
    assert counters.get("layout-nhwc.transposes_removed", 0) > 0, counters
    # Each counter is printed as "<pass>  <counter>  <value>".
    for key, value in counters.items():
        pass_name, _, counter = key.partition(".")
        assert any(line.split() == [pass_name, counter, str(value)]
                   for line in proc.stderr.splitlines()), (key, proc.stderr)
    layout = report["layout"]
    assert layout["implied"] == report["transposes"]["imported"] > 0
    assert layout["inserted_by_importer"] + layout["from_source"] == layout["implied"]
    assert layout["removed"] == layout["implied"] and layout["remaining"] == []
    assert report["warnings"] == []


def test_layout_report_explains_what_is_left(tmp_path):
    model = _attention_like(tmp_path / "heads.onnx")
    proc, out = _convert([model, "--json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    layout = json.loads(proc.stdout)["layout"]
    assert layout["from_source"] == 1 and len(layout["remaining"]) == 1, layout
    left = layout["remaining"][0]
    assert left["node"] == "heads_transpose" and left["source_op"] == "Transpose"
    assert left["perm"] == [1, 0, 2]
    assert "merge_heads" in left["reason"] and "reshape" in left["reason"], left
    # The human summary carries the same reason.
    assert "heads_transpose" in proc.stderr and "1 left" in proc.stderr, proc.stderr


def test_max_transposes_gate_fails_without_writing(tmp_path):
    model = _attention_like(tmp_path / "heads.onnx")
    before = harness.dir_listing(tmp_path)
    proc, out = _convert([model, "--max-transposes", "0", "--json"], tmp_path)
    assert proc.returncode == EXIT_LIMIT, proc.stderr
    assert not out.exists() and harness.dir_listing(tmp_path) == before
    assert "--max-transposes 0" in proc.stderr and "heads.onnx" in proc.stderr, proc.stderr
    report = json.loads(proc.stdout)
    assert report["status"] == "error" and report["exit_code"] == EXIT_LIMIT
    assert report["layout"]["max_transposes"] == 0 and len(report["layout"]["remaining"]) == 1
    # At the limit the conversion passes and writes the file.
    proc, out = _convert([model, "--max-transposes", "1"], tmp_path)
    assert proc.returncode == 0 and out.exists(), proc.stderr


def test_max_transposes_zero_passes_for_a_cnn(tmp_path):
    proc, out = _convert([EXAMPLE, "--max-transposes", "0"], tmp_path)
    assert proc.returncode == 0 and out.exists(), proc.stderr


def test_max_transposes_rejects_negative(tmp_path):
    proc, out = _convert([EXAMPLE, "--max-transposes", "-1"], tmp_path)
    assert proc.returncode == harness.EXIT_USAGE and not out.exists(), proc.stderr


def _tiled_bias(path):
    """x + Tile(row): folding the TILE would store 1.2 MB instead of 1.2 kB."""
    row = numpy_helper.from_array(
        np.random.default_rng(0).standard_normal((1, 300)).astype(np.float32), "row")
    reps = numpy_helper.from_array(np.array([1000, 1], np.int64), "reps")
    nodes = [helper.make_node("Tile", ["row", "reps"], ["tiled"], name="tile"),
             helper.make_node("Add", ["x", "tiled"], ["y"], name="add")]
    return _save(_model(nodes, [_vi("x", [1000, 300])], [_vi("y", [1000, 300])], [row, reps]),
                 path)


def test_fold_max_bytes_caps_constant_folding(tmp_path):
    model = _tiled_bias(tmp_path / "tiled.onnx")
    proc, small = _convert([model, "--json"], tmp_path, "small.tflite")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["op_histogram"]["final"].get("Tile") == 1, report["op_histogram"]
    assert report["pass_counters"].get("fold-constants.skipped_too_large", 0) >= 1
    proc, big = _convert([model, "--json", "--fold-max-bytes", "8000000"], tmp_path, "big.tflite")
    assert proc.returncode == 0, proc.stderr
    assert "Tile" not in json.loads(proc.stdout)["op_histogram"]["final"]
    assert big.stat().st_size > 1_000_000 > small.stat().st_size


def test_fold_size_cap_keeps_results(conversions, tmp_path):
    """The capped TILE runs in LiteRT and matches onnxruntime."""
    checks.convert_and_compare(conversions, "pass_flags", "tiled_bias",
                               _tiled_bias(tmp_path / "tiled.onnx"))


def test_cse_and_whole_slices_keep_results(conversions, tmp_path):
    """Two identical branches (same weights, same ops) and a Slice of the whole tensor:
    after conversion one branch is left, no SLICE, and LiteRT matches onnxruntime."""
    w = np.random.default_rng(1).standard_normal((4, 4)).astype(np.float32)
    inits = [numpy_helper.from_array(w, "w1"), numpy_helper.from_array(w.copy(), "w2"),
             numpy_helper.from_array(np.array([0, 0], np.int64), "starts"),
             numpy_helper.from_array(np.array([3, 4], np.int64), "ends")]
    nodes = [helper.make_node("Slice", ["x", "starts", "ends"], ["xs"], name="whole_slice"),
             helper.make_node("MatMul", ["xs", "w1"], ["a"], name="branch_a"),
             helper.make_node("MatMul", ["xs", "w2"], ["b"], name="branch_b"),
             helper.make_node("Tanh", ["a"], ["ta"], name="tanh_a"),
             helper.make_node("Tanh", ["b"], ["tb"], name="tanh_b"),
             helper.make_node("Mul", ["ta", "tb"], ["y"], name="square")]
    path = _save(_model(nodes, [_vi("x", [3, 4])], [_vi("y", [3, 4])], inits),
                 tmp_path / "twins.onnx")
    info = checks.convert_and_compare(conversions, "pass_flags", "cse_twins", path)
    assert info.ops.count("TANH") == 1 and "SLICE" not in info.ops, info.ops
    assert info.ops.count("FULLY_CONNECTED") + info.ops.count("BATCH_MATMUL") == 1, info.ops


def test_print_ir_after_change_skips_unchanged_passes(tmp_path):
    proc, out = _convert([EXAMPLE, "--print-ir-after-change"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    headers = [line for line in proc.stderr.splitlines() if line.startswith("// ----- IR after")]
    assert headers and not any("(unchanged)" in h for h in headers), headers
    everything = harness.run_optconv(["convert", EXAMPLE, "-o", tmp_path / "all.tflite",
                                      "--print-ir-after", "all"])
    all_headers = [line for line in everything.stderr.splitlines()
                   if line.startswith("// ----- IR after")]
    assert len(all_headers) > len(headers)


def test_quantize_modes_are_refused_until_implemented(tmp_path):
    """Scripts written for --quantize get exit 3 naming the mode, and nothing written."""
    for mode in ("float16", "dynamic", "int8"):
        proc, out = _convert([EXAMPLE, "--quantize", mode], tmp_path)
        assert proc.returncode == harness.EXIT_UNSUPPORTED, proc.stderr
        assert f"--quantize {mode} is not implemented" in proc.stderr
        assert not out.exists()
    proc, out = _convert([EXAMPLE, "--quantize", "none"], tmp_path)
    assert proc.returncode == 0 and out.exists(), proc.stderr
    proc, _ = _convert([EXAMPLE, "--quantize", "int4"], tmp_path, "bad.tflite")
    assert proc.returncode == harness.EXIT_USAGE
