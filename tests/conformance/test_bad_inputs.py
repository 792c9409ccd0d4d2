"""Broken and unsupported inputs: documented exit code, a message naming the file (and
node), nothing written, the input untouched."""
import random
import shutil

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import harness

EXAMPLE = harness.REPO / "examples" / "tiny_cnn.onnx"


def _save(model, path):
    path.write_bytes(model.SerializeToString())
    return path


def _graph_model(nodes, inputs, outputs, inits=(), opset=13):
    graph = helper.make_graph(nodes, "bad", inputs, outputs, list(inits))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    return model


def _vi(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def run_bad(tmp_path, model_path, expected_code, must_mention=()):
    """Converts `model_path` expecting failure with `expected_code`; checks the message,
    that the output directory is unchanged and that the input is untouched."""
    out_dir = tmp_path / "out"
    out_dir.mkdir(exist_ok=True)
    before = harness.dir_listing(out_dir)
    digest = harness.sha256(model_path) if model_path.exists() else None
    proc = harness.run_optconv(["convert", model_path, "-o", out_dir / "model.tflite"], timeout=120)
    assert proc.returncode == expected_code, (
        f"exit {proc.returncode}, expected {expected_code}\nstderr:\n{proc.stderr}")
    assert model_path.name in proc.stderr, f"stderr does not name {model_path.name}:\n{proc.stderr}"
    for text in must_mention:
        assert text in proc.stderr, f"stderr does not mention {text!r}:\n{proc.stderr}"
    assert harness.dir_listing(out_dir) == before, (
        f"output directory changed: {harness.dir_listing(out_dir)}")
    if digest is not None:
        assert harness.sha256(model_path) == digest, "input file was modified"
    assert "Traceback" not in proc.stderr and "terminate called" not in proc.stderr
    return proc


def test_empty_file(tmp_path):
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    run_bad(tmp_path, path, harness.EXIT_INVALID)


def test_missing_file(tmp_path):
    run_bad(tmp_path, tmp_path / "does_not_exist.onnx", harness.EXIT_INVALID)


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.999])
def test_truncated_file(tmp_path, fraction):
    data = EXAMPLE.read_bytes()
    path = tmp_path / "truncated.onnx"
    path.write_bytes(data[:int(len(data) * fraction)])
    run_bad(tmp_path, path, harness.EXIT_INVALID)


def test_not_onnx_at_all(tmp_path):
    path = tmp_path / "random.onnx"
    path.write_bytes(np.random.default_rng(3).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    run_bad(tmp_path, path, harness.EXIT_INVALID)


@pytest.mark.parametrize("seed", range(12))
def test_bit_flipped_file(tmp_path, seed):
    """Flipped bits in the node/graph structure (the first bytes of the graph). A flip may
    leave a valid model, so 0 is allowed then; never a crash, an internal error or a hang,
    and a failure must be clean."""
    data = bytearray(EXAMPLE.read_bytes())
    rng = random.Random(seed)
    for _ in range(1 + seed % 4):
        pos = rng.randrange(0, 400 if seed % 2 == 0 else len(data))
        data[pos] ^= 1 << rng.randrange(8)
    path = tmp_path / "flipped.onnx"
    path.write_bytes(bytes(data))
    out = tmp_path / "out"
    out.mkdir()
    proc = harness.run_optconv(["convert", path, "-o", out / "model.tflite"], timeout=120)
    assert proc.returncode in (0, harness.EXIT_INVALID, harness.EXIT_UNSUPPORTED), (
        f"exit {proc.returncode}\nstderr:\n{proc.stderr}")
    if proc.returncode == 0:
        harness.LITERT.call("_load_in_worker", str(out / "model.tflite"))
    else:
        assert path.name in proc.stderr, proc.stderr
        assert harness.dir_listing(out) == [], harness.dir_listing(out)


def test_graph_with_cycle(tmp_path):
    nodes = [helper.make_node("Add", ["x", "t2"], ["t1"], name="cycle_add"),
             helper.make_node("Relu", ["t1"], ["t2"], name="cycle_relu")]
    path = _save(_graph_model(nodes, [_vi("x", [1, 4])], [_vi("t2", [1, 4])]),
                 tmp_path / "cycle.onnx")
    proc = run_bad(tmp_path, path, harness.EXIT_INVALID)
    assert "cycle_add" in proc.stderr or "cycle_relu" in proc.stderr, proc.stderr


def test_undefined_input_tensor(tmp_path):
    nodes = [helper.make_node("Relu", ["nowhere"], ["y"], name="dangling_relu")]
    path = _save(_graph_model(nodes, [_vi("x", [1, 4])], [_vi("y", [1, 4])]),
                 tmp_path / "dangling.onnx")
    run_bad(tmp_path, path, harness.EXIT_INVALID, must_mention=("dangling_relu",))


def _external_data_model(tmp_path, location):
    w = numpy_helper.from_array(np.ones((8, 3, 3, 3), np.float32), "conv_w")
    model = _graph_model([helper.make_node("Conv", ["x", "conv_w"], ["y"], name="conv")],
                         [_vi("x", [1, 3, 8, 8])], [_vi("y", [1, 8, 6, 6])], [w])
    path = tmp_path / "model" / "external.onnx"
    path.parent.mkdir()
    onnx.save_model(model, str(path), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=0)
    if location != "weights.bin":
        loaded = onnx.load(str(path), load_external_data=False)
        for entry in loaded.graph.initializer[0].external_data:
            if entry.key == "location":
                entry.value = location
        path.write_bytes(loaded.SerializeToString())
    return path


def test_missing_external_data_file(tmp_path):
    path = _external_data_model(tmp_path, "weights.bin")
    (path.parent / "weights.bin").unlink()
    proc = run_bad(tmp_path, path, harness.EXIT_INVALID)
    assert "weights.bin" in proc.stderr or "conv_w" in proc.stderr, proc.stderr


def test_external_data_outside_model_dir(tmp_path):
    path = _external_data_model(tmp_path, "../weights.bin")
    shutil.copy(path.parent / "weights.bin", tmp_path / "weights.bin")
    run_bad(tmp_path, path, harness.EXIT_INVALID)


def test_external_data_shorter_than_tensor(tmp_path):
    path = _external_data_model(tmp_path, "weights.bin")
    data = (path.parent / "weights.bin").read_bytes()
    (path.parent / "weights.bin").write_bytes(data[:len(data) // 2])
    run_bad(tmp_path, path, harness.EXIT_INVALID)


def test_one_unsupported_op(tmp_path):
    nodes = [helper.make_node("Relu", ["x"], ["r"], name="ok_relu"),
             helper.make_node("Det", ["r"], ["y"], name="the_det")]
    path = _save(_graph_model(nodes, [_vi("x", [2, 3, 3])], [_vi("y", [2])]),
                 tmp_path / "unsupported.onnx")
    proc = run_bad(tmp_path, path, harness.EXIT_UNSUPPORTED)
    assert ("the_det", "Det") in harness.listed_nodes(proc.stderr), proc.stderr


def test_several_unsupported_ops_are_all_listed(tmp_path):
    nodes = [helper.make_node("Det", ["x"], ["d1"], name="det_one"),
             helper.make_node("Hardmax", ["x"], ["h"], name="hardmax_one"),
             helper.make_node("Det", ["h"], ["d2"], name="det_two"),
             helper.make_node("Add", ["d1", "d2"], ["y"], name="fine_add")]
    path = _save(_graph_model(nodes, [_vi("x", [2, 3, 3])], [_vi("y", [2])]),
                 tmp_path / "two_unsupported.onnx")
    proc = run_bad(tmp_path, path, harness.EXIT_UNSUPPORTED)
    listed = harness.listed_nodes(proc.stderr)
    expected = {("det_one", "Det"), ("hardmax_one", "Hardmax"), ("det_two", "Det")}
    assert expected <= listed, f"listed {sorted(listed)}\n{proc.stderr}"
    assert ("fine_add", "Add") not in listed


def test_custom_domain_op(tmp_path):
    nodes = [helper.make_node("MyOp", ["x"], ["y"], name="custom_node", domain="com.example")]
    graph = helper.make_graph(nodes, "custom", [_vi("x", [1, 4])], [_vi("y", [1, 4])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13),
                                                    helper.make_opsetid("com.example", 1)])
    model.ir_version = 8
    proc = run_bad(tmp_path, _save(model, tmp_path / "custom.onnx"), harness.EXIT_UNSUPPORTED)
    assert "custom_node" in proc.stderr, proc.stderr


def test_failed_conversion_keeps_existing_output(tmp_path):
    """The output is written atomically: a failure leaves a previous file as it was."""
    path = tmp_path / "empty.onnx"
    path.write_bytes(b"")
    out = tmp_path / "model.tflite"
    out.write_bytes(b"previous")
    proc = harness.run_optconv(["convert", path, "-o", out])
    assert proc.returncode == harness.EXIT_INVALID, proc.stderr
    assert out.read_bytes() == b"previous"
    assert harness.dir_listing(tmp_path) == ["empty.onnx", "model.tflite"]


def test_usage_errors():
    assert harness.run_optconv([]).returncode in (harness.EXIT_USAGE, 0)
    assert harness.run_optconv(["convert"]).returncode == harness.EXIT_USAGE
    bad_flag = harness.run_optconv(["convert", EXAMPLE, "--no-such-flag"])
    assert bad_flag.returncode == harness.EXIT_USAGE


def test_unwritable_output_directory(tmp_path):
    proc = harness.run_optconv(["convert", EXAMPLE, "-o", tmp_path / "no" / "such" / "m.tflite"])
    assert proc.returncode == harness.EXIT_USAGE, proc.stderr
    assert not (tmp_path / "no").exists()


def test_example_converts(tmp_path):
    """The README's demo model converts (exit 0) and the file is a loadable .tflite."""
    proc = harness.run_optconv(["convert", EXAMPLE, "-o", tmp_path / "tiny_cnn.tflite"])
    assert proc.returncode == 0, proc.stderr
    harness.LITERT.call("_load_in_worker", str(tmp_path / "tiny_cnn.tflite"))
