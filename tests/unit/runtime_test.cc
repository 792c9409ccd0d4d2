// Reference kernels (runtime/evaluate.h) against hand-computed values.
#include "runtime/evaluate.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <cstdlib>
#include <fstream>

#include "converter/shape_inference.h"
#include "exporters/tflite/tflite_exporter.h"
#include "gtest/gtest.h"
#include "runtime/interpreter.h"

namespace optconv {
namespace {

constexpr DataType kF32 = DataType::kFloat32;
constexpr DataType kI32 = DataType::kInt32;
constexpr DataType kI64 = DataType::kInt64;
constexpr DataType kBool = DataType::kBool;

class FoldTest : public ::testing::Test {
 protected:
  template <typename T>
  TensorId C(DataType type, Shape shape, std::vector<T> values) {
    return g_.AddConstantValues<T>("c" + std::to_string(g_.num_tensors()), type, std::move(shape),
                                   values);
  }
  TensorId F(Shape s, std::vector<float> v) { return C<float>(kF32, std::move(s), std::move(v)); }
  TensorId I(Shape s, std::vector<int32_t> v) { return C<int32_t>(kI32, std::move(s), std::move(v)); }
  TensorId L(Shape s, std::vector<int64_t> v) { return C<int64_t>(kI64, std::move(s), std::move(v)); }
  TensorId B(Shape s, std::vector<uint8_t> v) { return C<uint8_t>(kBool, std::move(s), std::move(v)); }

  // Runs `kind` on constant inputs; returns each output's bytes as T.
  template <typename T>
  std::vector<std::vector<T>> RunAll(OpKind kind, std::vector<TensorId> ins, OpOptions o,
                                     DataType out_type, int outs = 1) {
    Op op;
    op.kind = kind;
    op.inputs = std::move(ins);
    op.options = std::move(o);
    op.origin = {"n", "T"};
    for (int i = 0; i < outs; ++i) {
      op.outputs.push_back(g_.AddActivation("o" + std::to_string(g_.num_tensors()), out_type, {}));
    }
    absl::Status s = InferAndSetOutputShapes(g_, op);
    EXPECT_TRUE(s.ok()) << s;
    if (!s.ok()) return {};
    for (TensorId t : op.outputs) last_shapes_.push_back(g_.tensor(t).shape);
    absl::StatusOr<std::vector<BufferPtr>> r = EvaluateOp(g_, op);
    EXPECT_TRUE(r.ok()) << r.status();
    status_ = r.status();
    if (!r.ok()) return {};
    std::vector<std::vector<T>> values;
    for (const BufferPtr& b : *r) values.push_back(b->AsVector<T>());
    return values;
  }
  template <typename T>
  std::vector<T> Run(OpKind kind, std::vector<TensorId> ins, OpOptions o, DataType out_type) {
    last_shapes_.clear();
    auto all = RunAll<T>(kind, std::move(ins), std::move(o), out_type);
    return all.empty() ? std::vector<T>{} : all[0];
  }
  Shape LastShape() const { return last_shapes_.empty() ? Shape{-99} : last_shapes_[0]; }

  Graph g_;
  std::vector<Shape> last_shapes_;
  absl::Status status_;
};

TEST_F(FoldTest, BinaryBroadcastAndActivation) {
  EXPECT_EQ(Run<float>(OpKind::kAdd, {F({2, 1}, {1, 2}), F({3}, {10, 20, 30})}, BinaryOptions{}, kF32),
            (std::vector<float>{11, 21, 31, 12, 22, 32}));
  EXPECT_EQ(Run<float>(OpKind::kSub, {F({3}, {1, 5, 9}), F({}, {4})}, BinaryOptions{Activation::kRelu}, kF32),
            (std::vector<float>{0, 1, 5}));
  EXPECT_EQ(Run<float>(OpKind::kMul, {F({2}, {-3, 4}), F({2}, {1, 2})}, BinaryOptions{Activation::kRelu6}, kF32),
            (std::vector<float>{0, 6}));
  EXPECT_EQ(Run<int32_t>(OpKind::kDiv, {I({4}, {7, -7, 7, -7}), I({4}, {2, 2, -2, -2})}, BinaryOptions{}, kI32),
            (std::vector<int32_t>{3, -3, -3, 3}));  // truncation
  EXPECT_EQ(Run<int64_t>(OpKind::kMul, {L({2}, {3, 1LL << 40}), L({1}, {2})}, BinaryOptions{}, kI64),
            (std::vector<int64_t>{6, 1LL << 41}));
  EXPECT_EQ(Run<int32_t>(OpKind::kPow, {I({3}, {2, 3, -2}), I({3}, {10, 0, 3})}, NoOptions{}, kI32),
            (std::vector<int32_t>{1024, 1, -8}));
  EXPECT_EQ(Run<float>(OpKind::kSquaredDifference, {F({2}, {1, 5}), F({2}, {4, 2})}, NoOptions{}, kF32),
            (std::vector<float>{9, 9}));
  EXPECT_EQ(Run<int32_t>(OpKind::kMaximum, {I({3}, {1, 5, -2}), I({}, {0})}, NoOptions{}, kI32),
            (std::vector<int32_t>{1, 5, 0}));
  // Integer division by zero is an error, not UB.
  Op op;
  op.kind = OpKind::kDiv;
  op.options = BinaryOptions{};
  op.inputs = {I({1}, {1}), I({1}, {0})};
  op.outputs = {g_.AddActivation("z", kI32, {1})};
  EXPECT_EQ(EvaluateOp(g_, op).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(FoldTest, ComparisonsLogicalSelect) {
  EXPECT_EQ(Run<uint8_t>(OpKind::kLess, {L({3}, {1, 2, 3}), L({}, {2})}, NoOptions{}, kBool),
            (std::vector<uint8_t>{1, 0, 0}));
  EXPECT_EQ(Run<uint8_t>(OpKind::kEqual, {F({2}, {1, 2}), F({2}, {1, 3})}, NoOptions{}, kBool),
            (std::vector<uint8_t>{1, 0}));
  EXPECT_EQ(Run<uint8_t>(OpKind::kLogicalAnd, {B({2}, {1, 1}), B({2}, {0, 1})}, NoOptions{}, kBool),
            (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(Run<uint8_t>(OpKind::kLogicalNot, {B({2}, {1, 0})}, NoOptions{}, kBool),
            (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(Run<int64_t>(OpKind::kSelectV2, {B({2, 1}, {1, 0}), L({2}, {1, 2}), L({}, {9})}, NoOptions{}, kI64),
            (std::vector<int64_t>{1, 2, 9, 9}));
}

TEST_F(FoldTest, UnaryAndCast) {
  EXPECT_EQ(Run<float>(OpKind::kRound, {F({4}, {0.5f, 1.5f, -2.5f, 2.6f})}, NoOptions{}, kF32),
            (std::vector<float>{0, 2, -2, 3}));
  EXPECT_EQ(Run<float>(OpKind::kSign, {F({3}, {-3, 0, 2})}, NoOptions{}, kF32), (std::vector<float>{-1, 0, 1}));
  EXPECT_EQ(Run<int32_t>(OpKind::kNeg, {I({2}, {3, -4})}, NoOptions{}, kI32), (std::vector<int32_t>{-3, 4}));
  EXPECT_EQ(Run<int64_t>(OpKind::kAbs, {L({2}, {3, -4})}, NoOptions{}, kI64), (std::vector<int64_t>{3, 4}));
  auto v = Run<float>(OpKind::kLogistic, {F({1}, {0})}, NoOptions{}, kF32);
  EXPECT_FLOAT_EQ(v[0], 0.5f);
  v = Run<float>(OpKind::kRsqrt, {F({1}, {4})}, NoOptions{}, kF32);
  EXPECT_FLOAT_EQ(v[0], 0.5f);
  v = Run<float>(OpKind::kHardSwish, {F({3}, {-4, 1, 4})}, NoOptions{}, kF32);
  EXPECT_FLOAT_EQ(v[1], 4.0f / 6.0f);
  EXPECT_EQ(v[0], 0.0f);
  EXPECT_EQ(v[2], 4.0f);
  v = Run<float>(OpKind::kGelu, {F({1}, {1})}, GeluOptions{false}, kF32);
  EXPECT_NEAR(v[0], 0.8413447f, 1e-6);
  EXPECT_EQ(Run<int32_t>(OpKind::kCast, {F({4}, {1.9f, -1.9f, 3e10f, NAN})}, CastOptions{}, kI32),
            (std::vector<int32_t>{1, -1, INT32_MAX, 0}));
  EXPECT_EQ(Run<int32_t>(OpKind::kCast, {L({2}, {(1LL << 32) + 5, -1})}, CastOptions{}, kI32),
            (std::vector<int32_t>{5, -1}));
  EXPECT_EQ(Run<uint8_t>(OpKind::kCast, {F({2}, {0, -0.5f})}, CastOptions{}, kBool), (std::vector<uint8_t>{0, 1}));
  EXPECT_EQ(Run<uint16_t>(OpKind::kCast, {F({3}, {1.0f, -2.0f, 65504.0f})}, CastOptions{}, DataType::kFloat16),
            (std::vector<uint16_t>{0x3c00, 0xc000, 0x7bff}));
  EXPECT_EQ(Run<float>(OpKind::kCast, {C<uint16_t>(DataType::kFloat16, {2}, {0x3555, 0x0001})}, CastOptions{}, kF32),
            (std::vector<float>{0.333251953125f, 5.9604644775390625e-08f}));
}

TEST_F(FoldTest, DataMovement) {
  EXPECT_EQ(Run<int32_t>(OpKind::kTranspose, {I({2, 3}, {1, 2, 3, 4, 5, 6}), I({2}, {1, 0})}, NoOptions{}, kI32),
            (std::vector<int32_t>{1, 4, 2, 5, 3, 6}));
  EXPECT_EQ(Run<int64_t>(OpKind::kConcatenation, {L({1, 2}, {1, 2}), L({1, 1}, {3})}, ConcatenationOptions{1}, kI64),
            (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(Run<int32_t>(OpKind::kConcatenation, {I({1, 2}, {1, 2}), I({2, 2}, {3, 4, 5, 6})}, ConcatenationOptions{0}, kI32),
            (std::vector<int32_t>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(Run<int32_t>(OpKind::kGather, {I({3, 2}, {1, 2, 3, 4, 5, 6}), I({2}, {2, 0})}, GatherOptions{0, 0}, kI32),
            (std::vector<int32_t>{5, 6, 1, 2}));
  EXPECT_EQ(Run<int32_t>(OpKind::kGather, {I({3, 2}, {1, 2, 3, 4, 5, 6}), L({}, {-1})}, GatherOptions{1, 0}, kI32),
            (std::vector<int32_t>{2, 4, 6}));
  EXPECT_EQ(Run<int64_t>(OpKind::kShape, {F({2, 3, 1}, {1, 2, 3, 4, 5, 6})}, NoOptions{}, kI64),
            (std::vector<int64_t>{2, 3, 1}));
  EXPECT_EQ(Run<int32_t>(OpKind::kPack, {I({2}, {1, 2}), I({2}, {3, 4})}, PackOptions{1, 2}, kI32),
            (std::vector<int32_t>{1, 3, 2, 4}));
  auto parts = RunAll<int32_t>(OpKind::kUnpack, {I({2, 2}, {1, 2, 3, 4})}, PackOptions{1, 2}, kI32, 2);
  EXPECT_EQ(parts, (std::vector<std::vector<int32_t>>{{1, 3}, {2, 4}}));
  parts = RunAll<int32_t>(OpKind::kSplitV, {I({1, 5}, {1, 2, 3, 4, 5}), I({2}, {2, -1}), I({}, {1})},
                          SplitOptions{2}, kI32, 2);
  EXPECT_EQ(parts, (std::vector<std::vector<int32_t>>{{1, 2}, {3, 4, 5}}));
  parts = RunAll<int32_t>(OpKind::kSplit, {I({}, {0}), I({4}, {1, 2, 3, 4})}, SplitOptions{2}, kI32, 2);
  EXPECT_EQ(parts, (std::vector<std::vector<int32_t>>{{1, 2}, {3, 4}}));
  EXPECT_EQ(Run<float>(OpKind::kFill, {I({2}, {2, 2}), F({}, {7})}, NoOptions{}, kF32),
            (std::vector<float>(4, 7.0f)));
  EXPECT_EQ(Run<int32_t>(OpKind::kRange, {I({}, {5}), I({}, {-1}), I({}, {-2})}, NoOptions{}, kI32),
            (std::vector<int32_t>{5, 3, 1}));
  EXPECT_EQ(Run<int32_t>(OpKind::kTile, {I({1, 2}, {1, 2}), I({2}, {2, 2})}, NoOptions{}, kI32),
            (std::vector<int32_t>{1, 2, 1, 2, 1, 2, 1, 2}));
  EXPECT_EQ(Run<int32_t>(OpKind::kBroadcastTo, {I({2, 1}, {1, 2}), I({2}, {2, 3})}, NoOptions{}, kI32),
            (std::vector<int32_t>{1, 1, 1, 2, 2, 2}));
  EXPECT_EQ(Run<int32_t>(OpKind::kPad, {I({1, 2}, {1, 2}), I({2, 2}, {0, 1, 1, 0})}, NoOptions{}, kI32),
            (std::vector<int32_t>{0, 1, 2, 0, 0, 0}));
  EXPECT_EQ(Run<float>(OpKind::kPadV2, {F({2}, {1, 2}), I({1, 2}, {1, 1}), F({}, {-1})}, NoOptions{}, kF32),
            (std::vector<float>{-1, 1, 2, -1}));
  EXPECT_EQ(Run<int32_t>(OpKind::kMirrorPad, {I({3}, {1, 2, 3}), I({1, 2}, {2, 2})}, MirrorPadOptions{false}, kI32),
            (std::vector<int32_t>{3, 2, 1, 2, 3, 2, 1}));
  EXPECT_EQ(Run<int32_t>(OpKind::kMirrorPad, {I({3}, {1, 2, 3}), I({1, 2}, {2, 1})}, MirrorPadOptions{true}, kI32),
            (std::vector<int32_t>{2, 1, 1, 2, 3, 3}));
  EXPECT_EQ(Run<int32_t>(OpKind::kExpandDims, {I({2}, {1, 2}), I({}, {0})}, NoOptions{}, kI32),
            (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(LastShape(), (Shape{1, 2}));
}

TEST_F(FoldTest, SlicesAndStridedSlices) {
  TensorId x = I({3, 4}, {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23});
  EXPECT_EQ(Run<int32_t>(OpKind::kSlice, {x, I({2}, {1, 1}), I({2}, {-1, 2})}, NoOptions{}, kI32),
            (std::vector<int32_t>{11, 12, 21, 22}));
  StridedSliceOptions o;
  o.begin_mask = o.end_mask = 1;  // x[::-1, 1::2]
  o.end_mask |= 2;
  EXPECT_EQ(Run<int32_t>(OpKind::kStridedSlice, {x, I({2}, {0, 1}), I({2}, {0, 0}), I({2}, {-1, 2})}, o, kI32),
            (std::vector<int32_t>{21, 23, 11, 13, 1, 3}));
  o = {};
  o.shrink_axis_mask = 2;  // x[:, -1]
  o.begin_mask = o.end_mask = 1;
  EXPECT_EQ(Run<int32_t>(OpKind::kStridedSlice, {x, I({2}, {0, -1}), I({2}, {0, 0}), I({2}, {1, 1})}, o, kI32),
            (std::vector<int32_t>{3, 13, 23}));
  EXPECT_EQ(LastShape(), (Shape{3}));
  o = {};
  o.ellipsis_mask = 1;  // x[..., None, 2:0:-1]
  o.new_axis_mask = 2;
  EXPECT_EQ(Run<int32_t>(OpKind::kStridedSlice, {x, I({3}, {0, 0, 2}), I({3}, {0, 0, 0}), I({3}, {1, 1, -1})}, o, kI32),
            (std::vector<int32_t>{2, 1, 12, 11, 22, 21}));
  EXPECT_EQ(LastShape(), (Shape{3, 1, 2}));
}

TEST_F(FoldTest, ReductionsArgCumsum) {
  TensorId x = F({2, 3}, {1, 2, 3, 4, 5, 6});
  EXPECT_EQ(Run<float>(OpKind::kMean, {x, I({1}, {1})}, ReducerOptions{false}, kF32), (std::vector<float>{2, 5}));
  EXPECT_EQ(Run<float>(OpKind::kSum, {x, I({2}, {0, 1})}, ReducerOptions{true}, kF32), (std::vector<float>{21}));
  EXPECT_EQ(LastShape(), (Shape{1, 1}));
  EXPECT_EQ(Run<float>(OpKind::kReduceMax, {x, I({1}, {0})}, ReducerOptions{false}, kF32), (std::vector<float>{4, 5, 6}));
  EXPECT_EQ(Run<float>(OpKind::kReduceProd, {x, I({1}, {-1})}, ReducerOptions{false}, kF32), (std::vector<float>{6, 120}));
  EXPECT_EQ(Run<int32_t>(OpKind::kMean, {I({3}, {1, 2, 2}), I({1}, {0})}, ReducerOptions{false}, kI32),
            (std::vector<int32_t>{1}));  // 5/3 truncates
  EXPECT_EQ(Run<int64_t>(OpKind::kReduceMin, {L({3}, {4, -2, 7}), I({1}, {0})}, ReducerOptions{false}, kI64),
            (std::vector<int64_t>{-2}));
  EXPECT_EQ(Run<int32_t>(OpKind::kArgMax, {F({2, 3}, {1, 9, 9, 7, 2, 7}), I({}, {1})}, ArgOptions{}, kI32),
            (std::vector<int32_t>{1, 0}));  // ties keep the first
  EXPECT_EQ(Run<int64_t>(OpKind::kArgMin, {F({2, 2}, {1, 0, 3, -1}), I({}, {0})}, ArgOptions{}, kI64),
            (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(Run<int32_t>(OpKind::kCumsum, {I({4}, {1, 2, 3, 4}), I({}, {0})}, CumsumOptions{false, false}, kI32),
            (std::vector<int32_t>{1, 3, 6, 10}));
  EXPECT_EQ(Run<int32_t>(OpKind::kCumsum, {I({4}, {1, 2, 3, 4}), I({}, {0})}, CumsumOptions{true, true}, kI32),
            (std::vector<int32_t>{9, 7, 4, 0}));
}

TEST_F(FoldTest, NnKernels) {
  // 1x3x3x1 input, 2x2 filter of ones, VALID -> sums of 2x2 windows, + bias 1.
  TensorId x = F({1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  Conv2DOptions c;
  EXPECT_EQ(Run<float>(OpKind::kConv2D, {x, F({1, 2, 2, 1}, {1, 1, 1, 1}), F({1}, {1})}, c, kF32),
            (std::vector<float>{13, 17, 25, 29}));
  c.padding = Padding::kSame;
  c.stride_h = c.stride_w = 2;  // SAME with stride 2 on 3: pad total 1 -> after only
  EXPECT_EQ(Run<float>(OpKind::kConv2D, {x, F({1, 2, 2, 1}, {1, 1, 1, 1}), kNoTensor}, c, kF32),
            (std::vector<float>{12, 9, 15, 9}));
  DepthwiseConv2DOptions d;
  d.padding = Padding::kSame;
  EXPECT_EQ(Run<float>(OpKind::kDepthwiseConv2D, {F({1, 1, 2, 2}, {1, 2, 3, 4}), F({1, 1, 1, 4}, {1, 10, 100, 1000})}, d, kF32),
            (std::vector<float>{1, 10, 200, 2000, 3, 30, 400, 4000}));
  Pool2DOptions p;
  p.padding = Padding::kSame;
  p.filter_h = p.filter_w = 2;
  p.stride_h = p.stride_w = 2;
  EXPECT_EQ(Run<float>(OpKind::kAveragePool2D, {x}, p, kF32), (std::vector<float>{3, 4.5f, 7.5f, 9}));
  EXPECT_EQ(Run<float>(OpKind::kMaxPool2D, {x}, p, kF32), (std::vector<float>{5, 6, 8, 9}));
  EXPECT_EQ(Run<float>(OpKind::kFullyConnected, {F({1, 2}, {1, 2}), F({2, 2}, {1, 1, 1, -1}), F({2}, {0, 10})},
                       FullyConnectedOptions{}, kF32), (std::vector<float>{3, 9}));
  EXPECT_EQ(Run<float>(OpKind::kBatchMatMul, {F({2, 1, 2}, {1, 2, 3, 4}), F({2, 1}, {1, 1})}, BatchMatMulOptions{}, kF32),
            (std::vector<float>{3, 7}));
  EXPECT_EQ(Run<float>(OpKind::kResizeNearestNeighbor, {F({1, 1, 2, 1}, {1, 2}), I({2}, {1, 4})}, ResizeOptions{}, kF32),
            (std::vector<float>{1, 1, 2, 2}));
  EXPECT_EQ(Run<float>(OpKind::kResizeBilinear, {F({1, 1, 2, 1}, {0, 1}), I({2}, {1, 4})}, ResizeOptions{false, true}, kF32),
            (std::vector<float>{0, 0.25f, 0.75f, 1}));
  EXPECT_EQ(Run<float>(OpKind::kResizeBilinear, {F({1, 1, 2, 1}, {0, 1}), I({2}, {1, 3})}, ResizeOptions{true, false}, kF32),
            (std::vector<float>{0, 0.5f, 1}));
  auto sm = Run<float>(OpKind::kSoftmax, {F({1, 2}, {0, 0})}, SoftmaxOptions{}, kF32);
  EXPECT_EQ(sm, (std::vector<float>{0.5f, 0.5f}));
  EXPECT_EQ(Run<float>(OpKind::kDepthToSpace, {F({1, 1, 1, 4}, {1, 2, 3, 4})}, BlockSizeOptions{2}, kF32),
            (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(LastShape(), (Shape{1, 2, 2, 1}));
  // TRANSPOSE_CONV 1x1 input, 2x2 kernel, stride 2, VALID -> the kernel scaled.
  EXPECT_EQ(Run<float>(OpKind::kTransposeConv, {I({4}, {1, 2, 2, 1}), F({1, 2, 2, 1}, {1, 2, 3, 4}),
                                                 F({1, 1, 1, 1}, {2}), kNoTensor},
                       TransposeConvOptions{Padding::kValid, 2, 2, Activation::kNone}, kF32),
            (std::vector<float>{2, 4, 6, 8}));
}

TEST_F(FoldTest, UnsupportedIsUnimplemented) {
  Op op;
  op.kind = OpKind::kUnidirectionalSequenceLstm;
  op.options = SequenceLstmOptions{};
  op.outputs = {g_.AddActivation("y", kF32, {1})};
  EXPECT_FALSE(CanEvaluate(OpKind::kUnidirectionalSequenceLstm));
  EXPECT_EQ(EvaluateOp(g_, op).status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(CanEvaluate(OpKind::kAdd));
}

// ---------------------------------------------------------------------------
// Interpreter. With OPTCONV_RUNTIME_DUMP_DIR set, each model of the LiteRT
// suite is also exported with its inputs and our outputs, for
// runtime/litert_compare.py to check against the real LiteRT runtime.
// ---------------------------------------------------------------------------

std::vector<float> Pseudo(int64_t n, uint32_t seed) {
  std::vector<float> v(static_cast<size_t>(n));
  uint32_t s = seed * 2654435761u + 12345u;
  for (auto& x : v) {
    s = s * 1664525u + 1013904223u;
    x = static_cast<float>((s >> 8) % 2001) / 1000.0f - 1.0f;
  }
  return v;
}

int64_t Count(const Shape& s) { return NumElements(s).value_or(0); }

// One-op (or few-op) float graph builder.
class ModelBuilder {
 public:
  explicit ModelBuilder(std::string name) : name_(std::move(name)) { g_.source_path = name_ + ".test"; }
  TensorId Input(Shape s) {
    TensorId id = g_.AddActivation("in" + std::to_string(g_.inputs().size()), kF32, s);
    g_.inputs().push_back(id);
    Shape concrete = s;
    for (auto& d : concrete) {
      if (d < 0) d = 2;
    }
    inputs_.push_back(HostTensor::FromValues<float>(kF32, concrete, Pseudo(Count(concrete), seed_++)));
    return id;
  }
  // An i32 input with values in [-50, 50], zero avoided (safe as a divisor).
  TensorId IntInput(Shape s) {
    TensorId id = g_.AddActivation("in" + std::to_string(g_.inputs().size()), kI32, s);
    g_.inputs().push_back(id);
    std::vector<int32_t> v;
    for (float f : Pseudo(Count(s), seed_++)) {
      int32_t x = static_cast<int32_t>(f * 50);
      v.push_back(x == 0 ? 7 : x);
    }
    inputs_.push_back(HostTensor::FromValues<int32_t>(kI32, s, v));
    return id;
  }
  TensorId Weights(Shape s) {
    return g_.AddConstantValues<float>("w" + std::to_string(g_.num_tensors()), kF32, s,
                                       Pseudo(Count(s), seed_++));
  }
  TensorId Ints(std::vector<int32_t> v, Shape s = {}) {
    if (s.empty()) s = {static_cast<int64_t>(v.size())};
    return g_.AddConstantValues<int32_t>("i" + std::to_string(g_.num_tensors()), kI32, s, v);
  }
  TensorId Op1(OpKind kind, std::vector<TensorId> ins, OpOptions o, DataType type = kF32) {
    Op op;
    op.kind = kind;
    op.inputs = std::move(ins);
    op.options = std::move(o);
    op.origin = {name_, "test"};
    op.outputs = {g_.AddActivation("t" + std::to_string(g_.num_tensors()), type, {})};
    EXPECT_TRUE(InferAndSetOutputShapes(g_, op).ok()) << InferAndSetOutputShapes(g_, op);
    g_.AddOp(op);
    return op.outputs[0];
  }
  Graph& Finish(TensorId out) {
    g_.outputs() = {out};
    Signature sig;
    for (size_t i = 0; i < g_.inputs().size(); ++i) sig.inputs.push_back({g_.tensor(g_.inputs()[i]).name, g_.inputs()[i]});
    sig.outputs.push_back({"out", out});
    g_.signatures() = {sig};
    return g_;
  }
  const std::vector<HostTensor>& inputs() const { return inputs_; }

  // Runs the graph; dumps model, inputs and outputs when asked to.
  std::vector<HostTensor> RunAndMaybeDump() {
    absl::StatusOr<std::vector<HostTensor>> out = RunGraph(g_, inputs_);
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return {};
    const char* dir = std::getenv("OPTCONV_RUNTIME_DUMP_DIR");
    if (dir != nullptr) {
      absl::StatusOr<std::vector<uint8_t>> bytes = ExportTflite(g_);
      EXPECT_TRUE(bytes.ok()) << bytes.status();
      if (bytes.ok()) {
        std::string base = std::string(dir) + "/" + name_;
        Write(base + ".tflite", *bytes);
        for (size_t i = 0; i < inputs_.size(); ++i) Write(base + ".in" + std::to_string(i) + ".bin", inputs_[i].bytes);
        for (size_t i = 0; i < out->size(); ++i) Write(base + ".out" + std::to_string(i) + ".bin", (*out)[i].bytes);
      }
    }
    return *out;
  }

 private:
  static void Write(const std::string& path, const std::vector<uint8_t>& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  std::string name_;
  Graph g_;
  std::vector<HostTensor> inputs_;
  uint32_t seed_ = 1;
};

TEST(InterpreterTest, DynamicBatchChain) {
  ModelBuilder m("chain");
  TensorId x = m.Input({kUnknownDim, 3, 3, 1});
  Conv2DOptions c;
  TensorId y = m.Op1(OpKind::kConv2D, {x, m.Weights({2, 2, 2, 1}), kNoTensor}, c);
  TensorId r = m.Op1(OpKind::kRelu, {y}, NoOptions{});
  Graph& g = m.Finish(r);
  EXPECT_EQ(g.tensor(r).shape, (Shape{kUnknownDim, 2, 2, 2}));
  std::vector<HostTensor> out = m.RunAndMaybeDump();
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape, (Shape{2, 2, 2, 2}));
  for (float v : out[0].values<float>()) EXPECT_GE(v, 0.0f);
  // Wrong input type is rejected with the input's name.
  std::vector<HostTensor> bad{HostTensor(DataType::kInt32, {2, 3, 3, 1})};
  absl::Status st = RunGraph(g, bad).status();
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("graph input 'in0'"), std::string::npos);
}

// The LiteRT comparison suite: kernels whose float semantics matter most.
TEST(InterpreterLiteRtTest, ConvFamily) {
  struct Case {
    std::string name;
    Padding pad;
    int stride, dilation;
    Shape in, filter;
  };
  for (const Case& k : std::vector<Case>{
           {"conv_same_s2", Padding::kSame, 2, 1, {1, 9, 8, 3}, {4, 3, 3, 3}},
           {"conv_valid_d2", Padding::kValid, 1, 2, {1, 9, 9, 2}, {3, 3, 3, 2}},
           {"conv_same_s2_k4", Padding::kSame, 2, 1, {2, 7, 6, 2}, {5, 4, 4, 2}},
           {"conv_grouped", Padding::kSame, 1, 1, {1, 5, 5, 4}, {6, 3, 3, 2}}}) {
    ModelBuilder m(k.name);
    TensorId x = m.Input(k.in);
    Conv2DOptions o{k.pad, k.stride, k.stride, k.dilation, k.dilation, Activation::kRelu6};
    m.Finish(m.Op1(OpKind::kConv2D, {x, m.Weights(k.filter), m.Weights({k.filter[0]})}, o));
    m.RunAndMaybeDump();
  }
  for (const Case& k : std::vector<Case>{
           {"dw_same_s2_m2", Padding::kSame, 2, 1, {1, 9, 8, 3}, {1, 3, 3, 6}},
           {"dw_valid_d2", Padding::kValid, 1, 2, {1, 8, 9, 4}, {1, 3, 3, 4}},
           {"dw_same_d2", Padding::kSame, 1, 2, {1, 6, 6, 2}, {1, 3, 3, 2}}}) {
    ModelBuilder m(k.name);
    TensorId x = m.Input(k.in);
    DepthwiseConv2DOptions o{k.pad, k.stride, k.stride, k.dilation, k.dilation,
                             static_cast<int32_t>(k.filter[3] / k.in[3]), Activation::kNone};
    m.Finish(m.Op1(OpKind::kDepthwiseConv2D, {x, m.Weights(k.filter), m.Weights({k.filter[3]})}, o));
    m.RunAndMaybeDump();
  }
  for (auto [name, pad, stride] : std::vector<std::tuple<std::string, Padding, int>>{
           {"tconv_same_s2", Padding::kSame, 2}, {"tconv_valid_s2", Padding::kValid, 2},
           {"tconv_same_s3", Padding::kSame, 3}}) {
    ModelBuilder m(name);
    TensorId x = m.Input({1, 4, 5, 3});
    // SAME: in * stride; VALID: (in - 1) * stride + kernel.
    int32_t oh = pad == Padding::kSame ? 4 * stride : 3 * stride + 3;
    int32_t ow = pad == Padding::kSame ? 5 * stride : 4 * stride + 3;
    TransposeConvOptions o{pad, stride, stride, Activation::kNone};
    m.Finish(m.Op1(OpKind::kTransposeConv,
                   {m.Ints({1, oh, ow, 2}), m.Weights({2, 3, 3, 3}), x, m.Weights({2})}, o));
    m.RunAndMaybeDump();
  }
}

TEST(InterpreterLiteRtTest, PoolAndResize) {
  for (auto [name, kind, pad] : std::vector<std::tuple<std::string, OpKind, Padding>>{
           {"avgpool_same", OpKind::kAveragePool2D, Padding::kSame},
           {"avgpool_valid", OpKind::kAveragePool2D, Padding::kValid},
           {"maxpool_same", OpKind::kMaxPool2D, Padding::kSame},
           {"maxpool_valid", OpKind::kMaxPool2D, Padding::kValid}}) {
    ModelBuilder m(name);
    TensorId x = m.Input({1, 9, 10, 3});
    Pool2DOptions o{pad, 2, 2, 3, 3, Activation::kNone};
    m.Finish(m.Op1(kind, {x}, o));
    m.RunAndMaybeDump();
  }
  int n = 0;
  for (OpKind kind : {OpKind::kResizeBilinear, OpKind::kResizeNearestNeighbor}) {
    for (auto [align, half] : std::vector<std::pair<bool, bool>>{{false, false}, {true, false}, {false, true}}) {
      for (std::vector<int32_t> size : {std::vector<int32_t>{7, 11}, std::vector<int32_t>{3, 2}}) {
        ModelBuilder m("resize_" + std::to_string(n++));
        TensorId x = m.Input({1, 5, 4, 2});
        m.Finish(m.Op1(kind, {x, m.Ints(size)}, ResizeOptions{align, half}));
        m.RunAndMaybeDump();
      }
    }
  }
}

TEST(InterpreterLiteRtTest, MiscFloatKernels) {
  {
    ModelBuilder m("fully_connected");
    TensorId x = m.Input({3, 6});
    m.Finish(m.Op1(OpKind::kFullyConnected, {x, m.Weights({4, 6}), m.Weights({4})},
                   FullyConnectedOptions{Activation::kRelu, false}));
    m.RunAndMaybeDump();
  }
  {
    ModelBuilder m("batch_matmul");
    TensorId a = m.Input({2, 1, 3, 4});
    TensorId b = m.Input({3, 5, 4});
    m.Finish(m.Op1(OpKind::kBatchMatMul, {a, b}, BatchMatMulOptions{false, true}));
    m.RunAndMaybeDump();
  }
  for (auto [name, kind, opts] : std::vector<std::tuple<std::string, OpKind, OpOptions>>{
           {"softmax", OpKind::kSoftmax, SoftmaxOptions{1.5f}},
           {"log_softmax", OpKind::kLogSoftmax, NoOptions{}},
           {"hard_swish", OpKind::kHardSwish, NoOptions{}},
           {"leaky_relu", OpKind::kLeakyRelu, LeakyReluOptions{0.1f}},
           {"gelu", OpKind::kGelu, GeluOptions{false}},
           {"gelu_approx", OpKind::kGelu, GeluOptions{true}},
           {"logistic", OpKind::kLogistic, NoOptions{}},
           {"elu", OpKind::kElu, NoOptions{}},
           {"l2norm", OpKind::kL2Normalization, L2NormOptions{}},
           {"depth_to_space", OpKind::kDepthToSpace, BlockSizeOptions{2}},
           {"space_to_depth", OpKind::kSpaceToDepth, BlockSizeOptions{2}}}) {
    ModelBuilder m(name);
    TensorId x = m.Input({1, 4, 6, 8});
    m.Finish(m.Op1(kind, {x}, opts));
    m.RunAndMaybeDump();
  }
  {
    ModelBuilder m("prelu");
    TensorId x = m.Input({1, 3, 3, 4});
    m.Finish(m.Op1(OpKind::kPrelu, {x, m.Weights({1, 1, 4})}, NoOptions{}));
    m.RunAndMaybeDump();
  }
  {
    ModelBuilder m("mean_strided");
    TensorId x = m.Input({2, 5, 6, 3});
    TensorId r = m.Op1(OpKind::kMean, {x, m.Ints({1, 2})}, ReducerOptions{true});
    StridedSliceOptions so;
    so.ellipsis_mask = 1;
    so.shrink_axis_mask = 2;
    TensorId s = m.Op1(OpKind::kStridedSlice, {r, m.Ints({0, 1}), m.Ints({0, 2}), m.Ints({1, 1})}, so);
    m.Finish(s);
    m.RunAndMaybeDump();
  }
}

TEST(InterpreterLiteRtTest, DataMovementKernels) {
  struct SliceCase {
    std::string name;
    std::vector<int32_t> begin, end, strides;
    StridedSliceOptions o;
  };
  auto opts = [](int b, int e, int el, int na, int sh) {
    StridedSliceOptions o;
    o.begin_mask = b;
    o.end_mask = e;
    o.ellipsis_mask = el;
    o.new_axis_mask = na;
    o.shrink_axis_mask = sh;
    return o;
  };
  for (const SliceCase& k : std::vector<SliceCase>{
           {"ss_reverse", {0, 0, 0}, {0, 0, 0}, {-1, 1, -2}, opts(7, 7, 0, 0, 0)},
           {"ss_neg_clamp", {-100, 1, -2}, {100, -1, 100}, {1, 2, 1}, opts(0, 0, 0, 0, 0)},
           {"ss_shrink", {1, 0, -1}, {2, 0, 0}, {1, 1, 1}, opts(0, 2, 0, 0, 5)},
           {"ss_ellipsis_newaxis", {0, 0, 1}, {0, 0, 3}, {1, 1, 1}, opts(0, 0, 1, 2, 0)},
           {"ss_partial_spec", {1}, {3}, {1}, opts(0, 0, 0, 0, 0)}}) {
    ModelBuilder m(k.name);
    TensorId x = m.Input({4, 5, 6});
    m.Finish(m.Op1(OpKind::kStridedSlice, {x, m.Ints(k.begin), m.Ints(k.end), m.Ints(k.strides)}, k.o));
    m.RunAndMaybeDump();
  }
  {
    ModelBuilder m("gather_axis1");
    TensorId x = m.Input({3, 5, 2});
    m.Finish(m.Op1(OpKind::kGather, {x, m.Ints({4, 0, 4})}, GatherOptions{1, 0}));
    m.RunAndMaybeDump();
  }
  {
    ModelBuilder m("transpose_concat_split");
    TensorId x = m.Input({2, 3, 4});
    TensorId t = m.Op1(OpKind::kTranspose, {x, m.Ints({2, 0, 1})}, NoOptions{});
    TensorId c = m.Op1(OpKind::kConcatenation, {t, t}, ConcatenationOptions{1, Activation::kNone});
    TensorId p = m.Op1(OpKind::kPad, {c, m.Ints({1, 0, 0, 2, 1, 1}, {3, 2})}, NoOptions{});
    (void)p;
    m.Finish(m.Op1(OpKind::kTile, {p, m.Ints({1, 2, 1})}, NoOptions{}));
    m.RunAndMaybeDump();
  }
  for (bool symmetric : {false, true}) {
    ModelBuilder m(symmetric ? "mirror_pad_symmetric" : "mirror_pad_reflect");
    TensorId x = m.Input({1, 4, 5, 2});
    m.Finish(m.Op1(OpKind::kMirrorPad, {x, m.Ints({0, 0, 2, 3, 3, 1, 0, 0}, {4, 2})}, MirrorPadOptions{symmetric}));
    m.RunAndMaybeDump();
  }
}

TEST(InterpreterLiteRtTest, IntegerKernels) {
  for (auto [name, kind] : std::vector<std::pair<std::string, OpKind>>{
           {"int_div", OpKind::kDiv}, {"int_sub", OpKind::kSub}, {"int_mul", OpKind::kMul}}) {
    ModelBuilder m(name);
    TensorId a = m.IntInput({4, 6});
    TensorId b = m.IntInput({6});
    m.Finish(m.Op1(kind, {a, b}, BinaryOptions{}, kI32));
    m.RunAndMaybeDump();
  }
  {
    ModelBuilder m("int_mean");
    TensorId a = m.IntInput({4, 6});
    m.Finish(m.Op1(OpKind::kMean, {a, m.Ints({1})}, ReducerOptions{false}, kI32));
    m.RunAndMaybeDump();
  }
  {
    ModelBuilder m("int_sum_keep");
    TensorId a = m.IntInput({4, 6});
    m.Finish(m.Op1(OpKind::kSum, {a, m.Ints({0})}, ReducerOptions{true}, kI32));
    m.RunAndMaybeDump();
  }
  {
    ModelBuilder m("cast_round");
    TensorId x = m.Input({3, 7});
    TensorId s = m.Op1(OpKind::kMul, {x, m.Weights({7})}, BinaryOptions{});
    TensorId r = m.Op1(OpKind::kRound, {m.Op1(OpKind::kMul, {s, m.Weights({1})}, BinaryOptions{})}, NoOptions{});
    m.Finish(m.Op1(OpKind::kCast, {r}, CastOptions{}, kI32));
    m.RunAndMaybeDump();
  }
}

}  // namespace
}  // namespace optconv
