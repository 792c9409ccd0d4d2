// Tests of the TFLite exporter: hand-built graphs are exported and the bytes
// are checked through the generated flatbuffers API. The "zoo" graphs cover
// every options table; with OPTCONV_TFLITE_DUMP_DIR set they are also written
// there for exporters/tflite/litert_check.py, which runs them in LiteRT and
// compares with numpy.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "converter/graph.h"
#include "converter/op_kind.h"
#include "exporters/tflite/builtin_codes.h"
#include "exporters/tflite/runtime_versions.h"
#include "exporters/tflite/tflite_exporter.h"
#include "exporters/tflite/tflite_reader.h"
#include "gtest/gtest.h"
#include "schema_generated.h"

namespace optconv {
namespace {

using BO = tflite::BuiltinOperator;
constexpr DataType kF32 = DataType::kFloat32;
constexpr DataType kI32 = DataType::kInt32;

// ---------------------------------------------------------------------------
// Graph building helpers
// ---------------------------------------------------------------------------

/// Deterministic, varied float values (the python checker reads constants
/// back from the model, so the formula is not duplicated there).
std::vector<float> Values(int64_t n, int seed = 0) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    v[i] = static_cast<float>(((i + seed) * 7919 + seed * 13) % 23 - 11) / 10.0f;
  }
  return v;
}

int64_t Count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

class Builder {
 public:
  explicit Builder(std::string source = "test.onnx") { g_.source_path = std::move(source); }

  TensorId Input(const std::string& name, Shape shape, DataType type = kF32) {
    TensorId id = g_.AddActivation(name, type, std::move(shape));
    g_.inputs().push_back(id);
    return id;
  }
  TensorId Weights(const std::string& name, Shape shape, int seed = 1) {
    const std::vector<float> v = Values(Count(shape), seed);
    return g_.AddConstantValues<float>(name, kF32, std::move(shape), absl::MakeConstSpan(v));
  }
  template <typename T>
  TensorId Const(const std::string& name, DataType type, Shape shape, std::vector<T> values) {
    return g_.AddConstantValues<T>(name, type, std::move(shape), absl::MakeConstSpan(values));
  }
  TensorId I32(const std::string& name, std::vector<int32_t> values, bool scalar = false) {
    Shape shape = scalar ? Shape{} : Shape{static_cast<int64_t>(values.size())};
    return Const<int32_t>(name, kI32, std::move(shape), std::move(values));
  }
  /// Adds an op with one output and returns the output.
  TensorId Add(OpKind kind, OpOptions options, std::vector<TensorId> inputs,
               const std::string& out_name, Shape out_shape, DataType out_type = kF32) {
    return AddMulti(kind, std::move(options), std::move(inputs), {{out_name, out_shape, out_type}})[0];
  }
  struct Out {
    std::string name;
    Shape shape;
    DataType type = kF32;
  };
  std::vector<TensorId> AddMulti(OpKind kind, OpOptions options, std::vector<TensorId> inputs,
                                 std::vector<Out> outs) {
    Op op;
    op.kind = kind;
    op.options = std::move(options);
    op.inputs = std::move(inputs);
    for (const Out& o : outs) op.outputs.push_back(g_.AddActivation(o.name, o.type, o.shape));
    op.origin = {std::string("node_") + outs[0].name, std::string(OpKindName(kind))};
    std::vector<TensorId> result = op.outputs;
    g_.AddOp(std::move(op));
    return result;
  }
  void Output(TensorId id) { g_.outputs().push_back(id); }
  /// A serving_default signature over the graph inputs/outputs, named after
  /// the tensors.
  void DefaultSignature() {
    Signature sig;
    for (TensorId id : g_.inputs()) sig.inputs.push_back({g_.tensor(id).name, id});
    for (TensorId id : g_.outputs()) sig.outputs.push_back({g_.tensor(id).name, id});
    g_.signatures().push_back(std::move(sig));
  }
  Graph& graph() { return g_; }
  Graph Take() { return std::move(g_); }

 private:
  Graph g_;
};

// ---------------------------------------------------------------------------
// Core graphs
// ---------------------------------------------------------------------------

/// x -> CONV_2D(w, b, relu6) -> ADD(const) -> RESHAPE -> SOFTMAX
Graph ConvChain() {
  Builder b;
  TensorId x = b.Input("x", {1, 8, 8, 3});
  TensorId w = b.Weights("conv.w", {4, 3, 3, 3});
  TensorId bias = b.Weights("conv.b", {4}, 2);
  Conv2DOptions conv;
  conv.padding = Padding::kSame;
  conv.activation = Activation::kRelu6;
  TensorId y = b.Add(OpKind::kConv2D, conv, {x, w, bias}, "conv", {1, 8, 8, 4});
  TensorId c = b.Weights("shift", {4}, 3);
  TensorId z = b.Add(OpKind::kAdd, BinaryOptions{}, {y, c}, "shifted", {1, 8, 8, 4});
  TensorId shape = b.I32("flat_shape", {1, 256});
  TensorId r = b.Add(OpKind::kReshape, NoOptions{}, {z, shape}, "flat", {1, 256});
  TensorId p = b.Add(OpKind::kSoftmax, SoftmaxOptions{}, {r}, "probs", {1, 256});
  b.Output(p);
  b.DefaultSignature();
  return b.Take();
}

/// x[?,16] -> FULLY_CONNECTED(w, b, relu) -> y[?,8]
Graph FcDynamic() {
  Builder b;
  TensorId x = b.Input("x", {kUnknownDim, 16});
  TensorId w = b.Weights("fc.w", {8, 16});
  TensorId bias = b.Weights("fc.b", {8}, 5);
  FullyConnectedOptions fc;
  fc.activation = Activation::kRelu;
  TensorId y = b.Add(OpKind::kFullyConnected, fc, {x, w, bias}, "y", {kUnknownDim, 8});
  b.Output(y);
  b.DefaultSignature();
  return b.Take();
}

/// x[2,5,16] -> FULLY_CONNECTED(w, <omitted bias>, keep_num_dims) -> [2,5,8]
Graph FcKeepDimsNoBias() {
  Builder b;
  TensorId x = b.Input("x", {2, 5, 16});
  TensorId w = b.Weights("fc.w", {8, 16});
  FullyConnectedOptions fc;
  fc.keep_num_dims = true;
  TensorId y = b.Add(OpKind::kFullyConnected, fc, {x, w, kNoTensor}, "y", {2, 5, 8});
  b.Output(y);
  b.DefaultSignature();
  return b.Take();
}

// ---------------------------------------------------------------------------
// The zoo: one small graph per options table / op family. Names are the keys
// litert_check.py uses for its numpy references.
// ---------------------------------------------------------------------------

Graph ZooDepthwise() {
  Builder b;
  TensorId x = b.Input("x", {1, 9, 9, 2});
  DepthwiseConv2DOptions o;
  o.dilation_h = o.dilation_w = 2;
  o.depth_multiplier = 2;
  o.activation = Activation::kRelu;
  TensorId y = b.Add(OpKind::kDepthwiseConv2D, o,
                     {x, b.Weights("dw.w", {1, 3, 3, 4}), b.Weights("dw.b", {4}, 4)}, "y",
                     {1, 5, 5, 4});
  b.Output(y);
  return b.Take();
}

Graph ZooTransposeConv() {
  Builder b;
  TensorId x = b.Input("x", {1, 4, 4, 2});
  TransposeConvOptions o;
  o.padding = Padding::kSame;
  o.stride_h = o.stride_w = 2;
  TensorId y = b.Add(OpKind::kTransposeConv, o,
                     {b.I32("out_shape", {1, 8, 8, 3}), b.Weights("tc.w", {3, 3, 3, 2}), x,
                      b.Weights("tc.b", {3}, 6)},
                     "y", {1, 8, 8, 3});
  b.Output(y);
  return b.Take();
}

Graph ZooPools() {
  Builder b;
  TensorId x = b.Input("x", {1, 6, 6, 3});
  Pool2DOptions avg;
  avg.stride_h = avg.stride_w = 2;
  avg.filter_h = avg.filter_w = 2;
  Pool2DOptions max;
  max.padding = Padding::kSame;
  max.filter_h = max.filter_w = 3;
  max.activation = Activation::kRelu;
  b.Output(b.Add(OpKind::kAveragePool2D, avg, {x}, "avg", {1, 3, 3, 3}));
  b.Output(b.Add(OpKind::kMaxPool2D, max, {x}, "max", {1, 6, 6, 3}));
  return b.Take();
}

Graph ZooMatmulConcat() {
  Builder b;
  TensorId a = b.Input("a", {2, 3, 4});
  TensorId c = b.Input("c", {2, 5, 4});
  BatchMatMulOptions mm;
  mm.adj_y = true;
  b.Output(b.Add(OpKind::kBatchMatMul, mm, {a, c}, "matmul", {2, 3, 5}));
  ConcatenationOptions cat;
  cat.axis = 1;
  b.Output(b.Add(OpKind::kConcatenation, cat, {a, c}, "concat", {2, 8, 4}));
  return b.Take();
}

Graph ZooReducers() {
  Builder b;
  TensorId x = b.Input("x", {2, 3, 4});
  ReducerOptions keep;
  keep.keep_dims = true;
  b.Output(b.Add(OpKind::kMean, keep, {x, b.I32("ax_mean", {1})}, "mean", {2, 1, 4}));
  b.Output(b.Add(OpKind::kSum, ReducerOptions{}, {x, b.I32("ax_sum", {0, 2})}, "sum", {3}));
  b.Output(b.Add(OpKind::kReduceMax, ReducerOptions{}, {x, b.I32("ax_max", {2})}, "max", {2, 3}));
  b.Output(b.Add(OpKind::kReduceMin, keep, {x, b.I32("ax_min", {-1})}, "min", {2, 3, 1}));
  b.Output(b.Add(OpKind::kReduceProd, ReducerOptions{}, {x, b.I32("ax_prod", {1})}, "prod",
                 {2, 4}));
  return b.Take();
}

Graph ZooActivations() {
  Builder b;
  TensorId x = b.Input("x", {2, 5});
  const Shape s = {2, 5};
  LeakyReluOptions leaky;
  leaky.alpha = 0.3f;
  GeluOptions approx;
  approx.approximate = true;
  b.Output(b.Add(OpKind::kLeakyRelu, leaky, {x}, "leaky_relu", s));
  b.Output(b.Add(OpKind::kGelu, approx, {x}, "gelu_tanh", s));
  b.Output(b.Add(OpKind::kGelu, GeluOptions{}, {x}, "gelu", s));
  b.Output(b.Add(OpKind::kElu, NoOptions{}, {x}, "elu", s));
  b.Output(b.Add(OpKind::kHardSwish, NoOptions{}, {x}, "hard_swish", s));
  b.Output(b.Add(OpKind::kRelu, NoOptions{}, {x}, "relu", s));
  b.Output(b.Add(OpKind::kRelu6, NoOptions{}, {x}, "relu6", s));
  b.Output(b.Add(OpKind::kReluN1To1, NoOptions{}, {x}, "relu_n1_to_1", s));
  b.Output(b.Add(OpKind::kLogistic, NoOptions{}, {x}, "logistic", s));
  b.Output(b.Add(OpKind::kTanh, NoOptions{}, {x}, "tanh", s));
  b.Output(b.Add(OpKind::kPrelu, NoOptions{}, {x, b.Weights("alpha", {5}, 9)}, "prelu", s));
  b.Output(b.Add(OpKind::kLogSoftmax, NoOptions{}, {x}, "log_softmax", s));
  SoftmaxOptions sm;
  sm.beta = 0.5f;
  b.Output(b.Add(OpKind::kSoftmax, sm, {x}, "softmax_beta", s));
  b.Output(b.Add(OpKind::kL2Normalization, L2NormOptions{}, {x}, "l2norm", s));
  return b.Take();
}

Graph ZooSplits() {
  Builder b;
  TensorId x = b.Input("x", {2, 6});
  SplitOptions three;
  three.num_splits = 3;
  for (TensorId t : b.AddMulti(OpKind::kSplit, three, {b.I32("axis", {1}, true), x},
                               {{"split0", {2, 2}}, {"split1", {2, 2}}, {"split2", {2, 2}}})) {
    b.Output(t);
  }
  SplitOptions two;
  two.num_splits = 2;
  for (TensorId t : b.AddMulti(OpKind::kSplitV, two,
                               {x, b.I32("sizes", {1, 5}), b.I32("axis_v", {1}, true)},
                               {{"splitv0", {2, 1}}, {"splitv1", {2, 5}}})) {
    b.Output(t);
  }
  PackOptions pack;
  pack.axis = 1;
  TensorId packed = b.Add(OpKind::kPack, pack, {x, x}, "pack", {2, 2, 6});
  b.Output(packed);
  PackOptions unpack;
  unpack.axis = 2;
  unpack.values_count = 6;
  std::vector<Builder::Out> outs;
  for (int i = 0; i < 6; ++i) outs.push_back({"unpack" + std::to_string(i), {2, 2}});
  for (TensorId t : b.AddMulti(OpKind::kUnpack, unpack, {packed}, outs)) b.Output(t);
  return b.Take();
}

Graph ZooShapes() {
  Builder b;
  TensorId x = b.Input("x", {1, 3, 1, 2});
  SqueezeOptions sq;
  sq.squeeze_dims = {0, 2};
  TensorId s = b.Add(OpKind::kSqueeze, sq, {x}, "squeeze", {3, 2});
  b.Output(s);
  b.Output(b.Add(OpKind::kExpandDims, NoOptions{}, {s, b.I32("ed_axis", {1}, true)}, "expand_dims",
                 {3, 1, 2}));
  b.Output(b.Add(OpKind::kTranspose, NoOptions{}, {s, b.I32("perm", {1, 0})}, "transpose", {2, 3}));
  b.Output(b.Add(OpKind::kTile, NoOptions{}, {s, b.I32("multiples", {2, 1})}, "tile", {6, 2}));
  b.Output(b.Add(OpKind::kSlice, NoOptions{}, {s, b.I32("begin", {1, 0}), b.I32("size", {2, 1})},
                 "slice", {2, 1}));
  b.Output(b.Add(OpKind::kShape, NoOptions{}, {s}, "shape", {2}, kI32));
  b.Output(b.Add(OpKind::kBroadcastTo, NoOptions{}, {s, b.I32("bshape", {4, 3, 2})},
                 "broadcast_to", {4, 3, 2}));
  b.Output(b.Add(OpKind::kFill, NoOptions{},
                 {b.I32("dims", {2, 2}),
                  b.Const<float>("value", kF32, {}, std::vector<float>{3.5f})},
                 "fill", {2, 2}));
  b.Output(b.Add(OpKind::kRange, NoOptions{},
                 {b.I32("start", {1}, true), b.I32("limit", {10}, true),
                  b.I32("delta", {3}, true)},
                 "range", {3}, kI32));
  return b.Take();
}

Graph ZooStridedSliceGather() {
  Builder b;
  TensorId x = b.Input("x", {4, 6, 5});
  StridedSliceOptions ss;
  ss.end_mask = 4;
  b.Output(b.Add(OpKind::kStridedSlice, ss,
                 {x, b.I32("b0", {1, 0, 4}), b.I32("e0", {3, 6, 0}), b.I32("s0", {1, 2, -1})},
                 "ss_masks", {2, 3, 5}));
  StridedSliceOptions shrink;
  shrink.shrink_axis_mask = 1;
  b.Output(b.Add(OpKind::kStridedSlice, shrink,
                 {x, b.I32("b1", {2, 0, 0}), b.I32("e1", {3, 6, 5}), b.I32("s1", {1, 1, 1})},
                 "ss_shrink", {6, 5}));
  b.Output(b.Add(OpKind::kGather, GatherOptions{},
                 {x, b.Const<int32_t>("idx", kI32, {2, 2}, {3, 0, 1, 1})}, "gather",
                 {2, 2, 6, 5}));
  GatherOptions batched;
  batched.axis = 1;
  batched.batch_dims = 1;
  b.Output(b.Add(OpKind::kGather, batched,
                 {x, b.Const<int32_t>("bidx", kI32, {4, 2}, {5, 0, 1, 1, 2, 3, 4, 4})},
                 "gather_batched", {4, 2, 5}));
  return b.Take();
}

Graph ZooResizeSpace() {
  Builder b;
  TensorId x = b.Input("x", {1, 3, 4, 8});
  ResizeOptions half;
  half.half_pixel_centers = true;
  ResizeOptions align;
  align.align_corners = true;
  TensorId size = b.I32("size", {6, 8});
  b.Output(b.Add(OpKind::kResizeBilinear, half, {x, size}, "bilinear_half", {1, 6, 8, 8}));
  b.Output(b.Add(OpKind::kResizeBilinear, align, {x, size}, "bilinear_align", {1, 6, 8, 8}));
  b.Output(b.Add(OpKind::kResizeNearestNeighbor, half, {x, size}, "nearest_half", {1, 6, 8, 8}));
  b.Output(b.Add(OpKind::kResizeNearestNeighbor, ResizeOptions{}, {x, size}, "nearest",
                 {1, 6, 8, 8}));
  BlockSizeOptions two;
  two.block_size = 2;
  b.Output(b.Add(OpKind::kDepthToSpace, two, {x}, "depth_to_space", {1, 6, 8, 2}));
  b.Output(b.Add(OpKind::kSpaceToDepth, two,
                 {b.Add(OpKind::kAdd, BinaryOptions{}, {x, x}, "x2", {1, 3, 4, 8})},
                 "space_to_depth_unused", {1, 3, 4, 8}));  // replaced below
  // SPACE_TO_DEPTH needs even H and W: run it on the DEPTH_TO_SPACE output.
  Graph& g = b.graph();
  g.ops().pop_back();
  g.ops().pop_back();
  g.outputs().pop_back();
  b.Output(b.Add(OpKind::kSpaceToDepth, two, {g.outputs().back()}, "space_to_depth",
                 {1, 3, 4, 8}));
  g.RemoveUnusedTensors();
  return b.Take();
}

Graph ZooPads() {
  Builder b;
  TensorId x = b.Input("x", {1, 3, 3, 2});
  TensorId pads = b.Const<int32_t>("pads", kI32, {4, 2}, {0, 0, 1, 1, 2, 0, 0, 0});
  b.Output(b.Add(OpKind::kPad, NoOptions{}, {x, pads}, "pad", {1, 5, 5, 2}));
  b.Output(b.Add(OpKind::kPadV2, NoOptions{},
                 {x, pads, b.Const<float>("pad_value", kF32, {}, std::vector<float>{7.0f})},
                 "padv2", {1, 5, 5, 2}));
  MirrorPadOptions sym;
  sym.symmetric = true;
  b.Output(b.Add(OpKind::kMirrorPad, sym, {x, pads}, "mirror_symmetric", {1, 5, 5, 2}));
  b.Output(b.Add(OpKind::kMirrorPad, MirrorPadOptions{}, {x, pads}, "mirror_reflect",
                 {1, 5, 5, 2}));
  return b.Take();
}

Graph ZooCastArgCumsum() {
  Builder b;
  TensorId x = b.Input("x", {3, 4});
  b.Output(b.Add(OpKind::kCast, CastOptions{}, {x}, "cast_i32", {3, 4}, kI32));
  TensorId axis = b.I32("axis", {1}, true);
  b.Output(b.Add(OpKind::kArgMax, ArgOptions{}, {x, axis}, "argmax", {3}, kI32));
  b.Output(b.Add(OpKind::kArgMin, ArgOptions{}, {x, axis}, "argmin", {3}, DataType::kInt64));
  CumsumOptions cs;
  cs.exclusive = true;
  cs.reverse = true;
  b.Output(b.Add(OpKind::kCumsum, cs, {x, axis}, "cumsum_excl_rev", {3, 4}));
  b.Output(b.Add(OpKind::kCumsum, CumsumOptions{}, {x, axis}, "cumsum", {3, 4}));
  return b.Take();
}

/// float16 weights expanded by DEQUANTIZE, as in float16-quantized models.
Graph ZooDequantize() {
  Builder b;
  TensorId x = b.Input("x", {2, 4});
  TensorId w = b.Add(OpKind::kDequantize, NoOptions{},
                     {b.Const<uint16_t>("half", DataType::kFloat16, {4},
                                        {0x3C00, 0xC000, 0x3800, 0x4248})},  // 1 -2 0.5 3.140625
                     "dequantized", {4});
  b.Output(b.Add(OpKind::kMul, BinaryOptions{}, {x, w}, "y", {2, 4}));
  return b.Take();
}

Graph ZooBinary() {
  Builder b;
  TensorId a = b.Input("a", {2, 3});
  TensorId c = b.Input("c", {3});
  const Shape s = {2, 3};
  auto act = [](Activation a) {
    BinaryOptions o;
    o.activation = a;
    return o;
  };
  b.Output(b.Add(OpKind::kAdd, act(Activation::kRelu), {a, c}, "add_relu", s));
  b.Output(b.Add(OpKind::kSub, act(Activation::kRelu6), {a, c}, "sub_relu6", s));
  b.Output(b.Add(OpKind::kMul, act(Activation::kReluN1To1), {a, c}, "mul_relu_n1", s));
  b.Output(b.Add(OpKind::kDiv, act(Activation::kNone), {a, c}, "div", s));
  b.Output(b.Add(OpKind::kMaximum, NoOptions{}, {a, c}, "maximum", s));
  b.Output(b.Add(OpKind::kMinimum, NoOptions{}, {a, c}, "minimum", s));
  b.Output(b.Add(OpKind::kSquaredDifference, NoOptions{}, {a, c}, "squared_difference", s));
  TensorId pa = b.Add(OpKind::kAbs, NoOptions{}, {a}, "abs", s);
  b.Output(pa);
  b.Output(b.Add(OpKind::kPow, NoOptions{}, {pa, c}, "pow", s));
  const DataType kB = DataType::kBool;
  TensorId less = b.Add(OpKind::kLess, NoOptions{}, {a, c}, "less", s, kB);
  TensorId ge = b.Add(OpKind::kGreaterEqual, NoOptions{}, {a, c}, "greater_equal", s, kB);
  b.Output(less);
  b.Output(ge);
  b.Output(b.Add(OpKind::kGreater, NoOptions{}, {a, c}, "greater", s, kB));
  b.Output(b.Add(OpKind::kLessEqual, NoOptions{}, {a, c}, "less_equal", s, kB));
  b.Output(b.Add(OpKind::kEqual, NoOptions{}, {a, c}, "equal", s, kB));
  b.Output(b.Add(OpKind::kNotEqual, NoOptions{}, {a, c}, "not_equal", s, kB));
  b.Output(b.Add(OpKind::kLogicalAnd, NoOptions{}, {less, ge}, "logical_and", s, kB));
  b.Output(b.Add(OpKind::kLogicalOr, NoOptions{}, {less, ge}, "logical_or", s, kB));
  b.Output(b.Add(OpKind::kSelectV2, NoOptions{}, {less, a, c}, "select_v2", s));
  return b.Take();
}

Graph ZooUnary() {
  Builder b;
  TensorId x = b.Input("x", {2, 4});
  const Shape s = {2, 4};
  TensorId p = b.Add(OpKind::kAbs, NoOptions{}, {x}, "abs", s);
  b.Output(p);
  b.Output(b.Add(OpKind::kExp, NoOptions{}, {x}, "exp", s));
  b.Output(b.Add(OpKind::kLog, NoOptions{}, {p}, "log", s));
  b.Output(b.Add(OpKind::kSqrt, NoOptions{}, {p}, "sqrt", s));
  b.Output(b.Add(OpKind::kRsqrt, NoOptions{}, {p}, "rsqrt", s));
  b.Output(b.Add(OpKind::kSquare, NoOptions{}, {x}, "square", s));
  b.Output(b.Add(OpKind::kNeg, NoOptions{}, {x}, "neg", s));
  b.Output(b.Add(OpKind::kSin, NoOptions{}, {x}, "sin", s));
  b.Output(b.Add(OpKind::kCos, NoOptions{}, {x}, "cos", s));
  b.Output(b.Add(OpKind::kFloor, NoOptions{}, {x}, "floor", s));
  b.Output(b.Add(OpKind::kCeil, NoOptions{}, {x}, "ceil", s));
  b.Output(b.Add(OpKind::kRound, NoOptions{}, {x}, "round", s));
  b.Output(b.Add(OpKind::kSign, NoOptions{}, {x}, "sign", s));
  return b.Take();
}

/// int8 CONV_2D with per-channel weights (version 3).
Graph ZooQuantizedConv() {
  Builder b;
  Graph& g = b.graph();
  TensorId x = b.Input("x", {1, 4, 4, 2}, DataType::kInt8);
  g.tensor(x).quant = QuantParams{{0.5f}, {-1}, 0, {}, {}};
  TensorId w = b.Const<int8_t>("w", DataType::kInt8, {3, 1, 1, 2}, {1, -2, 3, 4, -5, 6});
  g.tensor(w).quant = QuantParams{{0.1f, 0.2f, 0.3f}, {0, 0, 0}, 0, {}, {}};
  TensorId bias = b.Const<int32_t>("b", kI32, {3}, {10, -20, 30});
  g.tensor(bias).quant = QuantParams{{0.05f, 0.1f, 0.15f}, {0, 0, 0}, 0, {}, {}};
  TensorId y = b.Add(OpKind::kConv2D, Conv2DOptions{}, {x, w, bias}, "y", {1, 4, 4, 3},
                     DataType::kInt8);
  g.tensor(y).quant = QuantParams{{0.25f}, {3}, 0, {}, {}};
  b.Output(y);
  return b.Take();
}

/// UNIDIRECTIONAL_SEQUENCE_LSTM with omitted optional inputs and variable
/// state tensors.
Graph ZooLstm() {
  Builder b;
  Graph& g = b.graph();
  const int64_t T = 3, B = 2, I = 4, C = 5;
  TensorId x = b.Input("x", {T, B, I});
  std::vector<TensorId> in = {x};
  const char* gates = "ifco";
  for (int k = 0; k < 4; ++k) in.push_back(b.Weights(std::string("w_") + gates[k], {C, I}, 10 + k));
  for (int k = 0; k < 4; ++k) in.push_back(b.Weights(std::string("r_") + gates[k], {C, C}, 20 + k));
  for (int k = 0; k < 3; ++k) in.push_back(kNoTensor);  // peepholes
  for (int k = 0; k < 4; ++k) in.push_back(b.Weights(std::string("b_") + gates[k], {C}, 30 + k));
  in.push_back(kNoTensor);  // projection weights
  in.push_back(kNoTensor);  // projection bias
  for (const char* name : {"output_state", "cell_state"}) {
    TensorId state = g.AddActivation(name, kF32, {B, C});
    g.tensor(state).is_variable = true;
    in.push_back(state);
  }
  for (int k = 0; k < 4; ++k) in.push_back(kNoTensor);  // layer norm
  SequenceLstmOptions o;
  o.cell_clip = 0.0f;
  b.Output(b.Add(OpKind::kUnidirectionalSequenceLstm, o, in, "y", {T, B, C}));
  return b.Take();
}

/// BIDIRECTIONAL_SEQUENCE_LSTM (48 inputs, merged outputs, batch-major).
Graph ZooBiLstm() {
  Builder b;
  Graph& g = b.graph();
  const int64_t B = 2, T = 3, I = 4, C = 3;
  TensorId x = b.Input("x", {B, T, I});
  std::vector<TensorId> in = {x};
  const char* gates = "ifco";
  for (const char* dir : {"fw", "bw"}) {
    const std::string d(dir);
    const int seed = d == "fw" ? 40 : 60;
    for (int k = 0; k < 4; ++k) in.push_back(b.Weights(d + "_w_" + gates[k], {C, I}, seed + k));
    for (int k = 0; k < 4; ++k) in.push_back(b.Weights(d + "_r_" + gates[k], {C, C}, seed + 4 + k));
    for (int k = 0; k < 3; ++k) in.push_back(kNoTensor);  // peepholes
    for (int k = 0; k < 4; ++k) in.push_back(b.Weights(d + "_b_" + gates[k], {C}, seed + 8 + k));
    in.push_back(kNoTensor);  // projection weights
    in.push_back(kNoTensor);  // projection bias
  }
  for (const char* name : {"fw_h", "fw_c", "bw_h", "bw_c"}) {
    TensorId state = g.AddActivation(name, kF32, {B, C});
    g.tensor(state).is_variable = true;
    in.push_back(state);
  }
  for (int k = 0; k < 9; ++k) in.push_back(kNoTensor);  // auxiliary input and weights
  SequenceLstmOptions o;
  o.time_major = false;
  o.merge_outputs = true;
  b.Output(b.Add(OpKind::kBidirectionalSequenceLstm, o, in, "y", {B, T, 2 * C}));
  return b.Take();
}

/// RESHAPE with a constant int64 shape (written as ReshapeOptions.new_shape).
Graph ZooReshapeInt64() {
  Builder b;
  TensorId x = b.Input("x", {2, 3, 2});
  b.Output(b.Add(OpKind::kReshape, NoOptions{},
                 {x, b.Const<int64_t>("shape64", DataType::kInt64, {2}, {3, -1})}, "y", {3, 4}));
  return b.Take();
}

struct ZooEntry {
  const char* name;
  std::function<Graph()> make;
};

const std::vector<ZooEntry>& Zoo() {
  static const auto* zoo = new std::vector<ZooEntry>{
      {"conv_chain", ConvChain},
      {"fc_dynamic", FcDynamic},
      {"fc_keepdims_nobias", FcKeepDimsNoBias},
      {"depthwise", ZooDepthwise},
      {"transpose_conv", ZooTransposeConv},
      {"pools", ZooPools},
      {"matmul_concat", ZooMatmulConcat},
      {"reducers", ZooReducers},
      {"activations", ZooActivations},
      {"splits", ZooSplits},
      {"shapes", ZooShapes},
      {"strided_slice_gather", ZooStridedSliceGather},
      {"resize_space", ZooResizeSpace},
      {"pads", ZooPads},
      {"cast_arg_cumsum", ZooCastArgCumsum},
      {"dequantize", ZooDequantize},
      {"binary", ZooBinary},
      {"unary", ZooUnary},
      {"quantized_conv", ZooQuantizedConv},
      {"lstm", ZooLstm},
      {"bilstm", ZooBiLstm},
      {"reshape_int64", ZooReshapeInt64},
  };
  return *zoo;
}

// ---------------------------------------------------------------------------
// Reading helpers
// ---------------------------------------------------------------------------

const tflite::Model* Parse(const std::vector<uint8_t>& bytes) {
  flatbuffers::Verifier verifier(bytes.data(), bytes.size());
  EXPECT_TRUE(tflite::VerifyModelBuffer(verifier));
  return tflite::GetModel(bytes.data());
}

std::vector<uint8_t> ExportOrDie(const Graph& g, const TfliteExportOptions& options = {}) {
  absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(g, options);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *std::move(bytes) : std::vector<uint8_t>{};
}

template <typename T>
std::vector<T> Vec(const flatbuffers::Vector<T>* v) {
  return v == nullptr ? std::vector<T>{} : std::vector<T>(v->begin(), v->end());
}

std::string MinRuntime(const tflite::Model& m) {
  for (const tflite::Metadata* md : *m.metadata()) {
    if (md->name()->str() == "min_runtime_version") {
      const auto* data = m.buffers()->Get(md->buffer())->data();
      EXPECT_EQ(data->size(), 16u);
      return std::string(reinterpret_cast<const char*>(data->data()),
                         strnlen(reinterpret_cast<const char*>(data->data()), data->size()));
    }
  }
  return "<missing>";
}

/// Version of the first operator code with builtin `code` (0 when absent).
int VersionOf(const tflite::Model& m, BO code) {
  for (const tflite::OperatorCode* c : *m.operator_codes()) {
    if (c->builtin_code() == code) return c->version();
  }
  return 0;
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

TEST(TfliteExporterTest, ConvChainStructure) {
  const Graph g = ConvChain();
  TfliteExportOptions options;
  options.description = "optconv test";
  const std::vector<uint8_t> bytes = ExportOrDie(g, options);
  ASSERT_FALSE(bytes.empty());
  EXPECT_TRUE(tflite::ModelBufferHasIdentifier(bytes.data()));
  const tflite::Model& m = *Parse(bytes);

  EXPECT_EQ(m.version(), 3u);
  EXPECT_EQ(m.description()->str(), "optconv test");
  ASSERT_EQ(m.subgraphs()->size(), 1u);
  const tflite::SubGraph& sg = *m.subgraphs()->Get(0);
  EXPECT_EQ(sg.name()->str(), "main");

  // Operator codes: first-use order, one per builtin.
  ASSERT_EQ(m.operator_codes()->size(), 4u);
  const BO expected[] = {BO::CONV_2D, BO::ADD, BO::RESHAPE, BO::SOFTMAX};
  for (int i = 0; i < 4; ++i) {
    const tflite::OperatorCode& c = *m.operator_codes()->Get(i);
    EXPECT_EQ(c.builtin_code(), expected[i]);
    EXPECT_EQ(c.deprecated_builtin_code(), static_cast<int8_t>(expected[i]));
    EXPECT_EQ(c.version(), 1);
  }

  // Tensors mirror the IR: names, types, shapes, buffers.
  ASSERT_EQ(sg.tensors()->size(), static_cast<size_t>(g.num_tensors()));
  // Buffers: the empty sentinel, one per tensor in tensor order (empty for
  // activations, as TensorFlow's converter lays them out), then metadata.
  ASSERT_EQ(m.buffers()->Get(0)->data(), nullptr);
  ASSERT_EQ(m.buffers()->size(), static_cast<size_t>(g.num_tensors()) + 2);
  for (TensorId id = 0; id < g.num_tensors(); ++id) {
    const Tensor& t = g.tensor(id);
    const tflite::Tensor& ft = *sg.tensors()->Get(id);
    EXPECT_EQ(ft.name()->str(), t.name);
    EXPECT_EQ(Vec(ft.shape()), std::vector<int32_t>(t.shape.begin(), t.shape.end()));
    EXPECT_EQ(ft.shape_signature(), nullptr) << "static shapes need no signature";
    EXPECT_TRUE(ft.has_rank());
    EXPECT_EQ(ft.buffer(), static_cast<uint32_t>(id) + 1) << t.name;
    if (!t.is_constant()) {
      const auto* data = m.buffers()->Get(ft.buffer())->data();
      EXPECT_TRUE(data == nullptr || data->size() == 0) << t.name;
      continue;
    }
    const auto* data = m.buffers()->Get(ft.buffer())->data();
    ASSERT_NE(data, nullptr);
    ASSERT_EQ(data->size(), t.data->size());
    EXPECT_EQ(std::memcmp(data->data(), t.data->data(), data->size()), 0) << t.name;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data->data()) % 16, 0u) << "buffer data is 16-aligned";
  }

  // Graph interface.
  EXPECT_EQ(Vec(sg.inputs()), std::vector<int32_t>(g.inputs().begin(), g.inputs().end()));
  EXPECT_EQ(Vec(sg.outputs()), std::vector<int32_t>(g.outputs().begin(), g.outputs().end()));

  // Operators: code indices, inputs/outputs and options.
  ASSERT_EQ(sg.operators()->size(), 4u);
  for (uint32_t i = 0; i < 4; ++i) {
    const tflite::Operator& op = *sg.operators()->Get(i);
    EXPECT_EQ(op.opcode_index(), i);
    EXPECT_EQ(Vec(op.inputs()),
              std::vector<int32_t>(g.ops()[i].inputs.begin(), g.ops()[i].inputs.end()));
    EXPECT_EQ(Vec(op.outputs()),
              std::vector<int32_t>(g.ops()[i].outputs.begin(), g.ops()[i].outputs.end()));
  }
  const tflite::Conv2DOptions* conv = sg.operators()->Get(0)->builtin_options_as_Conv2DOptions();
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->padding(), tflite::Padding::SAME);
  EXPECT_EQ(conv->stride_w(), 1);
  EXPECT_EQ(conv->stride_h(), 1);
  EXPECT_EQ(conv->dilation_w_factor(), 1);
  EXPECT_EQ(conv->fused_activation_function(), tflite::ActivationFunctionType::RELU6);
  const tflite::AddOptions* add = sg.operators()->Get(1)->builtin_options_as_AddOptions();
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->fused_activation_function(), tflite::ActivationFunctionType::NONE);
  EXPECT_TRUE(add->pot_scale_int16());
  // RESHAPE with an int32 shape input: no options, as TensorFlow writes it.
  EXPECT_EQ(sg.operators()->Get(2)->builtin_options_type(), tflite::BuiltinOptions::NONE);
  const tflite::SoftmaxOptions* softmax =
      sg.operators()->Get(3)->builtin_options_as_SoftmaxOptions();
  ASSERT_NE(softmax, nullptr);
  EXPECT_FLOAT_EQ(softmax->beta(), 1.0f);

  // Signature and metadata.
  ASSERT_NE(m.signature_defs(), nullptr);
  ASSERT_EQ(m.signature_defs()->size(), 1u);
  const tflite::SignatureDef& sig = *m.signature_defs()->Get(0);
  EXPECT_EQ(sig.signature_key()->str(), "serving_default");
  EXPECT_EQ(sig.subgraph_index(), 0u);
  ASSERT_EQ(sig.inputs()->size(), 1u);
  EXPECT_EQ(sig.inputs()->Get(0)->name()->str(), "x");
  EXPECT_EQ(sig.inputs()->Get(0)->tensor_index(), static_cast<uint32_t>(g.inputs()[0]));
  ASSERT_EQ(sig.outputs()->size(), 1u);
  EXPECT_EQ(sig.outputs()->Get(0)->name()->str(), "probs");
  EXPECT_EQ(sig.outputs()->Get(0)->tensor_index(), static_cast<uint32_t>(g.outputs()[0]));
  EXPECT_EQ(MinRuntime(m), "1.5.0");
}

TEST(TfliteExporterTest, UnknownBatchGoesToShapeSignature) {
  const Graph g = FcDynamic();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  const tflite::SubGraph& sg = *m.subgraphs()->Get(0);
  const tflite::Tensor& x = *sg.tensors()->Get(g.inputs()[0]);
  EXPECT_EQ(Vec(x.shape()), (std::vector<int32_t>{1, 16}));
  EXPECT_EQ(Vec(x.shape_signature()), (std::vector<int32_t>{-1, 16}));
  const tflite::Tensor& y = *sg.tensors()->Get(g.outputs()[0]);
  EXPECT_EQ(Vec(y.shape()), (std::vector<int32_t>{1, 8}));
  EXPECT_EQ(Vec(y.shape_signature()), (std::vector<int32_t>{-1, 8}));
  const tflite::Tensor& w = *sg.tensors()->Get(1);
  EXPECT_EQ(w.shape_signature(), nullptr);
  EXPECT_EQ(VersionOf(m, BO::FULLY_CONNECTED), 1);
  const auto* fc = sg.operators()->Get(0)->builtin_options_as_FullyConnectedOptions();
  ASSERT_NE(fc, nullptr);
  EXPECT_EQ(fc->fused_activation_function(), tflite::ActivationFunctionType::RELU);
  EXPECT_FALSE(fc->keep_num_dims());
}

TEST(TfliteExporterTest, OmittedInputIsMinusOne) {
  const Graph g = FcKeepDimsNoBias();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  const tflite::Operator& op = *m.subgraphs()->Get(0)->operators()->Get(0);
  EXPECT_EQ(Vec(op.inputs()), (std::vector<int32_t>{0, 1, -1}));
  // Three written inputs (one omitted): keep_num_dims decides, version 5.
  EXPECT_EQ(VersionOf(m, BO::FULLY_CONNECTED), 5);
  EXPECT_TRUE(op.builtin_options_as_FullyConnectedOptions()->keep_num_dims());
  EXPECT_EQ(MinRuntime(m), "2.0.0");
}

TEST(TfliteExporterTest, OpVersionsFollowOptionsAndTypes) {
  Builder b;
  TensorId x = b.Input("x", {1, 9, 9, 2});
  DepthwiseConv2DOptions dw;
  dw.dilation_h = 2;
  TensorId d = b.Add(OpKind::kDepthwiseConv2D, dw,
                     {x, b.Weights("dw.w", {1, 3, 3, 2}), b.Weights("dw.b", {2})}, "dw",
                     {1, 5, 9, 2});
  ResizeOptions half;
  half.half_pixel_centers = true;
  TensorId r = b.Add(OpKind::kResizeBilinear, half, {d, b.I32("size", {10, 18})}, "resized",
                     {1, 10, 18, 2});
  GatherOptions batched;
  batched.axis = 1;
  batched.batch_dims = 1;
  TensorId idx = b.Const<int32_t>("idx", kI32, {1, 2}, {0, 3});
  TensorId gathered = b.Add(OpKind::kGather, batched, {r, idx}, "gathered", {1, 2, 18, 2});
  TensorId five = b.Add(OpKind::kReshape, NoOptions{}, {gathered, b.I32("s5", {1, 2, 3, 6, 2})},
                        "five", {1, 2, 3, 6, 2});
  TensorId sliced = b.Add(OpKind::kStridedSlice, StridedSliceOptions{},
                          {five, b.I32("b", {0, 0, 0, 0, 0}), b.I32("e", {1, 2, 3, 6, 1}),
                           b.I32("st", {1, 1, 1, 1, 1})},
                          "sliced", {1, 2, 3, 6, 1});
  TransposeConvOptions tc;
  TensorId deconv = b.Add(OpKind::kTransposeConv, tc,
                          {b.I32("os", {1, 9, 9, 1}), b.Weights("tc.w", {1, 1, 1, 2}), x,
                           b.Weights("tc.b", {1})},
                          "deconv", {1, 9, 9, 1});
  b.Output(sliced);
  b.Output(deconv);
  const Graph g = b.Take();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  EXPECT_EQ(VersionOf(m, BO::DEPTHWISE_CONV_2D), 2);  // dilation
  EXPECT_EQ(VersionOf(m, BO::RESIZE_BILINEAR), 3);    // half_pixel_centers
  EXPECT_EQ(VersionOf(m, BO::GATHER), 5);             // batch_dims
  EXPECT_EQ(VersionOf(m, BO::STRIDED_SLICE), 4);      // rank 5
  EXPECT_EQ(VersionOf(m, BO::TRANSPOSE_CONV), 3);     // with bias
  EXPECT_EQ(VersionOf(m, BO::RESHAPE), 1);
  EXPECT_EQ(MinRuntime(m), "2.5.0");  // GATHER v5
}

TEST(TfliteExporterTest, QuantizedOpsGetIntegerVersionsAndParams) {
  const Graph g = ZooQuantizedConv();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  EXPECT_EQ(VersionOf(m, BO::CONV_2D), 3);
  EXPECT_EQ(MinRuntime(m), "1.14.0");
  const tflite::SubGraph& sg = *m.subgraphs()->Get(0);
  const tflite::Tensor& w = *sg.tensors()->Get(1);
  EXPECT_EQ(w.type(), tflite::TensorType::INT8);
  ASSERT_NE(w.quantization(), nullptr);
  EXPECT_EQ(Vec(w.quantization()->scale()), (std::vector<float>{0.1f, 0.2f, 0.3f}));
  EXPECT_EQ(Vec(w.quantization()->zero_point()), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(w.quantization()->quantized_dimension(), 0);
  const tflite::Tensor& x = *sg.tensors()->Get(0);
  EXPECT_EQ(Vec(x.quantization()->zero_point()), (std::vector<int64_t>{-1}));
  EXPECT_EQ(sg.tensors()->Get(2)->type(), tflite::TensorType::INT32);
}

TEST(TfliteExporterTest, CodesAbove127UseThePlaceholder) {
  Builder b;
  TensorId x = b.Input("x", {2, 3});
  TensorId c = b.Add(OpKind::kCumsum, CumsumOptions{}, {x, b.I32("axis", {1}, true)}, "c", {2, 3});
  TensorId y = b.Add(OpKind::kGelu, GeluOptions{}, {c}, "y", {2, 3});
  TensorId z = b.Add(OpKind::kAdd, BinaryOptions{}, {y, x}, "z", {2, 3});
  b.Output(z);
  const Graph g = b.Take();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  ASSERT_EQ(m.operator_codes()->size(), 3u);
  const tflite::OperatorCode& cumsum = *m.operator_codes()->Get(0);
  EXPECT_EQ(cumsum.builtin_code(), BO::CUMSUM);
  EXPECT_EQ(cumsum.deprecated_builtin_code(), 127);
  EXPECT_EQ(m.operator_codes()->Get(1)->builtin_code(), BO::GELU);
  EXPECT_EQ(m.operator_codes()->Get(1)->deprecated_builtin_code(), 127);
  EXPECT_EQ(m.operator_codes()->Get(2)->deprecated_builtin_code(), 0);  // ADD
  EXPECT_EQ(TfliteEffectiveBuiltinCode(cumsum), BO::CUMSUM);
  EXPECT_EQ(MinRuntime(m), "2.9.0");  // GELU
}

TEST(TfliteExporterTest, OperatorCodeVersionIsTheMaxOverItsOps) {
  Builder b;
  TensorId x = b.Input("x", {2, 3});
  TensorId y = b.Add(OpKind::kPad, NoOptions{}, {x, b.Const<int32_t>("p", kI32, {2, 2}, {0, 0, 1, 1})},
                     "y", {2, 5});
  TensorId x5 = b.Input("x5", {1, 1, 1, 2, 3});
  TensorId y5 = b.Add(OpKind::kPad, NoOptions{},
                      {x5, b.Const<int32_t>("p5", kI32, {5, 2}, {0, 0, 0, 0, 0, 0, 0, 0, 1, 1})},
                      "y5", {1, 1, 1, 2, 5});
  b.Output(y);
  b.Output(y5);
  const Graph g = b.Take();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  ASSERT_EQ(m.operator_codes()->size(), 1u);
  EXPECT_EQ(VersionOf(m, BO::PAD), 4);  // rank 5 input
  EXPECT_EQ(MinRuntime(m), "2.6.0");
}

TEST(TfliteExporterTest, IdenticalConstantsShareABuffer) {
  Builder b;
  TensorId x = b.Input("x", {4});
  TensorId c1 = b.Weights("c1", {4}, 3);
  TensorId c2 = b.Weights("c2", {4}, 3);  // same bytes as c1
  TensorId c3 = b.Weights("c3", {4}, 4);
  TensorId y = b.Add(OpKind::kAdd, BinaryOptions{}, {x, c1}, "y", {4});
  y = b.Add(OpKind::kMul, BinaryOptions{}, {y, c2}, "y2", {4});
  y = b.Add(OpKind::kSub, BinaryOptions{}, {y, c3}, "y3", {4});
  b.Output(y);
  const Graph g = b.Take();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  const auto* tensors = m.subgraphs()->Get(0)->tensors();
  EXPECT_EQ(tensors->Get(c1)->buffer(), tensors->Get(c2)->buffer());
  EXPECT_NE(tensors->Get(c1)->buffer(), tensors->Get(c3)->buffer());
  // sentinel + one per tensor except the duplicate + min_runtime_version.
  EXPECT_EQ(m.buffers()->size(), static_cast<size_t>(g.num_tensors()) + 1);
}

TEST(TfliteExporterTest, VariableTensorsHaveNoData) {
  const Graph g = ZooLstm();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  const tflite::SubGraph& sg = *m.subgraphs()->Get(0);
  int variables = 0;
  for (const tflite::Tensor* t : *sg.tensors()) {
    if (!t->is_variable()) continue;
    ++variables;
    const auto* data = m.buffers()->Get(t->buffer())->data();
    EXPECT_TRUE(data == nullptr || data->size() == 0);
  }
  EXPECT_EQ(variables, 2);
  const tflite::Operator& op = *sg.operators()->Get(0);
  EXPECT_EQ(op.inputs()->size(), 24u);
  EXPECT_EQ(op.inputs()->Get(9), -1);  // peephole
  const auto* o = op.builtin_options_as_UnidirectionalSequenceLSTMOptions();
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->fused_activation_function(), tflite::ActivationFunctionType::TANH);
  EXPECT_TRUE(o->time_major());
}

TEST(TfliteExporterTest, EmptyOptionTablesAreWritten) {
  const Graph g = ZooShapes();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  const tflite::SubGraph& sg = *m.subgraphs()->Get(0);
  // TRANSPOSE is the third op; its official table is empty but present.
  const tflite::Operator& transpose = *sg.operators()->Get(2);
  EXPECT_EQ(m.operator_codes()->Get(transpose.opcode_index())->builtin_code(), BO::TRANSPOSE);
  EXPECT_EQ(transpose.builtin_options_type(), tflite::BuiltinOptions::TransposeOptions);
  EXPECT_NE(transpose.builtin_options(), nullptr);
  const auto* shape = sg.operators()->Get(5)->builtin_options_as_ShapeOptions();
  ASSERT_NE(shape, nullptr);
  EXPECT_EQ(shape->out_type(), tflite::TensorType::INT32);
}

TEST(TfliteExporterTest, Int64ReshapeShapeBecomesNewShape) {
  const Graph g = ZooReshapeInt64();
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  const auto* o = m.subgraphs()->Get(0)->operators()->Get(0)->builtin_options_as_ReshapeOptions();
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(Vec(o->new_shape()), (std::vector<int32_t>{3, -1}));

  Builder b;
  TensorId x = b.Input("x", {2, 3});
  TensorId s = b.Input("s", {2}, DataType::kInt64);
  b.Output(b.Add(OpKind::kReshape, NoOptions{}, {x, s}, "y", {kUnknownDim, kUnknownDim}));
  absl::StatusOr<std::vector<uint8_t>> rejected = ExportTflite(b.graph());
  ASSERT_FALSE(rejected.ok());
  EXPECT_EQ(rejected.status().code(), absl::StatusCode::kUnimplemented);
}

TEST(TfliteExporterTest, ConsumingExportDropsEachConstantOnceWritten) {
  // 32 MiB of weights, also used by a second op, and a RESHAPE whose options
  // are read from a constant operand: the consuming export must give the
  // same bytes as the copying one while the graph lets go of its data.
  Builder b;
  TensorId x = b.Input("x", {1, 4096});
  std::vector<uint8_t> raw(size_t{4096} * 2048 * 4);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(i * 131 + (i >> 12));
  const BufferPtr weights = Buffer::FromVector(raw);
  TensorId w = b.graph().AddConstant("w", kF32, {2048, 4096}, weights);
  TensorId y = b.Add(OpKind::kFullyConnected, FullyConnectedOptions{}, {x, w, kNoTensor}, "y",
                     {1, 2048});
  // int64: the one case whose new_shape attribute is written (from the data).
  TensorId shape = b.graph().AddConstant("shape", DataType::kInt64, {2},
                                         Buffer::FromValues<int64_t>({2, 1024}));
  b.Output(b.Add(OpKind::kReshape, NoOptions{}, {y, shape}, "z", {2, 1024}));
  absl::StatusOr<std::vector<uint8_t>> copied = ExportTflite(b.graph());
  ASSERT_TRUE(copied.ok()) << copied.status();
  EXPECT_EQ(weights.use_count(), 2);  // ExportTflite left the graph as it was

  Graph graph = b.graph();
  absl::StatusOr<flatbuffers::DetachedBuffer> consumed = ExportTfliteConsuming(std::move(graph));
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  EXPECT_EQ(weights.use_count(), 2);  // `b` and this test hold it; the moved-from copy does not
  ASSERT_EQ(consumed->size(), copied->size());
  EXPECT_EQ(std::memcmp(consumed->data(), copied->data(), copied->size()), 0);

  const tflite::Model& m = *Parse(*copied);
  const auto* data = m.buffers()->Get(m.subgraphs()->Get(0)->tensors()->Get(w)->buffer())->data();
  ASSERT_EQ(data->size(), raw.size());
  EXPECT_EQ(std::memcmp(data->data(), raw.data(), raw.size()), 0);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(data->data()) % 16, 0u);
  const auto* reshape = m.subgraphs()->Get(0)->operators()->Get(1)->builtin_options_as_ReshapeOptions();
  ASSERT_NE(reshape, nullptr);
  ASSERT_NE(reshape->new_shape(), nullptr);
  EXPECT_EQ(reshape->new_shape()->size(), 2u);
}

TEST(TfliteExporterTest, StringConstantIsUnimplemented) {
  Builder b("model.onnx");
  TensorId x = b.Input("x", {2}, DataType::kString);
  TensorId c = b.graph().AddConstant("words", DataType::kString, {2},
                                     Buffer::Copy(std::vector<uint8_t>{'a', 'b'}));
  TensorId y = b.Add(OpKind::kEqual, NoOptions{}, {x, c}, "same", {2}, DataType::kBool);
  b.Output(y);
  absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(b.graph());
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_NE(bytes.status().message().find("model.onnx: node 'node_same' (Equal)"),
            std::string::npos)
      << bytes.status();
  EXPECT_NE(bytes.status().message().find("words"), std::string::npos);
}

TEST(TfliteExporterTest, FusedActivationsTheRuntimeIgnoresAreRejected) {
  {
    Builder b;
    TensorId x = b.Input("x", {2});
    BinaryOptions tanh;
    tanh.activation = Activation::kTanh;
    b.Output(b.Add(OpKind::kDiv, tanh, {x, x}, "y", {2}));
    absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(b.graph());
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_NE(bytes.status().message().find("TANH"), std::string::npos) << bytes.status();
  }
  {
    Builder b;
    TensorId x = b.Input("x", {2});
    ConcatenationOptions relu;
    relu.activation = Activation::kRelu;
    b.Output(b.Add(OpKind::kConcatenation, relu, {x, x}, "y", {4}));
    absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(b.graph());
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kUnimplemented);
    EXPECT_NE(bytes.status().message().find("CONCATENATION"), std::string::npos);
  }
}

TEST(TfliteExporterTest, WrongOptionsAlternativeIsInternal) {
  Builder b;
  TensorId x = b.Input("x", {2});
  b.Output(b.Add(OpKind::kAdd, NoOptions{}, {x, x}, "y", {2}));
  absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(b.graph());
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInternal);
}

TEST(TfliteExporterTest, EmptyGraphStillHasSentinelAndMetadata) {
  Graph g;
  const std::vector<uint8_t> bytes = ExportOrDie(g);
  const tflite::Model& m = *Parse(bytes);
  EXPECT_EQ(m.buffers()->size(), 2u);  // sentinel and min_runtime_version
  EXPECT_EQ(m.operator_codes()->size(), 0u);
  EXPECT_EQ(m.signature_defs(), nullptr);
  EXPECT_EQ(MinRuntime(m), "");
}

/// Every op kind exports with default options and gets the options table its
/// builtin expects (NONE only for builtins without a table).
TEST(TfliteExporterTest, EveryOpKindExports) {
  const OpKind kinds[] = {
#define OPTCONV_OP(kind, builtin, options) OpKind::k##kind,
#include "converter/op_kinds.def"
#undef OPTCONV_OP
  };
  for (OpKind kind : kinds) {
    SCOPED_TRACE(OpKindName(kind));
    Builder b;
    TensorId x = b.Input("x", {1, 2, 2, 4});
    TensorId second = kind == OpKind::kReshape ? b.I32("shape", {1, 2, 2, 4}) : x;
    TensorId y = b.Add(kind, DefaultOptions(kind), {x, second}, "y", {1, 2, 2, 4});
    b.Output(y);
    const std::vector<uint8_t> bytes = ExportOrDie(b.graph());
    ASSERT_FALSE(bytes.empty());
    const tflite::Model& m = *Parse(bytes);
    const tflite::Operator& op = *m.subgraphs()->Get(0)->operators()->Get(0);
    const BO code = m.operator_codes()->Get(0)->builtin_code();
    EXPECT_EQ(code, TfliteBuiltinFor(kind));
    EXPECT_GE(m.operator_codes()->Get(0)->version(), 1);
    EXPECT_FALSE(MinRuntimeVersion(code, m.operator_codes()->Get(0)->version()).empty())
        << "no runtime version for " << tflite::EnumNameBuiltinOperator(code);
    if (op.builtin_options_type() != tflite::BuiltinOptions::NONE) {
      EXPECT_NE(op.builtin_options(), nullptr);
    }
  }
}

/// op_kinds.def carries the official BuiltinOperator values; the exporter's
/// own table (checked against the schema) must agree with it.
TEST(TfliteExporterTest, OpKindsDefMatchesOfficialBuiltinCodes) {
  const OpKind kinds[] = {
#define OPTCONV_OP(kind, builtin, options) OpKind::k##kind,
#include "converter/op_kinds.def"
#undef OPTCONV_OP
  };
  for (OpKind kind : kinds) {
    const BO official = TfliteBuiltinFor(kind);
    EXPECT_EQ(TfliteBuiltinCode(kind), static_cast<int32_t>(official))
        << OpKindName(kind) << " should be " << tflite::EnumNameBuiltinOperator(official) << " = "
        << static_cast<int32_t>(official);
  }
}

TEST(TfliteExporterTest, RuntimeVersionOrdering) {
  EXPECT_TRUE(RuntimeVersionLess("1.14.0", "2.3.0"));
  EXPECT_TRUE(RuntimeVersionLess("2.3.0", "2.13.0"));
  EXPECT_FALSE(RuntimeVersionLess("2.13.0", "2.3.0"));
  EXPECT_TRUE(RuntimeVersionLess("", "1.5.0"));
  EXPECT_FALSE(RuntimeVersionLess("1.5.0", ""));
  EXPECT_FALSE(RuntimeVersionLess("2.5.0", "2.5.0"));
}

TEST(TfliteExporterTest, ZooExportsVerifiesAndIsDeterministic) {
  const char* dump_dir = std::getenv("OPTCONV_TFLITE_DUMP_DIR");
  for (const ZooEntry& entry : Zoo()) {
    SCOPED_TRACE(entry.name);
    const Graph g = entry.make();
    const std::vector<uint8_t> first = ExportOrDie(g);
    const std::vector<uint8_t> second = ExportOrDie(entry.make());
    EXPECT_EQ(first, second) << "export is not deterministic";
    ASSERT_FALSE(first.empty());
    const tflite::Model& m = *Parse(first);
    EXPECT_EQ(m.subgraphs()->Get(0)->operators()->size(), g.ops().size());
    if (dump_dir != nullptr) {
      std::ofstream out(std::string(dump_dir) + "/" + entry.name + ".tflite", std::ios::binary);
      out.write(reinterpret_cast<const char*>(first.data()),
                static_cast<std::streamsize>(first.size()));
      ASSERT_TRUE(out.good());
    }
  }
}

}  // namespace
}  // namespace optconv
