#include "exporters/tflite/op_options_writer.h"

#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "converter/status_util.h"
#include "exporters/tflite/tflite_types.h"

namespace optconv {
namespace {

using BOpt = tflite::BuiltinOptions;

template <typename T>
WrittenOptions Written(BOpt type, flatbuffers::Offset<T> offset) {
  return WrittenOptions{type, offset.Union()};
}

/// Output element type of `op`'s output `i`, or FLOAT32 when absent.
tflite::TensorType OutputType(const Graph& graph, const Op& op, size_t i) {
  if (i >= op.outputs.size() || op.outputs[i] < 0 || op.outputs[i] >= graph.num_tensors()) {
    return tflite::TensorType::FLOAT32;
  }
  return TfliteTensorType(graph.tensor(op.outputs[i]).type);
}

tflite::TensorType InputType(const Graph& graph, const Op& op, size_t i) {
  if (i >= op.inputs.size() || op.inputs[i] < 0 || op.inputs[i] >= graph.num_tensors()) {
    return tflite::TensorType::FLOAT32;
  }
  return TfliteTensorType(graph.tensor(op.inputs[i]).type);
}

/// RESHAPE's new_shape attribute. LiteRT takes the new shape from the second
/// input when that is a 1-D int32 tensor, and TensorFlow's converter then
/// writes no options; only for a constant int64 shape (which the kernel would
/// ignore) is the attribute needed. Computed non-int32 shapes are rejected by
/// CheckRuntimeSupport.
flatbuffers::Offset<flatbuffers::Vector<int32_t>> ReshapeNewShape(
    flatbuffers::FlatBufferBuilder& fbb, const Graph& graph, const Op& op) {
  if (op.inputs.size() < 2 || op.inputs[1] < 0 || op.inputs[1] >= graph.num_tensors()) return 0;
  const Tensor& shape = graph.tensor(op.inputs[1]);
  if (!shape.is_constant() || shape.shape.size() != 1 || shape.type != DataType::kInt64) return 0;
  std::vector<int32_t> dims;
  for (int64_t d : shape.data->AsVector<int64_t>()) dims.push_back(static_cast<int32_t>(d));
  return fbb.CreateVector(dims);
}

int32_t CountOr(int32_t value, size_t fallback) {
  return value > 0 ? value : static_cast<int32_t>(fallback);
}

}  // namespace

absl::StatusOr<WrittenOptions> WriteBuiltinOptions(flatbuffers::FlatBufferBuilder& fbb,
                                                   const Graph& graph, const Op& op) {
  if (!OptionsMatchKind(op.kind, op.options)) {
    return NodeError(absl::StatusCode::kInternal, graph.source_path, op.origin,
                     absl::StrCat("options of op ", std::string(OpKindName(op.kind)),
                                  " hold the wrong alternative"));
  }
  switch (op.kind) {
    // ---- elementwise binary with fused activation
    case OpKind::kAdd:
      return Written(BOpt::AddOptions,
                     tflite::CreateAddOptions(
                         fbb, TfliteActivation(op.opts<BinaryOptions>().activation)));
    case OpKind::kSub:
      return Written(BOpt::SubOptions,
                     tflite::CreateSubOptions(
                         fbb, TfliteActivation(op.opts<BinaryOptions>().activation)));
    case OpKind::kMul:
      return Written(BOpt::MulOptions,
                     tflite::CreateMulOptions(
                         fbb, TfliteActivation(op.opts<BinaryOptions>().activation)));
    case OpKind::kDiv:
      return Written(BOpt::DivOptions,
                     tflite::CreateDivOptions(
                         fbb, TfliteActivation(op.opts<BinaryOptions>().activation)));

    // ---- convolutions and pooling
    case OpKind::kConv2D: {
      const auto& o = op.opts<Conv2DOptions>();
      return Written(BOpt::Conv2DOptions,
                     tflite::CreateConv2DOptions(fbb, TflitePadding(o.padding), o.stride_w,
                                                 o.stride_h, TfliteActivation(o.activation),
                                                 o.dilation_w, o.dilation_h));
    }
    case OpKind::kDepthwiseConv2D: {
      const auto& o = op.opts<DepthwiseConv2DOptions>();
      return Written(BOpt::DepthwiseConv2DOptions,
                     tflite::CreateDepthwiseConv2DOptions(
                         fbb, TflitePadding(o.padding), o.stride_w, o.stride_h,
                         o.depth_multiplier, TfliteActivation(o.activation), o.dilation_w,
                         o.dilation_h));
    }
    case OpKind::kTransposeConv: {
      const auto& o = op.opts<TransposeConvOptions>();
      return Written(BOpt::TransposeConvOptions,
                     tflite::CreateTransposeConvOptions(fbb, TflitePadding(o.padding), o.stride_w,
                                                        o.stride_h,
                                                        TfliteActivation(o.activation)));
    }
    case OpKind::kAveragePool2D:
    case OpKind::kMaxPool2D: {
      const auto& o = op.opts<Pool2DOptions>();
      return Written(BOpt::Pool2DOptions,
                     tflite::CreatePool2DOptions(fbb, TflitePadding(o.padding), o.stride_w,
                                                 o.stride_h, o.filter_w, o.filter_h,
                                                 TfliteActivation(o.activation)));
    }
    case OpKind::kFullyConnected: {
      const auto& o = op.opts<FullyConnectedOptions>();
      return Written(BOpt::FullyConnectedOptions,
                     tflite::CreateFullyConnectedOptions(
                         fbb, TfliteActivation(o.activation),
                         tflite::FullyConnectedOptionsWeightsFormat::DEFAULT, o.keep_num_dims));
    }
    case OpKind::kBatchMatMul: {
      const auto& o = op.opts<BatchMatMulOptions>();
      return Written(BOpt::BatchMatMulOptions,
                     tflite::CreateBatchMatMulOptions(fbb, o.adj_x, o.adj_y));
    }

    // ---- shape manipulation
    case OpKind::kConcatenation: {
      const auto& o = op.opts<ConcatenationOptions>();
      return Written(BOpt::ConcatenationOptions,
                     tflite::CreateConcatenationOptions(fbb, o.axis,
                                                        TfliteActivation(o.activation)));
    }
    case OpKind::kReshape: {
      auto new_shape = ReshapeNewShape(fbb, graph, op);
      if (new_shape.IsNull()) return WrittenOptions{};
      return Written(BOpt::ReshapeOptions, tflite::CreateReshapeOptions(fbb, new_shape));
    }
    case OpKind::kSqueeze: {
      const auto& dims = op.opts<SqueezeOptions>().squeeze_dims;
      return Written(BOpt::SqueezeOptions,
                     tflite::CreateSqueezeOptions(fbb, dims.empty() ? 0 : fbb.CreateVector(dims)));
    }
    case OpKind::kStridedSlice: {
      const auto& o = op.opts<StridedSliceOptions>();
      return Written(BOpt::StridedSliceOptions,
                     tflite::CreateStridedSliceOptions(fbb, o.begin_mask, o.end_mask,
                                                       o.ellipsis_mask, o.new_axis_mask,
                                                       o.shrink_axis_mask, o.offset));
    }
    case OpKind::kGather: {
      const auto& o = op.opts<GatherOptions>();
      return Written(BOpt::GatherOptions, tflite::CreateGatherOptions(fbb, o.axis, o.batch_dims));
    }
    case OpKind::kSplit:
      return Written(BOpt::SplitOptions,
                     tflite::CreateSplitOptions(
                         fbb, CountOr(op.opts<SplitOptions>().num_splits, op.outputs.size())));
    case OpKind::kSplitV:
      return Written(BOpt::SplitVOptions,
                     tflite::CreateSplitVOptions(
                         fbb, CountOr(op.opts<SplitOptions>().num_splits, op.outputs.size())));
    case OpKind::kPack: {
      const auto& o = op.opts<PackOptions>();
      return Written(BOpt::PackOptions,
                     tflite::CreatePackOptions(fbb, CountOr(o.values_count, op.inputs.size()),
                                               o.axis));
    }
    case OpKind::kUnpack: {
      const auto& o = op.opts<PackOptions>();
      return Written(BOpt::UnpackOptions,
                     tflite::CreateUnpackOptions(fbb, CountOr(o.values_count, op.outputs.size()),
                                                 o.axis));
    }
    case OpKind::kDepthToSpace:
      return Written(BOpt::DepthToSpaceOptions,
                     tflite::CreateDepthToSpaceOptions(fbb,
                                                       op.opts<BlockSizeOptions>().block_size));
    case OpKind::kSpaceToDepth:
      return Written(BOpt::SpaceToDepthOptions,
                     tflite::CreateSpaceToDepthOptions(fbb,
                                                       op.opts<BlockSizeOptions>().block_size));
    case OpKind::kMirrorPad:
      return Written(BOpt::MirrorPadOptions,
                     tflite::CreateMirrorPadOptions(fbb, op.opts<MirrorPadOptions>().symmetric
                                                             ? tflite::MirrorPadMode::SYMMETRIC
                                                             : tflite::MirrorPadMode::REFLECT));
    case OpKind::kResizeBilinear: {
      const auto& o = op.opts<ResizeOptions>();
      return Written(BOpt::ResizeBilinearOptions,
                     tflite::CreateResizeBilinearOptions(fbb, o.align_corners,
                                                         o.half_pixel_centers));
    }
    case OpKind::kResizeNearestNeighbor: {
      const auto& o = op.opts<ResizeOptions>();
      return Written(BOpt::ResizeNearestNeighborOptions,
                     tflite::CreateResizeNearestNeighborOptions(fbb, o.align_corners,
                                                                o.half_pixel_centers));
    }

    // ---- reductions and normalizations
    case OpKind::kMean:
    case OpKind::kSum:
    case OpKind::kReduceProd:
    case OpKind::kReduceMax:
    case OpKind::kReduceMin:
      return Written(BOpt::ReducerOptions,
                     tflite::CreateReducerOptions(fbb, op.opts<ReducerOptions>().keep_dims));
    case OpKind::kSoftmax:
      return Written(BOpt::SoftmaxOptions,
                     tflite::CreateSoftmaxOptions(fbb, op.opts<SoftmaxOptions>().beta));
    case OpKind::kL2Normalization:
      return Written(BOpt::L2NormOptions,
                     tflite::CreateL2NormOptions(
                         fbb, TfliteActivation(op.opts<L2NormOptions>().activation)));
    case OpKind::kCumsum: {
      const auto& o = op.opts<CumsumOptions>();
      return Written(BOpt::CumsumOptions, tflite::CreateCumsumOptions(fbb, o.exclusive, o.reverse));
    }
    case OpKind::kArgMax:
      return Written(BOpt::ArgMaxOptions,
                     tflite::CreateArgMaxOptions(fbb, OutputType(graph, op, 0)));
    case OpKind::kArgMin:
      return Written(BOpt::ArgMinOptions,
                     tflite::CreateArgMinOptions(fbb, OutputType(graph, op, 0)));

    // ---- activations with parameters
    case OpKind::kLeakyRelu:
      return Written(BOpt::LeakyReluOptions,
                     tflite::CreateLeakyReluOptions(fbb, op.opts<LeakyReluOptions>().alpha));
    case OpKind::kGelu:
      return Written(BOpt::GeluOptions,
                     tflite::CreateGeluOptions(fbb, op.opts<GeluOptions>().approximate));

    // ---- recurrent
    case OpKind::kUnidirectionalSequenceLstm: {
      const auto& o = op.opts<SequenceLstmOptions>();
      return Written(BOpt::UnidirectionalSequenceLSTMOptions,
                     tflite::CreateUnidirectionalSequenceLSTMOptions(
                         fbb, TfliteActivation(o.activation), o.cell_clip, o.proj_clip,
                         o.time_major));
    }
    case OpKind::kBidirectionalSequenceLstm: {
      const auto& o = op.opts<SequenceLstmOptions>();
      return Written(BOpt::BidirectionalSequenceLSTMOptions,
                     tflite::CreateBidirectionalSequenceLSTMOptions(
                         fbb, TfliteActivation(o.activation), o.cell_clip, o.proj_clip,
                         o.merge_outputs, o.time_major));
    }

    // ---- type-carrying tables (the runtime reads types from tensors, but the
    // converter records them)
    case OpKind::kCast:
      return Written(BOpt::CastOptions, tflite::CreateCastOptions(fbb, InputType(graph, op, 0),
                                                                  OutputType(graph, op, 0)));
    case OpKind::kShape:
      return Written(BOpt::ShapeOptions, tflite::CreateShapeOptions(fbb, OutputType(graph, op, 0)));

    // ---- ops whose official options table is empty
    case OpKind::kDequantize:
      return Written(BOpt::DequantizeOptions, tflite::CreateDequantizeOptions(fbb));
    case OpKind::kPad:
      return Written(BOpt::PadOptions, tflite::CreatePadOptions(fbb));
    case OpKind::kPadV2:
      return Written(BOpt::PadV2Options, tflite::CreatePadV2Options(fbb));
    case OpKind::kTranspose:
      return Written(BOpt::TransposeOptions, tflite::CreateTransposeOptions(fbb));
    case OpKind::kExp:
      return Written(BOpt::ExpOptions, tflite::CreateExpOptions(fbb));
    case OpKind::kLogSoftmax:
      return Written(BOpt::LogSoftmaxOptions, tflite::CreateLogSoftmaxOptions(fbb));
    case OpKind::kMaximum:
    case OpKind::kMinimum:
      return Written(BOpt::MaximumMinimumOptions, tflite::CreateMaximumMinimumOptions(fbb));
    case OpKind::kLess:
      return Written(BOpt::LessOptions, tflite::CreateLessOptions(fbb));
    case OpKind::kLessEqual:
      return Written(BOpt::LessEqualOptions, tflite::CreateLessEqualOptions(fbb));
    case OpKind::kGreater:
      return Written(BOpt::GreaterOptions, tflite::CreateGreaterOptions(fbb));
    case OpKind::kGreaterEqual:
      return Written(BOpt::GreaterEqualOptions, tflite::CreateGreaterEqualOptions(fbb));
    case OpKind::kEqual:
      return Written(BOpt::EqualOptions, tflite::CreateEqualOptions(fbb));
    case OpKind::kNotEqual:
      return Written(BOpt::NotEqualOptions, tflite::CreateNotEqualOptions(fbb));
    case OpKind::kNeg:
      return Written(BOpt::NegOptions, tflite::CreateNegOptions(fbb));
    case OpKind::kSlice:
      return Written(BOpt::SliceOptions, tflite::CreateSliceOptions(fbb));
    case OpKind::kTile:
      return Written(BOpt::TileOptions, tflite::CreateTileOptions(fbb));
    case OpKind::kExpandDims:
      return Written(BOpt::ExpandDimsOptions, tflite::CreateExpandDimsOptions(fbb));
    case OpKind::kPow:
      return Written(BOpt::PowOptions, tflite::CreatePowOptions(fbb));
    case OpKind::kLogicalOr:
      return Written(BOpt::LogicalOrOptions, tflite::CreateLogicalOrOptions(fbb));
    case OpKind::kLogicalAnd:
      return Written(BOpt::LogicalAndOptions, tflite::CreateLogicalAndOptions(fbb));
    case OpKind::kLogicalNot:
      return Written(BOpt::LogicalNotOptions, tflite::CreateLogicalNotOptions(fbb));
    case OpKind::kSquare:
      return Written(BOpt::SquareOptions, tflite::CreateSquareOptions(fbb));
    case OpKind::kFill:
      return Written(BOpt::FillOptions, tflite::CreateFillOptions(fbb));
    case OpKind::kRange:
      return Written(BOpt::RangeOptions, tflite::CreateRangeOptions(fbb));
    case OpKind::kSquaredDifference:
      return Written(BOpt::SquaredDifferenceOptions, tflite::CreateSquaredDifferenceOptions(fbb));
    case OpKind::kAbs:
      return Written(BOpt::AbsOptions, tflite::CreateAbsOptions(fbb));
    case OpKind::kCos:
      return Written(BOpt::CosOptions, tflite::CreateCosOptions(fbb));
    case OpKind::kHardSwish:
      return Written(BOpt::HardSwishOptions, tflite::CreateHardSwishOptions(fbb));
    case OpKind::kSelectV2:
      return Written(BOpt::SelectV2Options, tflite::CreateSelectV2Options(fbb));
    case OpKind::kBroadcastTo:
      return Written(BOpt::BroadcastToOptions, tflite::CreateBroadcastToOptions(fbb));
    case OpKind::kSign:
      return Written(BOpt::SignOptions, tflite::CreateSignOptions(fbb));

    // ---- ops without an options table in the schema
    case OpKind::kFloor:
    case OpKind::kLogistic:
    case OpKind::kRelu:
    case OpKind::kReluN1To1:
    case OpKind::kRelu6:
    case OpKind::kTanh:
    case OpKind::kPrelu:
    case OpKind::kSin:
    case OpKind::kLog:
    case OpKind::kSqrt:
    case OpKind::kRsqrt:
    case OpKind::kCeil:
    case OpKind::kElu:
    case OpKind::kRound:
      return WrittenOptions{};
  }
  return WrittenOptions{};  // unreachable: the switch covers every kind
}

}  // namespace optconv
