"""`optconv ops`: the op types the binary claims. The claim is what the ONNX
backend cases are held to (test_onnx_backend_cases.py), so it must cover the
issue's required list, and the text and JSON forms must agree."""
import json

import harness

# TF ops the SavedModel issue names (besides the Keras LSTM/GRU functions).
TF_REQUIRED = set("""
    Conv2D DepthwiseConv2dNative Conv2DBackpropInput MatMul BatchMatMulV2 BiasAdd FusedBatchNormV3
    Relu Relu6 Elu Selu LeakyRelu Sigmoid Tanh Softmax MaxPool AvgPool Mean Sum Max Reshape Squeeze
    ExpandDims Pack Unpack StridedSlice Slice ConcatV2 Split Pad MirrorPad Transpose Add AddV2 Sub
    Mul RealDiv Maximum Minimum Square Sqrt Rsqrt Cast GatherV2 ResizeBilinear
    ResizeNearestNeighbor Shape""".split())


def _ops(*args):
    proc = harness.run_optconv(["ops", *args])
    assert proc.returncode == harness.EXIT_OK, proc.stderr
    return proc.stdout


def test_ops_json_covers_the_required_ops():
    claimed = json.loads(_ops("--json"))
    assert set(claimed) == {"onnx", "tensorflow"}
    missing_onnx = harness.SUPPORTED_OPS - {"Constant"} - set(claimed["onnx"])
    assert not missing_onnx, f"required ONNX ops not claimed: {sorted(missing_onnx)}"
    missing_tf = TF_REQUIRED - set(claimed["tensorflow"])
    assert not missing_tf, f"required TF ops not claimed: {sorted(missing_tf)}"
    assert claimed["onnx"] == sorted(claimed["onnx"])


def test_ops_text_and_format_filter_agree_with_json():
    onnx_only = json.loads(_ops("--format", "onnx", "--json"))
    assert list(onnx_only) == ["onnx"]
    text = _ops("--format", "onnx")
    header, ops_line = text.strip().splitlines()
    assert header == f"onnx ({len(onnx_only['onnx'])} op types):"
    assert ops_line.split() == onnx_only["onnx"]
    proc = harness.run_optconv(["ops", "--format", "caffe"])
    assert proc.returncode == harness.EXIT_USAGE and "caffe" in proc.stderr
