"""ONNX's own conformance cases (Debian's libonnx-testdata).

Every case whose ops are all ones optconv claims to convert (`optconv ops`,
which includes harness.SUPPORTED_OPS, the issue's list) is converted. optconv
must either refuse it cleanly (exit 3, the file named) or produce outputs that
match the case's output_*.pb: never wrong results. Cases whose inputs/outputs
use types outside float32/int32/int64/bool/int8/uint8 (double, float16,
bfloat16, string, sequences, ...) or whose result is random by definition are
skipped and counted.
"""
import functools

import numpy as np
import onnx
import pytest
from onnx import TensorProto, numpy_helper

import harness
import summary

SUITE = "onnx-backend"
GROUPS = ("node", "pytorch-converted", "pytorch-operator", "simple")
IO_TYPES = {TensorProto.FLOAT, TensorProto.INT32, TensorProto.INT64, TensorProto.BOOL,
            TensorProto.INT8, TensorProto.UINT8}
ONNX_ROOT_EXISTS = (harness.ONNX_TESTDATA / "node").is_dir()
# Dropout in training mode with ratio > 0: the expected output is one random draw.
RANDOM_BY_SPEC = {"test_training_dropout", "test_training_dropout_default",
                  "test_training_dropout_default_mask", "test_training_dropout_mask"}


@functools.lru_cache(maxsize=None)
def _load(path):
    return onnx.load(str(path), load_external_data=False)


def _cases():
    if not ONNX_ROOT_EXISTS:
        return [pytest.param(None, id="libonnx-testdata-absent", marks=pytest.mark.skip(
            reason=f"{harness.ONNX_TESTDATA} missing (Debian package libonnx-testdata)"))]
    params = []
    for group in GROUPS:
        for model_path in sorted((harness.ONNX_TESTDATA / group).glob("*/model.onnx")):
            try:
                ops = {n.op_type for n in _load(model_path).graph.node}
            except Exception:  # a case our onnx cannot parse is not ours to judge
                continue
            if ops <= harness.SUPPORTED_OPS | harness.claimed_ops("onnx"):
                case = model_path.parent
                params.append(pytest.param(case, id=f"{group}/{case.name}"))
    return params


def _io_problem(model):
    inits = {i.name for i in model.graph.initializer}
    for vi in list(model.graph.input) + list(model.graph.output):
        if vi.name in inits:
            continue
        if not vi.type.HasField("tensor_type"):
            return f"'{vi.name}' is not a tensor"
        if vi.type.tensor_type.elem_type not in IO_TYPES:
            return (f"'{vi.name}' has type "
                    f"{TensorProto.DataType.Name(vi.type.tensor_type.elem_type)}")
    return None


def _read_tensor(path):
    tensor = TensorProto()
    tensor.ParseFromString(path.read_bytes())
    return np.asarray(numpy_helper.to_array(tensor))


@pytest.mark.parametrize("case", _cases())
def test_onnx_backend_case(case, conversions):
    model_path = case / "model.onnx"
    model = _load(model_path)
    problem = _io_problem(model)
    if problem:
        summary.count(SUITE, "skipped (IO type)")
        pytest.skip(f"IO type TFLite/optconv does not carry: {problem}")
    if case.name in RANDOM_BY_SPEC:
        summary.count(SUITE, "skipped (random by spec)")
        pytest.skip("output is random by definition")
    name = f"{case.parent.name}/{case.name}"
    result = conversions.get(SUITE, name, model_path)
    if result.returncode == harness.EXIT_UNSUPPORTED:
        assert str(model_path) in result.stderr or "model.onnx" in result.stderr, result.stderr
        assert not result.output.exists()
        summary.count(SUITE, "refused (exit 3)")
        return
    if result.returncode != 0:
        summary.count(SUITE, f"FAILED (exit {result.returncode})")
        raise AssertionError(result.describe())
    ins, outs = harness.onnx_io(model)
    data_sets = sorted(case.glob("test_data_set_*"))
    assert data_sets, f"{case} has no test_data_set_*"
    feed_sets, expected_sets = [], []
    for data in data_sets:
        feed_sets.append({name: _read_tensor(data / f"input_{i}.pb")
                          for i, (name, _, _) in enumerate(ins)})
        expected_sets.append({name: _read_tensor(data / f"output_{i}.pb")
                              for i, (name, _, _) in enumerate(outs)})
    try:
        _, problems, _ = harness.check_against_reference(result.output, ins, outs, feed_sets,
                                                         expected_sets, result.report)
    except Exception:
        summary.count(SUITE, "FAILED (LiteRT run)")
        raise
    if problems:
        summary.count(SUITE, "WRONG RESULTS")
    else:
        summary.count(SUITE, "converted and matched")
    assert not problems, "converted to wrong results:\n" + "\n".join(problems[:10])
