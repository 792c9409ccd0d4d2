#!/usr/bin/env python3
"""Writes one small ONNX model per supported op and attribute combination.

Runs with the test venv's python (onnx.helper, onnxruntime for output
shapes). Image ops take 4-D NCHW inputs (with C differing from H and W) so
the converter's layout handling is exercised. Weights come from fixed seeds.

Writes <out>/<name>.onnx and <out>/index.json: per model its opset, the
sampling distribution of each input, and whether a clean refusal (exit 3)
is acceptable (only for rare attribute combinations a converter may
legitimately decline). Usage: gen_op_models.py OUT_DIR
"""
import json
import sys
import zlib
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

F = TensorProto.FLOAT
IMG = [1, 3, 16, 16]     # NCHW, C != H, W
FEAT = [1, 8, 12, 12]
CASES = {}


class Case:
    """Collects one model: graph inputs, constants and nodes."""

    def __init__(self, name, opset, refuse_ok=False):
        self.name, self.opset, self.refuse_ok = name, opset, refuse_ok
        self.inputs, self.inits, self.nodes, self.outputs, self.dists = [], [], [], [], {}
        self.rng = np.random.default_rng(zlib.crc32(name.encode()))

    def input(self, name, shape, dtype=F, dist="normal"):
        self.inputs.append(helper.make_tensor_value_info(name, dtype, shape))
        self.dists[name] = dist
        return name

    def const(self, name, value):
        self.inits.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def weight(self, name, shape, scale=0.3, positive=False):
        data = self.rng.standard_normal(shape) * scale
        if positive:
            data = np.abs(data) + 0.5
        return self.const(name, data.astype(np.float32))

    def ints(self, name, values):
        return self.const(name, np.asarray(values, np.int64))

    def node(self, op, inputs, outputs, **attrs):
        outputs = [outputs] if isinstance(outputs, str) else outputs
        name = f"{op.lower()}_{len(self.nodes)}"
        self.nodes.append(helper.make_node(op, inputs, outputs, name=name, **attrs))
        return outputs[0] if len(outputs) == 1 else outputs

    def output(self, *names):
        self.outputs.extend(names)

    def build(self):
        graph = helper.make_graph(
            self.nodes, self.name, self.inputs,
            [helper.make_tensor_value_info(o, F, None) for o in self.outputs], self.inits)
        model = helper.make_model(graph, producer_name="optconv-tests",
                                  opset_imports=[helper.make_opsetid("", self.opset)])
        model.ir_version = 8
        # Give the outputs their real types and shapes (as exporters do).
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        feeds = {i.name: sample(self.dists[i.name], i, 0) for i in self.inputs}
        for value, out in zip(sess.run(None, feeds), model.graph.output):
            out.CopyFrom(helper.make_tensor_value_info(
                out.name, helper.np_dtype_to_tensor_dtype(value.dtype), list(value.shape)))
        onnx.checker.check_model(model, full_check=True)
        return model


def sample(dist, value_info, seed):
    """Same sampling rules as the harness (tests/conformance/harness.py)."""
    shape = [d.dim_value for d in value_info.type.tensor_type.shape.dim]
    rng = np.random.default_rng(seed)
    if dist.startswith("int:"):
        low, high = map(int, dist[4:].split(":"))
        return rng.integers(low, high, shape).astype(np.int64)
    x = rng.standard_normal(shape).astype(np.float32)
    return np.abs(x) + np.float32(0.5) if dist == "positive" else x


def case(name, opset=13, refuse_ok=False):
    def register(fn):
        CASES[name] = (fn, opset, refuse_ok)
        return fn
    return register


def unary(name, op, opset=13, dist="normal", shape=FEAT, **attrs):
    def fn(c):
        c.output(c.node(op, [c.input("x", shape, dist=dist)], "y", **attrs))
    CASES[name] = (fn, opset, False)


def conv(name, x_shape, w_shape, bias=True, opset=13, refuse_ok=False, **attrs):
    def fn(c):
        ins = [c.input("x", x_shape), c.weight("w", w_shape)]
        if bias:
            ins.append(c.weight("b", [w_shape[0]], 0.1))
        c.output(c.node("Conv", ins, "y", **attrs))
    CASES[name] = (fn, opset, refuse_ok)


# --- Conv -------------------------------------------------------------------
conv("conv_plain", IMG, [8, 3, 3, 3], pads=[1, 1, 1, 1])
conv("conv_nobias_valid", IMG, [8, 3, 3, 3], bias=False)
conv("conv_1x1", FEAT, [16, 8, 1, 1])
conv("conv_groups", FEAT, [6, 4, 3, 3], group=2, pads=[1, 1, 1, 1])
conv("conv_depthwise", FEAT, [8, 1, 3, 3], group=8, pads=[1, 1, 1, 1])
conv("conv_depthwise_multiplier", [1, 4, 12, 12], [8, 1, 3, 3], group=4, pads=[1, 1, 1, 1])
conv("conv_depthwise_stride2", FEAT, [8, 1, 3, 3], group=8, strides=[2, 2], pads=[1, 1, 1, 1])
conv("conv_dilation2", FEAT, [8, 8, 3, 3], dilations=[2, 2], pads=[2, 2, 2, 2])
conv("conv_auto_pad_same_upper_stride2", IMG, [6, 3, 3, 3], auto_pad="SAME_UPPER", strides=[2, 2])
conv("conv_auto_pad_same_lower_stride2", IMG, [6, 3, 4, 4], auto_pad="SAME_LOWER", strides=[2, 2],
     refuse_ok=True)
conv("conv_auto_pad_valid", IMG, [8, 3, 3, 3], auto_pad="VALID")
conv("conv_strided_asymmetric_pads", IMG, [8, 3, 3, 3], strides=[2, 2], pads=[0, 1, 1, 2])
conv("conv_rect_kernel_stride", [1, 3, 15, 20], [6, 3, 3, 5], strides=[1, 2], pads=[1, 2, 1, 2])
conv("conv1d", [1, 4, 20], [6, 4, 3], pads=[1, 1])
conv("conv1d_stride_dilation", [1, 4, 30], [6, 4, 3], strides=[2], dilations=[2])
conv("conv_opset11", IMG, [8, 3, 3, 3], opset=11, pads=[1, 1, 1, 1])


@case("conv_relu_fused")
def _(c):
    y = c.node("Conv", [c.input("x", IMG), c.weight("w", [8, 3, 3, 3]), c.weight("b", [8])], "c",
               pads=[1, 1, 1, 1])
    c.output(c.node("Relu", [y], "y"))


@case("conv_clip6_fused")
def _(c):
    y = c.node("Conv", [c.input("x", IMG), c.weight("w", [8, 3, 3, 3], 1.0)], "c")
    c.output(c.node("Clip", [y, c.const("lo", np.float32(0)), c.const("hi", np.float32(6))], "y"))


@case("conv_bn_relu")
def _(c):
    y = c.node("Conv", [c.input("x", IMG), c.weight("w", [8, 3, 3, 3])], "c", pads=[1, 1, 1, 1])
    y = c.node("BatchNormalization", [y, c.weight("s", [8], positive=True), c.weight("b", [8]),
                                      c.weight("m", [8]), c.weight("v", [8], positive=True)], "bn")
    c.output(c.node("Relu", [y], "y"))


# --- ConvTranspose -------------------------------------------------------------
def conv_transpose(name, x_shape, w_shape, bias=True, refuse_ok=False, **attrs):
    def fn(c):
        ins = [c.input("x", x_shape), c.weight("w", w_shape)]
        if bias:
            ins.append(c.weight("b", [w_shape[1] * attrs.get("group", 1)], 0.1))
        c.output(c.node("ConvTranspose", ins, "y", **attrs))
    CASES[name] = (fn, 13, refuse_ok)


conv_transpose("convtranspose_plain", [1, 4, 7, 7], [4, 6, 3, 3])
conv_transpose("convtranspose_stride2_output_padding", [1, 4, 7, 7], [4, 6, 3, 3], strides=[2, 2],
               pads=[1, 1, 1, 1], output_padding=[1, 1])
conv_transpose("convtranspose_stride2_k4_pads", [1, 4, 7, 7], [4, 6, 4, 4], strides=[2, 2],
               pads=[1, 1, 1, 1], bias=False)
conv_transpose("convtranspose_k2s2", [1, 8, 6, 6], [8, 4, 2, 2], strides=[2, 2])
conv_transpose("convtranspose_output_shape", [1, 4, 7, 7], [4, 6, 3, 3], strides=[2, 2],
               output_shape=[14, 14], refuse_ok=True)
conv_transpose("convtranspose_asymmetric_pads", [1, 4, 7, 7], [4, 6, 3, 3], strides=[2, 2],
               pads=[0, 1, 1, 0], refuse_ok=True)
conv_transpose("convtranspose_groups", [1, 4, 7, 7], [4, 3, 3, 3], group=2, refuse_ok=True)


# --- Normalization -----------------------------------------------------------------
@case("batchnorm_standalone")
def _(c):
    c.output(c.node("BatchNormalization", [c.input("x", FEAT), c.weight("s", [8], positive=True),
                                           c.weight("b", [8]), c.weight("m", [8]),
                                           c.weight("v", [8], positive=True)], "y", epsilon=1e-3))


@case("batchnorm_opset9", opset=9)
def _(c):
    c.output(c.node("BatchNormalization", [c.input("x", FEAT), c.weight("s", [8], positive=True),
                                           c.weight("b", [8]), c.weight("m", [8]),
                                           c.weight("v", [8], positive=True)], "y"))


def layernorm(name, shape, axis=-1, bias=True, refuse_ok=False):
    def fn(c):
        norm = shape[axis:] if axis != -1 else shape[-1:]
        ins = [c.input("x", shape), c.weight("scale", norm, positive=True)]
        if bias:
            ins.append(c.weight("bias", norm))
        c.output(c.node("LayerNormalization", ins, "y", axis=axis, epsilon=1e-5))
    CASES[name] = (fn, 17, refuse_ok)


layernorm("layernorm_last_axis", [1, 10, 32])
layernorm("layernorm_no_bias", [2, 5, 16], bias=False)
layernorm("layernorm_axis_minus2", [1, 4, 6, 8], axis=2, refuse_ok=True)

# --- Activations -------------------------------------------------------------------
unary("relu", "Relu")
unary("sigmoid", "Sigmoid")
unary("tanh", "Tanh")
unary("erf", "Erf")
unary("sqrt", "Sqrt", dist="positive")
unary("leakyrelu", "LeakyRelu", alpha=0.1)
unary("leakyrelu_default", "LeakyRelu")
unary("hardsigmoid_default", "HardSigmoid")
unary("hardsigmoid_custom", "HardSigmoid", alpha=0.25, beta=0.4)
unary("hardswish", "HardSwish", opset=14)
unary("identity", "Identity")
unary("dropout_opset13", "Dropout")
unary("dropout_opset11_ratio", "Dropout", opset=11, ratio=0.3)
unary("clip_opset10_attrs", "Clip", opset=10, min=-0.5, max=0.7)
unary("clip_no_bounds", "Clip")


def clip(name, lo, hi):
    def fn(c):
        ins = [c.input("x", FEAT), c.const("lo", np.float32(lo)) if lo is not None else ""]
        if hi is not None:
            ins.append(c.const("hi", np.float32(hi)))
        c.output(c.node("Clip", ins, "y"))
    CASES[name] = (fn, 13, False)


clip("clip_relu6", 0.0, 6.0)
clip("clip_minus1_1", -1.0, 1.0)
clip("clip_min_only", 0.2, None)
clip("clip_max_only", None, 0.3)


@case("prelu_per_channel")
def _(c):
    c.output(c.node("PRelu", [c.input("x", FEAT), c.weight("slope", [8, 1, 1], 0.2)], "y"))


@case("prelu_scalar")
def _(c):
    c.output(c.node("PRelu", [c.input("x", FEAT), c.const("slope", np.array([0.25], np.float32))],
                    "y"))


# --- Binary arithmetic ----------------------------------------------------------------
for op in ("Add", "Sub", "Mul", "Div"):
    lower = op.lower()
    denominator = "positive" if op == "Div" else "normal"

    def tensors(c, op=op, dist=denominator):
        c.output(c.node(op, [c.input("a", FEAT), c.input("b", FEAT, dist=dist)], "y"))

    def channel_const(c, op=op):
        c.output(c.node(op, [c.input("x", FEAT), c.weight("k", [8, 1, 1], positive=True)], "y"))

    def scalar_const(c, op=op):
        c.output(c.node(op, [c.input("x", FEAT), c.const("k", np.float32(1.7))], "y"))

    def const_first(c, op=op, dist=denominator):
        c.output(c.node(op, [c.weight("k", [1, 8, 1, 1]), c.input("x", FEAT, dist=dist)], "y"))

    def broadcast_inputs(c, op=op, dist=denominator):
        c.output(c.node(op, [c.input("a", [2, 3, 5]), c.input("b", [5], dist=dist)], "y"))

    CASES[f"{lower}_tensors"] = (tensors, 13, False)
    CASES[f"{lower}_channel_const"] = (channel_const, 13, False)
    CASES[f"{lower}_scalar_const"] = (scalar_const, 13, False)
    CASES[f"{lower}_const_first"] = (const_first, 13, False)
    CASES[f"{lower}_broadcast_inputs"] = (broadcast_inputs, 13, False)


@case("pow_square")
def _(c):
    c.output(c.node("Pow", [c.input("x", FEAT), c.const("e", np.float32(2.0))], "y"))


@case("pow_sqrt")
def _(c):
    c.output(c.node("Pow", [c.input("x", FEAT, dist="positive"), c.const("e", np.float32(0.5))],
                    "y"))


@case("pow_cube")
def _(c):
    c.output(c.node("Pow", [c.input("x", FEAT), c.const("e", np.float32(3.0))], "y"))


@case("pow_tensor_exponent")
def _(c):
    c.output(c.node("Pow", [c.input("x", FEAT, dist="positive"), c.input("e", FEAT)], "y"))


# --- MatMul / Gemm ----------------------------------------------------------------------
@case("matmul_2d_const")
def _(c):
    c.output(c.node("MatMul", [c.input("x", [4, 8]), c.weight("w", [8, 16])], "y"))


@case("matmul_3d_const")
def _(c):
    c.output(c.node("MatMul", [c.input("x", [2, 5, 8]), c.weight("w", [8, 6])], "y"))


@case("matmul_2d_inputs")
def _(c):
    c.output(c.node("MatMul", [c.input("a", [4, 8]), c.input("b", [8, 6])], "y"))


@case("matmul_batched_inputs")
def _(c):
    c.output(c.node("MatMul", [c.input("a", [2, 3, 4, 5]), c.input("b", [2, 3, 5, 6])], "y"))


@case("matmul_broadcast_batch")
def _(c):
    c.output(c.node("MatMul", [c.input("a", [2, 3, 4, 5]), c.input("b", [5, 7])], "y"))


# --- Einsum (opset 12): attention, EinsumDense, reductions, ellipsis ---------------------
def einsum(name, equation, *operands):
    """operands: ("input", shape) or ("weight", shape)."""
    def fn(c):
        ins = [c.input(f"x{i}", shape) if kind == "input" else c.weight(f"w{i}", shape)
               for i, (kind, shape) in enumerate(operands)]
        c.output(c.node("Einsum", ins, "y", equation=equation))
    case(name)(fn)


einsum("einsum_attention_scores", "aecd,abcd->acbe", ("input", [1, 6, 2, 4]), ("input", [1, 5, 2, 4]))
einsum("einsum_attention_context", "acbe,aecd->abcd", ("input", [1, 2, 5, 6]), ("input", [1, 6, 2, 4]))
einsum("einsum_dense_heads", "abc,cde->abde", ("input", [2, 5, 8]), ("weight", [8, 2, 4]))
einsum("einsum_dense_merge", "abcd,cde->abe", ("input", [2, 5, 2, 4]), ("weight", [2, 4, 6]))
einsum("einsum_bmm", "bij,bjk->bik", ("input", [3, 4, 5]), ("input", [3, 5, 6]))
einsum("einsum_bmm_transposed_out", "bij,bjk->bki", ("input", [3, 4, 5]), ("input", [3, 5, 6]))
einsum("einsum_ellipsis", "...ij,...jk->...ik", ("input", [2, 3, 4, 5]), ("input", [2, 3, 5, 2]))
einsum("einsum_implicit_output", "ij,jk", ("input", [4, 5]), ("input", [5, 3]))
einsum("einsum_outer", "i,j->ij", ("input", [4]), ("input", [5]))
einsum("einsum_dot", "i,i->", ("input", [6]), ("input", [6]))
einsum("einsum_sum_free_label", "ij,jk->i", ("input", [4, 5]), ("input", [5, 3]))
einsum("einsum_transpose", "abc->cab", ("input", [2, 3, 4]))
einsum("einsum_reduce", "abc->ac", ("input", [2, 3, 4]))
einsum("einsum_const_left", "ij,bjk->bik", ("weight", [4, 5]), ("input", [2, 5, 3]))


def gemm(name, a_shape, b_shape, c_shape=None, **attrs):
    def fn(c):
        ins = [c.input("a", a_shape), c.weight("b", b_shape)]
        if c_shape is not None:
            ins.append(c.weight("c", c_shape))
        c.output(c.node("Gemm", ins, "y", **attrs))
    CASES[name] = (fn, 13, False)


gemm("gemm_bias", [2, 8], [8, 6], [6])
gemm("gemm_transb", [2, 8], [6, 8], [6], transB=1)
gemm("gemm_transa", [8, 2], [8, 6], [6], transA=1)
gemm("gemm_alpha_beta", [2, 8], [6, 8], [1, 6], transB=1, alpha=0.5, beta=2.0)
gemm("gemm_no_bias", [3, 8], [8, 6])
gemm("gemm_matrix_bias", [3, 8], [8, 6], [3, 6])


@case("gemm_input_b")
def _(c):
    c.output(c.node("Gemm", [c.input("a", [3, 8]), c.input("b", [6, 8]), c.weight("c", [6])], "y",
                    transB=1))


# --- Pooling ------------------------------------------------------------------------------
def pool(name, op, shape=FEAT, refuse_ok=False, opset=13, **attrs):
    def fn(c):
        c.output(c.node(op, [c.input("x", shape)], "y", **attrs))
    CASES[name] = (fn, opset, refuse_ok)


pool("maxpool_k2s2", "MaxPool", kernel_shape=[2, 2], strides=[2, 2])
pool("maxpool_k3s2_pads", "MaxPool", kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
pool("maxpool_ceil_mode", "MaxPool", shape=[1, 8, 13, 13], kernel_shape=[3, 3], strides=[2, 2],
     ceil_mode=1)
pool("maxpool_same_upper", "MaxPool", shape=[1, 8, 13, 13], kernel_shape=[3, 3], strides=[2, 2],
     auto_pad="SAME_UPPER")
pool("maxpool_asymmetric_pads", "MaxPool", kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 1, 1])
pool("maxpool_dilations", "MaxPool", kernel_shape=[2, 2], dilations=[2, 2], refuse_ok=True)
pool("maxpool_1d", "MaxPool", shape=[1, 4, 20], kernel_shape=[3], strides=[2])
pool("avgpool_k2s2", "AveragePool", kernel_shape=[2, 2], strides=[2, 2])
pool("avgpool_pads_exclude_pad", "AveragePool", kernel_shape=[3, 3], strides=[1, 1],
     pads=[1, 1, 1, 1])
pool("avgpool_pads_count_include_pad", "AveragePool", kernel_shape=[3, 3], strides=[2, 2],
     pads=[1, 1, 1, 1], count_include_pad=1)
pool("avgpool_ceil_mode", "AveragePool", shape=[1, 8, 13, 13], kernel_shape=[3, 3],
     strides=[2, 2], ceil_mode=1, refuse_ok=True)
pool("avgpool_same_upper", "AveragePool", shape=[1, 8, 13, 13], kernel_shape=[3, 3],
     strides=[2, 2], auto_pad="SAME_UPPER")
pool("avgpool_1d", "AveragePool", shape=[1, 4, 20], kernel_shape=[4], strides=[4])
pool("global_avgpool", "GlobalAveragePool")
pool("global_avgpool_1d", "GlobalAveragePool", shape=[1, 6, 20])

# --- Shape manipulation --------------------------------------------------------------------
for axis in (0, 1, 2, 3, -1):
    suffix = f"m{-axis}" if axis < 0 else str(axis)
    pool(f"flatten_axis{suffix}", "Flatten", axis=axis)


@case("reshape_minus1_zero")
def _(c):
    c.output(c.node("Reshape", [c.input("x", FEAT), c.ints("shape", [0, -1, 12])], "y"))


@case("reshape_4d_to_2d")
def _(c):
    c.output(c.node("Reshape", [c.input("x", FEAT), c.ints("shape", [1, -1])], "y"))


@case("reshape_after_conv")
def _(c):
    y = c.node("Conv", [c.input("x", IMG), c.weight("w", [8, 3, 3, 3])], "c", pads=[1, 1, 1, 1])
    c.output(c.node("Reshape", [y, c.ints("shape", [1, 8, 256])], "y"))


@case("transpose_4d")
def _(c):
    c.output(c.node("Transpose", [c.input("x", FEAT)], "y", perm=[0, 2, 3, 1]))


@case("transpose_3d")
def _(c):
    c.output(c.node("Transpose", [c.input("x", [2, 5, 7])], "y", perm=[2, 0, 1]))


@case("transpose_default_reverse")
def _(c):
    c.output(c.node("Transpose", [c.input("x", [2, 5, 7])], "y"))


@case("concat_channels")
def _(c):
    c.output(c.node("Concat", [c.input("a", FEAT), c.input("b", [1, 5, 12, 12])], "y", axis=1))


@case("concat_last_axis")
def _(c):
    c.output(c.node("Concat", [c.input("a", [2, 3, 4]), c.input("b", [2, 3, 5])], "y", axis=-1))


@case("concat_with_const")
def _(c):
    c.output(c.node("Concat", [c.input("a", [3, 4]), c.weight("b", [2, 4])], "y", axis=0))


@case("concat_after_conv")
def _(c):
    a = c.node("Conv", [c.input("x", IMG), c.weight("w1", [4, 3, 1, 1])], "c1")
    b = c.node("Conv", ["x", c.weight("w2", [6, 3, 3, 3])], "c2", pads=[1, 1, 1, 1])
    c.output(c.node("Concat", [a, b], "y", axis=1))


@case("split_equal_opset13")
def _(c):
    c.output(*c.node("Split", [c.input("x", FEAT)], ["y0", "y1"], axis=1))


@case("split_sizes_input_opset13")
def _(c):
    c.output(*c.node("Split", [c.input("x", FEAT), c.ints("split", [2, 6])], ["y0", "y1"], axis=1))


@case("split_attr_opset11", opset=11)
def _(c):
    c.output(*c.node("Split", [c.input("x", [2, 10, 5])], ["y0", "y1", "y2"], axis=1,
                     split=[3, 3, 4]))


@case("split_num_outputs_opset18", opset=18)
def _(c):
    c.output(*c.node("Split", [c.input("x", [4, 9])], ["y0", "y1", "y2"], axis=-1, num_outputs=3))


def slice_case(name, shape, starts, ends, axes=None, steps=None):
    def fn(c):
        ins = [c.input("x", shape), c.ints("starts", starts), c.ints("ends", ends)]
        if axes is not None:
            ins.append(c.ints("axes", axes))
        if steps is not None:
            ins.append(c.ints("steps", steps))
        c.output(c.node("Slice", ins, "y"))
    CASES[name] = (fn, 13, False)


slice_case("slice_basic", [4, 10, 6], [1, 2], [3, 7], [0, 1])
slice_case("slice_channels_nchw", FEAT, [2], [6], [1])
slice_case("slice_spatial_steps", FEAT, [1, 0], [12, 12], [2, 3], [2, 3])
slice_case("slice_negative_steps", [4, 10, 6], [-1, 8], [-100, 1], [1, 2], [-1, -2])
slice_case("slice_negative_axes_int_max", [4, 10, 6], [2, -3], [2**63 - 1, 2**63 - 1], [-1, -2])
slice_case("slice_default_axes", [4, 10, 6], [1, 0, 2], [3, 5, 6])


@case("slice_opset9_attrs", opset=9)
def _(c):
    c.output(c.node("Slice", [c.input("x", [4, 10, 6])], "y", starts=[1, 2], ends=[3, 7],
                    axes=[0, 1]))


@case("squeeze_opset11_attr", opset=11)
def _(c):
    c.output(c.node("Squeeze", [c.input("x", [1, 5, 1, 6])], "y", axes=[0, -2]))


@case("squeeze_opset13_input")
def _(c):
    c.output(c.node("Squeeze", [c.input("x", [1, 5, 1, 6]), c.ints("axes", [2])], "y"))


@case("squeeze_opset13_all")
def _(c):
    c.output(c.node("Squeeze", [c.input("x", [1, 5, 1, 6])], "y"))


@case("unsqueeze_opset11_attr", opset=11)
def _(c):
    c.output(c.node("Unsqueeze", [c.input("x", [5, 6])], "y", axes=[0, 3]))


@case("unsqueeze_opset13_input")
def _(c):
    c.output(c.node("Unsqueeze", [c.input("x", [5, 6]), c.ints("axes", [-1, 1])], "y"))


@case("gap_squeeze")
def _(c):
    y = c.node("GlobalAveragePool", [c.input("x", FEAT)], "g")
    c.output(c.node("Squeeze", [y, c.ints("axes", [2, 3])], "y"))


def softmax(name, shape, opset, **attrs):
    def fn(c):
        c.output(c.node("Softmax", [c.input("x", shape)], "y", **attrs))
    CASES[name] = (fn, opset, False)


softmax("softmax_2d_last", [3, 10], 13, axis=-1)
softmax("softmax_3d_axis1", [2, 6, 5], 13, axis=1)
softmax("softmax_nchw_channels", FEAT, 13, axis=1)
softmax("softmax_opset11_coerced_axis1", [2, 3, 4, 5], 11, axis=1)
softmax("softmax_opset11_default", [3, 10], 11)
softmax("softmax_opset13_default", [2, 3, 7], 13)


def pad(name, shape, pads, mode="constant", value=None, opset=13, refuse_ok=False):
    def fn(c):
        if opset < 11:
            attrs = {"pads": pads, "mode": mode}
            if value is not None:
                attrs["value"] = value
            c.output(c.node("Pad", [c.input("x", shape)], "y", **attrs))
            return
        ins = [c.input("x", shape), c.ints("pads", pads)]
        if value is not None:
            ins.append(c.const("value", np.float32(value)))
        c.output(c.node("Pad", ins, "y", mode=mode))
    CASES[name] = (fn, opset, refuse_ok)


pad("pad_constant_zero", FEAT, [0, 0, 1, 2, 0, 0, 3, 1])
pad("pad_constant_value", FEAT, [0, 1, 1, 0, 0, 2, 1, 1], value=1.5)
pad("pad_reflect", FEAT, [0, 0, 2, 1, 0, 0, 1, 2], mode="reflect")
pad("pad_edge", FEAT, [0, 0, 2, 1, 0, 0, 1, 2], mode="edge")
pad("pad_opset2_attrs", FEAT, [0, 0, 1, 1, 0, 0, 1, 1], value=0.5, opset=10)
pad("pad_3d", [2, 5, 7], [0, 1, 2, 0, 2, 1])


# --- Resize -------------------------------------------------------------------------
def resize(name, mode, coord, nearest=None, scales=None, sizes=None, opset=13, refuse_ok=False,
           shape=FEAT):
    def fn(c):
        attrs = {"mode": mode, "coordinate_transformation_mode": coord}
        if nearest:
            attrs["nearest_mode"] = nearest
        ins = [c.input("x", shape), "" if opset >= 13 else c.const("roi", np.zeros(0, np.float32))]
        if sizes is not None:
            ins += ["" if opset >= 13 else c.const("scales", np.zeros(0, np.float32)),
                    c.ints("sizes", sizes)]
        else:
            ins.append(c.const("scales", np.asarray(scales, np.float32)))
        c.output(c.node("Resize", ins, "y", **attrs))
    CASES[name] = (fn, opset, refuse_ok)


X2 = [1, 1, 2, 2]
resize("resize_nearest_asymmetric_floor", "nearest", "asymmetric", "floor", X2)
resize("resize_nearest_half_pixel_round_prefer_floor", "nearest", "half_pixel",
       "round_prefer_floor", X2, refuse_ok=True)
resize("resize_nearest_align_corners_round", "nearest", "align_corners", "round_prefer_ceil", X2,
       refuse_ok=True)
resize("resize_nearest_tf_half_pixel_opset11", "nearest", "tf_half_pixel_for_nn",
       "round_prefer_ceil", X2, opset=11, refuse_ok=True)
resize("resize_nearest_sizes", "nearest", "asymmetric", "floor", sizes=[1, 8, 36, 36])
resize("resize_nearest_opset11", "nearest", "asymmetric", "floor", X2, opset=11)
resize("resize_linear_half_pixel", "linear", "half_pixel", scales=X2)
resize("resize_linear_pytorch_half_pixel", "linear", "pytorch_half_pixel", scales=X2)
resize("resize_linear_align_corners", "linear", "align_corners", scales=X2)
resize("resize_linear_asymmetric", "linear", "asymmetric", scales=X2)
resize("resize_linear_sizes_half_pixel", "linear", "half_pixel", sizes=[1, 8, 20, 30])
resize("resize_linear_opset11_align_corners", "linear", "align_corners", scales=X2, opset=11)
resize("resize_linear_downsample", "linear", "half_pixel", scales=[1, 1, 0.5, 0.5],
       refuse_ok=True)


@case("upsample_opset9_nearest", opset=9, refuse_ok=True)
def _(c):
    c.output(c.node("Upsample", [c.input("x", FEAT), c.const("scales", np.float32(X2))], "y",
                    mode="nearest"))


# --- Reductions -------------------------------------------------------------------------
def reduce_mean(name, shape, axes, keepdims=1, opset=13):
    def fn(c):
        if opset >= 18:
            c.output(c.node("ReduceMean", [c.input("x", shape), c.ints("axes", axes)], "y",
                            keepdims=keepdims))
        else:
            c.output(c.node("ReduceMean", [c.input("x", shape)], "y", axes=axes,
                            keepdims=keepdims))
    CASES[name] = (fn, opset, False)


reduce_mean("reducemean_spatial_keepdims", FEAT, [2, 3])
reduce_mean("reducemean_spatial_no_keepdims", FEAT, [2, 3], keepdims=0)
reduce_mean("reducemean_channels", FEAT, [1])
reduce_mean("reducemean_last_axis_3d", [2, 5, 7], [-1])
reduce_mean("reducemean_axes_input_opset18", [2, 5, 7], [1], keepdims=0, opset=18)


# --- Gather / Cast ----------------------------------------------------------------------
@case("gather_embedding")
def _(c):
    c.output(c.node("Gather", [c.weight("table", [50, 16]),
                               c.input("ids", [1, 7], TensorProto.INT64, dist="int:0:50")], "y"))


@case("gather_const_indices_axis1")
def _(c):
    c.output(c.node("Gather", [c.input("x", [2, 10, 4]), c.ints("idx", [7, 0, -1])], "y",
                    axis=1))


@case("gather_scalar_index")
def _(c):
    c.output(c.node("Gather", [c.input("x", [2, 10, 4]), c.const("idx", np.int64(-2))], "y",
                    axis=1))


@case("gather_channels_nchw")
def _(c):
    c.output(c.node("Gather", [c.input("x", FEAT), c.ints("idx", [5, 1, 2])], "y", axis=1))


@case("cast_float_int32_float")
def _(c):
    y = c.node("Cast", [c.input("x", FEAT)], "i", to=TensorProto.INT32)
    c.output(c.node("Cast", [y], "y", to=TensorProto.FLOAT))


@case("cast_int64_input_to_float")
def _(c):
    c.output(c.node("Cast", [c.input("x", [3, 4], TensorProto.INT64, dist="int:-50:50")], "y",
                    to=TensorProto.FLOAT))


# --- LSTM ----------------------------------------------------------------------------------
def lstm(name, direction="forward", seq=6, batch=1, size=8, hidden=12, state_inputs=False,
         outputs=("Y", "Y_h", "Y_c"), opset=14, refuse_ok=False):
    def fn(c):
        nd = 2 if direction == "bidirectional" else 1
        ins = [c.input("x", [seq, batch, size]), c.weight("W", [nd, 4 * hidden, size]),
               c.weight("R", [nd, 4 * hidden, hidden]), c.weight("B", [nd, 8 * hidden], 0.1), ""]
        if state_inputs:
            ins += [c.input("h0", [nd, batch, hidden]), c.input("c0", [nd, batch, hidden])]
        names = [o if o in outputs else "" for o in ("Y", "Y_h", "Y_c")]
        while names[-1] == "":
            names.pop()
        c.node("LSTM", ins, names, hidden_size=hidden, direction=direction)
        c.output(*[o for o in names if o])
    CASES[name] = (fn, opset, refuse_ok)


lstm("lstm_forward")
lstm("lstm_forward_y_only", outputs=("Y",))
lstm("lstm_reverse", direction="reverse", refuse_ok=True)
lstm("lstm_bidirectional")
lstm("lstm_forward_batch2_state_inputs", batch=2, state_inputs=True)
lstm("lstm_bidirectional_state_inputs", state_inputs=True)
lstm("lstm_opset7", opset=7)


# --- Small composites -------------------------------------------------------------------
@case("conv_gap_flatten_gemm")
def _(c):
    y = c.node("Conv", [c.input("x", IMG), c.weight("w", [8, 3, 3, 3]), c.weight("b", [8])], "c",
               pads=[1, 1, 1, 1], strides=[2, 2])
    y = c.node("Relu", [y], "r")
    y = c.node("GlobalAveragePool", [y], "g")
    y = c.node("Flatten", [y], "f")
    c.output(c.node("Gemm", [y, c.weight("fw", [5, 8]), c.weight("fb", [5])], "y", transB=1))


@case("conv_reshape_transpose_pixel_shuffle")
def _(c):
    y = c.node("Conv", [c.input("x", [1, 3, 10, 12]), c.weight("w", [12, 3, 3, 3])], "c",
               pads=[1, 1, 1, 1])
    y = c.node("Reshape", [y, c.ints("s1", [1, 3, 2, 2, 10, 12])], "r1")
    y = c.node("Transpose", [y], "t", perm=[0, 1, 4, 2, 5, 3])
    c.output(c.node("Reshape", [y, c.ints("s2", [1, 3, 20, 24])], "y"))


@case("gemm_gather_channel_permutation")
def _(c):
    # A permutation of the FC's outputs folds into its weight rows and bias.
    y = c.node("Gemm", [c.input("x", [2, 6]), c.weight("w", [5, 6]), c.weight("b", [5])], "fc",
               transB=1)
    c.output(c.node("Gather", [y, c.ints("perm", [4, 2, 0, 1, 3])], "y", axis=1))


@case("depth_to_space_dcr")
def _(c):
    c.output(c.node("DepthToSpace", [c.input("x", [1, 8, 3, 4])], "y", blocksize=2))


@case("depth_to_space_crd")
def _(c):
    c.output(c.node("DepthToSpace", [c.input("x", [1, 18, 3, 2])], "y", blocksize=3, mode="CRD"))


@case("conv_depth_to_space_crd")
def _(c):
    # torch.onnx's pixel_shuffle at opset >= 11; the channel GATHER folds into the conv.
    y = c.node("Conv", [c.input("x", [1, 3, 5, 5]), c.weight("w", [12, 3, 3, 3]),
                        c.weight("b", [12])], "c", pads=[1, 1, 1, 1])
    c.output(c.node("DepthToSpace", [y], "y", blocksize=2, mode="CRD"))


@case("space_to_depth")
def _(c):
    c.output(c.node("SpaceToDepth", [c.input("x", [1, 3, 6, 4])], "y", blocksize=2))


@case("conv_reshape_transpose_dcr_depth_to_space")
def _(c):
    # DepthToSpace in DCR order written out (TensorFlow's channel order).
    y = c.node("Conv", [c.input("x", [1, 3, 6, 5]), c.weight("w", [8, 3, 3, 3])], "c",
               pads=[1, 1, 1, 1])
    y = c.node("Reshape", [y, c.ints("s1", [1, 2, 2, 2, 6, 5])], "r1")
    y = c.node("Transpose", [y], "t", perm=[0, 3, 4, 1, 5, 2])
    c.output(c.node("Reshape", [y, c.ints("s2", [1, 2, 12, 10])], "y"))


@case("conv_megvii_shuffle_split")
def _(c):
    # Megvii ShuffleNetV2 / FastestDet: shuffle and split in one chain; GATHER 0
    # and 1 pick the even and the odd channels.
    y = c.node("Conv", [c.input("x", [1, 3, 8, 8]), c.weight("w", [8, 3, 3, 3])], "c",
               pads=[1, 1, 1, 1])
    y = c.node("Reshape", [y, c.ints("s1", [4, 2, 64])], "r1")
    y = c.node("Transpose", [y], "t", perm=[1, 0, 2])
    y = c.node("Reshape", [y, c.ints("s2", [2, -1, 4, 8, 8])], "r2")
    even = c.node("Gather", [y, c.const("i0", np.int64(0))], "even", axis=0)
    odd = c.node("Gather", [y, c.const("i1", np.int64(1))], "odd", axis=0)
    odd = c.node("Conv", [odd, c.weight("w2", [4, 4, 1, 1])], "branch")
    c.output(c.node("Concat", [even, odd], "y", axis=1))


@case("two_outputs_nchw_and_flat")
def _(c):
    y = c.node("Conv", [c.input("x", IMG), c.weight("w", [8, 3, 3, 3])], "feat", pads=[1, 1, 1, 1])
    g = c.node("ReduceMean", [y], "pooled", axes=[2, 3], keepdims=0)
    c.output(y, g)


def main():
    out_dir = Path(sys.argv[1])
    out_dir.mkdir(parents=True, exist_ok=True)
    index = {}
    for name, (fn, opset, refuse_ok) in CASES.items():
        c = Case(name, opset, refuse_ok)
        fn(c)
        model = c.build()
        (out_dir / f"{name}.onnx").write_bytes(model.SerializeToString())
        index[name] = {"file": f"{name}.onnx", "opset": opset, "refuse_ok": refuse_ok,
                       "ops": sorted({n.op_type for n in model.graph.node}),
                       "inputs": {k: dist_spec(v) for k, v in c.dists.items()}}
    (out_dir / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True))
    print(f"gen_op_models: {len(index)} models in {out_dir}", file=sys.stderr)


def dist_spec(dist):
    if dist.startswith("int:"):
        low, high = map(int, dist[4:].split(":"))
        return {"kind": "tokens", "low": low, "high": high}
    return {"kind": dist}


if __name__ == "__main__":
    main()
