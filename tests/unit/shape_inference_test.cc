// Shape inference per family: static shapes, unknown dims, value-dependent
// shapes with and without constant inputs, and error messages.
#include "converter/shape_inference.h"

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace optconv {
namespace {

constexpr int64_t U = kUnknownDim;
constexpr DataType kF32 = DataType::kFloat32;
constexpr DataType kI32 = DataType::kInt32;

class ShapeTest : public ::testing::Test {
 protected:
  ShapeTest() { g_.source_path = "m.onnx"; }

  TensorId Act(Shape s, DataType t = kF32) {
    return g_.AddActivation(absl_name(), t, std::move(s));
  }
  TensorId I32(std::vector<int32_t> v, Shape s) {
    return g_.AddConstantValues<int32_t>(absl_name(), kI32, std::move(s), v);
  }
  TensorId I32(std::vector<int32_t> v) {
    Shape s{static_cast<int64_t>(v.size())};
    return I32(std::move(v), s);
  }
  TensorId Scalar(int32_t v) { return I32({v}, {}); }
  TensorId F32(std::vector<float> v, Shape s) {
    return g_.AddConstantValues<float>(absl_name(), kF32, std::move(s), v);
  }
  Op MakeOp(OpKind kind, std::vector<TensorId> ins, OpOptions o, int outs = 1) {
    Op op;
    op.kind = kind;
    op.inputs = std::move(ins);
    op.options = std::move(o);
    op.origin = {"n1", "Node"};
    for (int i = 0; i < outs; ++i) op.outputs.push_back(Act({}));
    return op;
  }
  std::vector<Shape> Infer(OpKind kind, std::vector<TensorId> ins, OpOptions o, int outs = 1) {
    Op op = MakeOp(kind, std::move(ins), std::move(o), outs);
    absl::StatusOr<std::vector<Shape>> s = InferOutputShapes(g_, op);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : std::vector<Shape>{};
  }
  Shape Infer1(OpKind kind, std::vector<TensorId> ins, OpOptions o = NoOptions{}) {
    std::vector<Shape> s = Infer(kind, std::move(ins), std::move(o));
    return s.empty() ? Shape{-99} : s[0];
  }
  absl::Status Error(OpKind kind, std::vector<TensorId> ins, OpOptions o = NoOptions{},
                     int outs = 1) {
    return InferOutputShapes(g_, MakeOp(kind, std::move(ins), std::move(o), outs)).status();
  }
  std::string absl_name() { return "t" + std::to_string(g_.num_tensors()); }

  Graph g_;
};

TEST_F(ShapeTest, ElementwiseBroadcastAndUnknown) {
  EXPECT_EQ(Infer1(OpKind::kAdd, {Act({2, 1, 3}), Act({4, 1})}, BinaryOptions{}), (Shape{2, 4, 3}));
  EXPECT_EQ(Infer1(OpKind::kMul, {Act({U, 3}), Act({3})}, BinaryOptions{}), (Shape{U, 3}));
  EXPECT_EQ(Infer1(OpKind::kLess, {Act({U, 1}), Act({1, 5})}), (Shape{U, 5}));
  EXPECT_EQ(Infer1(OpKind::kSelectV2, {Act({2, 1}, DataType::kBool), Act({3}), Act({1})}),
            (Shape{2, 3}));
  EXPECT_EQ(Infer1(OpKind::kRelu6, {Act({1, U, 7})}), (Shape{1, U, 7}));
  EXPECT_EQ(Infer1(OpKind::kCast, {Act({4})}, CastOptions{}), (Shape{4}));
  absl::Status s = Error(OpKind::kAdd, {Act({2, 3}), Act({4})}, BinaryOptions{});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message().substr(0, 24), "m.onnx: node 'n1' (Node)");
}

TEST_F(ShapeTest, ConvPoolWindows) {
  Conv2DOptions c;
  c.padding = Padding::kSame;
  c.stride_h = c.stride_w = 2;
  EXPECT_EQ(Infer1(OpKind::kConv2D, {Act({1, 224, 224, 3}), F32(std::vector<float>(32 * 27), {32, 3, 3, 3})}, c),
            (Shape{1, 112, 112, 32}));
  c.padding = Padding::kValid;
  c.dilation_h = c.dilation_w = 2;  // dilated window 5
  EXPECT_EQ(Infer1(OpKind::kConv2D, {Act({U, 11, 12, 4}), Act({8, 3, 3, 2})}, c),
            (Shape{U, 4, 4, 8}));
  DepthwiseConv2DOptions d;
  d.padding = Padding::kSame;
  EXPECT_EQ(Infer1(OpKind::kDepthwiseConv2D, {Act({1, 7, U, 4}), Act({1, 3, 3, 8})}, d),
            (Shape{1, 7, U, 8}));
  Pool2DOptions p;
  p.filter_h = p.filter_w = 3;
  p.stride_h = p.stride_w = 2;
  EXPECT_EQ(Infer1(OpKind::kMaxPool2D, {Act({1, 8, 9, 5})}, p), (Shape{1, 3, 4, 5}));
  p.padding = Padding::kSame;
  EXPECT_EQ(Infer1(OpKind::kAveragePool2D, {Act({1, 8, 9, 5})}, p), (Shape{1, 4, 5, 5}));
  EXPECT_EQ(Error(OpKind::kMaxPool2D, {Act({1, 2, 2, 1})},
                  Pool2DOptions{Padding::kValid, 1, 1, 3, 3, Activation::kNone}).code(),
            absl::StatusCode::kInvalidArgument);
  TransposeConvOptions t;
  EXPECT_EQ(Infer1(OpKind::kTransposeConv, {I32({1, 8, 8, 6}), Act({6, 3, 3, 4}), Act({1, 4, 4, 4})}, t),
            (Shape{1, 8, 8, 6}));
  EXPECT_EQ(Infer1(OpKind::kTransposeConv, {Act({4}, kI32), Act({6, 3, 3, 4}), Act({U, 4, 4, 4})}, t),
            (Shape{U, U, U, 6}));
}

TEST_F(ShapeTest, MatMulsAndResize) {
  EXPECT_EQ(Infer1(OpKind::kFullyConnected, {Act({2, 3, 8}), Act({5, 8})}, FullyConnectedOptions{}),
            (Shape{6, 5}));
  FullyConnectedOptions keep;
  keep.keep_num_dims = true;
  EXPECT_EQ(Infer1(OpKind::kFullyConnected, {Act({U, 3, 8}), Act({5, 8})}, keep), (Shape{U, 3, 5}));
  EXPECT_EQ(Infer1(OpKind::kFullyConnected, {Act({U, 8}), Act({5, 8})}, FullyConnectedOptions{}),
            (Shape{U, 5}));
  BatchMatMulOptions bm;
  EXPECT_EQ(Infer1(OpKind::kBatchMatMul, {Act({2, 1, 3, 4}), Act({5, 4, 6})}, bm), (Shape{2, 5, 3, 6}));
  bm.adj_x = bm.adj_y = true;
  EXPECT_EQ(Infer1(OpKind::kBatchMatMul, {Act({4, 3}), Act({6, 4})}, bm), (Shape{3, 6}));
  EXPECT_FALSE(Error(OpKind::kBatchMatMul, {Act({3, 4}), Act({5, 6})}, BatchMatMulOptions{}).ok());
  EXPECT_EQ(Infer1(OpKind::kResizeBilinear, {Act({1, 4, 4, 3}), I32({8, 10})}, ResizeOptions{}),
            (Shape{1, 8, 10, 3}));
  EXPECT_EQ(Infer1(OpKind::kResizeNearestNeighbor, {Act({1, 4, 4, 3}), Act({2}, kI32)}, ResizeOptions{}),
            (Shape{1, U, U, 3}));
  EXPECT_EQ(Infer1(OpKind::kDepthToSpace, {Act({1, 2, 3, 8})}, BlockSizeOptions{2}), (Shape{1, 4, 6, 2}));
  EXPECT_EQ(Infer1(OpKind::kSpaceToDepth, {Act({1, 4, 6, 2})}, BlockSizeOptions{2}), (Shape{1, 2, 3, 8}));
}

TEST_F(ShapeTest, SequenceLstm) {
  std::vector<TensorId> ins(24, kNoTensor);
  ins[0] = Act({7, 2, 5});
  for (int i = 1; i <= 8; ++i) ins[i] = Act(i <= 4 ? Shape{16, 5} : Shape{16, 4});
  SequenceLstmOptions o;
  EXPECT_EQ(Infer1(OpKind::kUnidirectionalSequenceLstm, ins, o), (Shape{7, 2, 4}));
  std::vector<TensorId> bi(48, kNoTensor);
  bi[0] = Act({2, 7, 5});
  bi[8] = Act({16, 4});
  bi[25] = Act({16, 3});
  o.time_major = false;
  EXPECT_EQ(Infer1(OpKind::kBidirectionalSequenceLstm, bi, o), (Shape{2, 7, 7}));
  o.merge_outputs = false;
  EXPECT_EQ(Infer(OpKind::kBidirectionalSequenceLstm, bi, o, 2), (std::vector<Shape>{{2, 7, 4}, {2, 7, 3}}));
}

TEST_F(ShapeTest, ReshapeResolvesMinusOne) {
  EXPECT_EQ(Infer1(OpKind::kReshape, {Act({2, 3, 4}), I32({-1, 4})}), (Shape{6, 4}));
  EXPECT_EQ(Infer1(OpKind::kReshape, {Act({U, 3, 4}), I32({-1, 12})}), (Shape{U, 12}));
  EXPECT_EQ(Infer1(OpKind::kReshape, {Act({2, 3}), Act({3}, kI32)}), (Shape{U, U, U}));
  EXPECT_FALSE(Error(OpKind::kReshape, {Act({2, 3}), I32({4, 2})}).ok());
  EXPECT_FALSE(Error(OpKind::kReshape, {Act({2, 3}), I32({-1, -1})}).ok());
}

TEST_F(ShapeTest, TensorFamily) {
  EXPECT_EQ(Infer1(OpKind::kTranspose, {Act({1, 2, 3, 4}), I32({0, 3, 1, 2})}), (Shape{1, 4, 2, 3}));
  EXPECT_EQ(Infer1(OpKind::kTranspose, {Act({1, 2, 3}), Act({3}, kI32)}), (Shape{U, U, U}));
  EXPECT_EQ(Infer1(OpKind::kConcatenation, {Act({2, 3}), Act({2, U}), Act({U, 1})},
                   ConcatenationOptions{-1, Activation::kNone}), (Shape{2, U}));
  EXPECT_EQ(Infer1(OpKind::kConcatenation, {Act({2, 3}), Act({4, 3})}, ConcatenationOptions{0}),
            (Shape{6, 3}));
  EXPECT_FALSE(Error(OpKind::kConcatenation, {Act({2, 3}), Act({4, 2})}, ConcatenationOptions{0}).ok());
  EXPECT_EQ(Infer1(OpKind::kPack, {Act({2, 3}), Act({2, 3})}, PackOptions{1, 2}), (Shape{2, 2, 3}));
  EXPECT_EQ(Infer(OpKind::kUnpack, {Act({2, 3})}, PackOptions{-1, 3}, 3),
            (std::vector<Shape>(3, Shape{2})));
  EXPECT_EQ(Infer(OpKind::kSplit, {Scalar(1), Act({2, 6})}, SplitOptions{3}, 3),
            (std::vector<Shape>(3, Shape{2, 2})));
  EXPECT_EQ(Infer(OpKind::kSplitV, {Act({2, 6}), I32({1, -1}), Scalar(-1)}, SplitOptions{2}, 2),
            (std::vector<Shape>{{2, 1}, {2, 5}}));
  EXPECT_EQ(Infer1(OpKind::kGather, {Act({5, 6, 7}), Act({2, 3}, kI32)}, GatherOptions{1, 0}),
            (Shape{5, 2, 3, 7}));
  EXPECT_EQ(Infer1(OpKind::kGather, {Act({5, 6}), Scalar(2)}, GatherOptions{0, 0}), (Shape{6}));
  EXPECT_EQ(Infer1(OpKind::kSqueeze, {Act({1, 3, 1, U})}, SqueezeOptions{}), (Shape{3, U}));
  EXPECT_EQ(Infer1(OpKind::kSqueeze, {Act({1, 3, 1})}, SqueezeOptions{{-1}}), (Shape{1, 3}));
  EXPECT_EQ(Infer1(OpKind::kExpandDims, {Act({2, 3}), Scalar(-1)}), (Shape{2, 3, 1}));
  EXPECT_EQ(Infer1(OpKind::kShape, {Act({U, 3, 4})}), (Shape{3}));
  EXPECT_EQ(Infer1(OpKind::kFill, {I32({2, 3}), F32({1.5f}, {})}), (Shape{2, 3}));
  EXPECT_EQ(Infer1(OpKind::kRange, {Scalar(1), Scalar(10), Scalar(3)}), (Shape{3}));
  EXPECT_EQ(Infer1(OpKind::kRange, {F32({0}, {}), F32({1}, {}), F32({0.3f}, {})}), (Shape{4}));
  EXPECT_EQ(Infer1(OpKind::kRange, {Scalar(1), Act({}, kI32), Scalar(3)}), (Shape{U}));
  EXPECT_EQ(Infer1(OpKind::kTile, {Act({2, U}), I32({3, 2})}), (Shape{6, U}));
  EXPECT_EQ(Infer1(OpKind::kBroadcastTo, {Act({3, 1}), I32({2, 3, 4})}), (Shape{2, 3, 4}));
  EXPECT_FALSE(Error(OpKind::kBroadcastTo, {Act({3, 2}), I32({3, 4})}).ok());
  EXPECT_EQ(Infer1(OpKind::kPad, {Act({1, 4, U}), I32({0, 0, 1, 2, 3, 3}, {3, 2})}), (Shape{1, 7, U}));
  EXPECT_EQ(Infer1(OpKind::kPadV2, {Act({1, 4}), Act({2, 2}, kI32), F32({0}, {})}), (Shape{U, U}));
  EXPECT_FALSE(Error(OpKind::kMirrorPad, {Act({1, 4}), I32({0, 0, 4, 0}, {2, 2})}, MirrorPadOptions{false}).ok());
  EXPECT_EQ(Infer1(OpKind::kMirrorPad, {Act({1, 4}), I32({0, 0, 4, 0}, {2, 2})}, MirrorPadOptions{true}),
            (Shape{1, 8}));
}

TEST_F(ShapeTest, SliceAndStridedSlice) {
  EXPECT_EQ(Infer1(OpKind::kSlice, {Act({4, 5, 6}), I32({1, 0, 2}), I32({2, -1, 3})}), (Shape{2, 5, 3}));
  EXPECT_EQ(Infer1(OpKind::kSlice, {Act({4, U}), I32({1, 0}), I32({-1, -1})}), (Shape{3, U}));
  EXPECT_FALSE(Error(OpKind::kSlice, {Act({4}), I32({3}), I32({2})}).ok());
  StridedSliceOptions o;
  // x[1:-1, ::2]
  o.end_mask = 2;
  EXPECT_EQ(Infer1(OpKind::kStridedSlice, {Act({5, 7}), I32({1, 0}), I32({-1, 0}), I32({1, 2})}, o),
            (Shape{3, 4}));
  // x[::-1] reverses
  o = {};
  o.begin_mask = o.end_mask = 1;
  EXPECT_EQ(Infer1(OpKind::kStridedSlice, {Act({5, 2}), I32({0}), I32({0}), I32({-1})}, o), (Shape{5, 2}));
  // x[..., 0] with shrink: ellipsis then a shrunk axis
  o = {};
  o.ellipsis_mask = 1;
  o.shrink_axis_mask = 2;
  EXPECT_EQ(Infer1(OpKind::kStridedSlice, {Act({2, 3, 4}), I32({0, 0}), I32({0, 1}), I32({1, 1})}, o),
            (Shape{2, 3}));
  // x[:, None, 1:3]: new axis in the middle
  o = {};
  o.begin_mask = 1;
  o.end_mask = 1;
  o.new_axis_mask = 2;
  EXPECT_EQ(Infer1(OpKind::kStridedSlice, {Act({4, 6}), I32({0, 0, 1}), I32({0, 0, 3}), I32({1, 1, 1})}, o),
            (Shape{4, 1, 2}));
  // Big end clamps; unknown dims stay unknown.
  o = {};
  EXPECT_EQ(Infer1(OpKind::kStridedSlice, {Act({U, 6}), I32({0, 2}), I32({1, 1 << 30}), I32({1, 1})}, o),
            (Shape{U, 4}));
  // Non-constant begin: rank still known.
  o.shrink_axis_mask = 1;
  EXPECT_EQ(Infer1(OpKind::kStridedSlice, {Act({4, 6}), Act({2}, kI32), I32({1, 2}), I32({1, 1})}, o),
            (Shape{U}));
  // offset=true: end is relative to begin.
  o = {};
  o.offset = true;
  EXPECT_EQ(Infer1(OpKind::kStridedSlice, {Act({10}), I32({2}), I32({5}), I32({1})}, o), (Shape{5}));
  o = {};
  o.shrink_axis_mask = 1;
  EXPECT_FALSE(Error(OpKind::kStridedSlice, {Act({3}), I32({3}), I32({4}), I32({1})}, o).ok());
}

TEST_F(ShapeTest, Reductions) {
  EXPECT_EQ(Infer1(OpKind::kMean, {Act({2, 3, 4}), I32({1, -1})}, ReducerOptions{true}), (Shape{2, 1, 1}));
  EXPECT_EQ(Infer1(OpKind::kSum, {Act({2, 3, 4}), I32({1})}, ReducerOptions{false}), (Shape{2, 4}));
  EXPECT_EQ(Infer1(OpKind::kReduceMax, {Act({2, 3, 4}), Act({2}, kI32)}, ReducerOptions{false}), (Shape{U}));
  EXPECT_EQ(Infer1(OpKind::kReduceMin, {Act({2, U}), Act({1}, kI32)}, ReducerOptions{true}), (Shape{U, U}));
  EXPECT_EQ(Infer1(OpKind::kArgMax, {Act({2, 3, 4}), Scalar(1)}, ArgOptions{}), (Shape{2, 4}));
  EXPECT_FALSE(Error(OpKind::kMean, {Act({2}), I32({1})}, ReducerOptions{}).ok());
}

TEST_F(ShapeTest, PartialShapeValuesThroughShapeSubgraphs) {
  // x.view(x.size(0), -1) with a dynamic batch: Shape -> Gather -> Concat -> Reshape.
  TensorId x = Act({U, 3, 4});
  auto emit = [&](OpKind kind, std::vector<TensorId> ins, OpOptions o, DataType t) {
    Op op = MakeOp(kind, std::move(ins), std::move(o));
    g_.tensor(op.outputs[0]).type = t;
    EXPECT_TRUE(InferAndSetOutputShapes(g_, op).ok());
    g_.AddOp(op);
    return op.outputs[0];
  };
  TensorId shape = emit(OpKind::kShape, {x}, NoOptions{}, kI32);
  TensorId batch = emit(OpKind::kGather, {shape, I32({0})}, GatherOptions{}, kI32);
  TensorId hw = emit(OpKind::kStridedSlice, {shape, I32({1}), I32({3}), I32({1})}, StridedSliceOptions{}, kI32);
  TensorId prod = emit(OpKind::kReduceProd, {hw, I32({0})}, ReducerOptions{true}, kI32);
  TensorId spec = emit(OpKind::kConcatenation, {batch, I32({-1})}, ConcatenationOptions{0}, kI32);
  EXPECT_EQ(Infer1(OpKind::kReshape, {x, spec}), (Shape{U, 12}));
  // Known entries survive even when -1 cannot resolve (the input is a different tensor).
  TensorId spec2 = emit(OpKind::kConcatenation, {I32({2}), batch, I32({-1})}, ConcatenationOptions{0}, kI32);
  EXPECT_EQ(Infer1(OpKind::kReshape, {Act({U, 6}), spec2}), (Shape{2, U, U}));
  // Arithmetic on known entries: [3*4] from the static part of the shape.
  TensorId hw_mul = emit(OpKind::kMul, {emit(OpKind::kGather, {shape, I32({1})}, GatherOptions{}, kI32),
                                        emit(OpKind::kGather, {shape, I32({2})}, GatherOptions{}, kI32)},
                         BinaryOptions{}, kI32);
  TensorId spec3 = emit(OpKind::kConcatenation, {batch, hw_mul}, ConcatenationOptions{0}, kI32);
  EXPECT_EQ(Infer1(OpKind::kReshape, {x, spec3}), (Shape{U, 12}));
  (void)prod;  // REDUCE_PROD is not followed: its value stays unknown
  EXPECT_EQ(Infer1(OpKind::kBroadcastTo, {Act({1, 5}), emit(OpKind::kConcatenation, {batch, I32({1, 5})},
                                                             ConcatenationOptions{0}, kI32)}),
            (Shape{U, 1, 5}));
  EXPECT_EQ(Infer1(OpKind::kBroadcastTo, {Act({7, 1}), spec3}), (Shape{7, 12}));
  EXPECT_EQ(Infer1(OpKind::kFill, {spec3, F32({0}, {})}), (Shape{U, 12}));
}

TEST_F(ShapeTest, SetsOutputShapesAndChecksOptions) {
  Op op = MakeOp(OpKind::kAdd, {Act({2, 3}), Act({3})}, BinaryOptions{});
  ASSERT_TRUE(InferAndSetOutputShapes(g_, op).ok());
  EXPECT_EQ(g_.tensor(op.outputs[0]).shape, (Shape{2, 3}));
  EXPECT_FALSE(Error(OpKind::kConv2D, {Act({1, 4, 4, 1}), Act({1, 1, 1, 1})}, NoOptions{}).ok());
}

}  // namespace
}  // namespace optconv
