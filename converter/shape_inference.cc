// Dispatcher of shape inference: routes each op kind to its family and writes
// results back. The switch has no default so a new kind in op_kinds.def fails
// to compile until it is routed.
#include "converter/shape_inference.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "converter/shape_inference_util.h"
#include "converter/status_util.h"

namespace optconv {
namespace {

template <typename T>
std::vector<int64_t> Widen(const Tensor& t, size_t n) {
  std::vector<int64_t> out(n);
  const uint8_t* p = t.data->data();
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    out[i] = static_cast<int64_t>(v);
  }
  return out;
}

template <typename T>
std::vector<double> WidenDouble(const Tensor& t, size_t n) {
  std::vector<double> out(n);
  const uint8_t* p = t.data->data();
  for (size_t i = 0; i < n; ++i) {
    T v;
    std::memcpy(&v, p + i * sizeof(T), sizeof(T));
    out[i] = static_cast<double>(v);
  }
  return out;
}

// Element count of a constant, or nullopt when its buffer is too short.
std::optional<size_t> ConstantCount(const Tensor& tensor) {
  if (!tensor.is_constant()) return std::nullopt;
  std::optional<int64_t> n = NumElements(tensor.shape);
  size_t es = ElementSize(tensor.type);
  if (!n || es == 0 || tensor.data->size() < static_cast<size_t>(*n) * es) return std::nullopt;
  return static_cast<size_t>(*n);
}

}  // namespace

std::optional<std::vector<int64_t>> ConstantIntValues(const Tensor& tensor) {
  std::optional<size_t> n = ConstantCount(tensor);
  if (!n) return std::nullopt;
  switch (tensor.type) {
    case DataType::kInt8: return Widen<int8_t>(tensor, *n);
    case DataType::kUInt8: return Widen<uint8_t>(tensor, *n);
    case DataType::kInt16: return Widen<int16_t>(tensor, *n);
    case DataType::kInt32: return Widen<int32_t>(tensor, *n);
    case DataType::kInt64: return Widen<int64_t>(tensor, *n);
    case DataType::kBool: return Widen<uint8_t>(tensor, *n);
    default: return std::nullopt;
  }
}

std::optional<std::vector<double>> ConstantDoubleValues(const Tensor& tensor) {
  std::optional<size_t> n = ConstantCount(tensor);
  if (!n) return std::nullopt;
  switch (tensor.type) {
    case DataType::kFloat32: return WidenDouble<float>(tensor, *n);
    case DataType::kInt8: return WidenDouble<int8_t>(tensor, *n);
    case DataType::kUInt8: return WidenDouble<uint8_t>(tensor, *n);
    case DataType::kInt16: return WidenDouble<int16_t>(tensor, *n);
    case DataType::kInt32: return WidenDouble<int32_t>(tensor, *n);
    case DataType::kInt64: return WidenDouble<int64_t>(tensor, *n);
    case DataType::kBool: return WidenDouble<uint8_t>(tensor, *n);
    default: return std::nullopt;  // f16 shape values do not occur in practice
  }
}

namespace shape_inference_internal {

std::optional<std::vector<int64_t>> ShapeCtx::ints(int i) const {
  if (!has(i)) return std::nullopt;
  return ConstantIntValues(in(i));
}

std::optional<std::vector<double>> ShapeCtx::doubles(int i) const {
  if (!has(i)) return std::nullopt;
  return ConstantDoubleValues(in(i));
}

std::optional<std::vector<PartialInt>> ShapeCtx::partial(int i) const {
  if (!has(i)) return std::nullopt;
  return PartialIntValues(graph_, op_.inputs[i]);
}

absl::Status ShapeCtx::Invalid(const std::string& problem, const std::string& expected) const {
  return NodeError(absl::StatusCode::kInvalidArgument, graph_.source_path, op_.origin,
                   absl::StrCat(OpName(op_.kind), ": ", problem), expected);
}

absl::Status ShapeCtx::RequireInputs(int min, int max) const {
  if (num_inputs() < min || num_inputs() > max) {
    return Invalid(absl::StrCat(num_inputs(), " inputs"),
                   min == max ? absl::StrCat(min) : absl::StrCat(min, " to ", max));
  }
  for (int i = 0; i < min; ++i) {
    if (!has(i)) return Invalid(absl::StrCat("input ", i, " is missing"));
    if (op_.inputs[i] >= graph_.num_tensors()) {
      return Invalid(absl::StrCat("input ", i, " refers to tensor ", op_.inputs[i],
                                  " which does not exist"));
    }
  }
  for (int i = min; i < num_inputs(); ++i) {
    if (op_.inputs[i] >= graph_.num_tensors()) {
      return Invalid(absl::StrCat("input ", i, " refers to tensor ", op_.inputs[i],
                                  " which does not exist"));
    }
  }
  return absl::OkStatus();
}

absl::Status ShapeCtx::RequireRank(int i, int r) const {
  if (rank(i) != r) {
    return Invalid(absl::StrCat("input ", i, " has shape ", ShapeToString(shape(i))),
                   absl::StrCat("rank ", r));
  }
  return absl::OkStatus();
}

int64_t ProductOrUnknown(const Shape& shape) {
  std::optional<int64_t> n = NumElements(shape);
  return n ? *n : kUnknownDim;
}

std::optional<int64_t> MergeDim(int64_t a, int64_t b) {
  if (a < 0) return b;
  if (b < 0 || a == b) return a;
  return std::nullopt;
}

}  // namespace shape_inference_internal

absl::StatusOr<std::vector<Shape>> InferOutputShapes(const Graph& graph, const Op& op) {
  using namespace shape_inference_internal;  // NOLINT: family entry points
  ShapeCtx c(graph, op);
  for (TensorId in : op.inputs) {
    if (in >= graph.num_tensors() || in < kNoTensor) {
      return c.Invalid(absl::StrCat("input refers to tensor ", in, " which does not exist"));
    }
  }
  if (!OptionsMatchKind(op.kind, op.options)) {
    return c.Invalid("options do not match the op kind");
  }
  switch (op.kind) {
    // Elementwise, activations, normalisations over the last axis.
    case OpKind::kAdd: case OpKind::kSub: case OpKind::kMul: case OpKind::kDiv:
    case OpKind::kPow: case OpKind::kMaximum: case OpKind::kMinimum:
    case OpKind::kSquaredDifference: case OpKind::kLess: case OpKind::kLessEqual:
    case OpKind::kGreater: case OpKind::kGreaterEqual: case OpKind::kEqual:
    case OpKind::kNotEqual: case OpKind::kLogicalOr: case OpKind::kLogicalAnd:
    case OpKind::kSelectV2: case OpKind::kPrelu: case OpKind::kLogicalNot:
    case OpKind::kDequantize: case OpKind::kFloor: case OpKind::kCeil: case OpKind::kRound:
    case OpKind::kLogistic: case OpKind::kRelu: case OpKind::kReluN1To1: case OpKind::kRelu6:
    case OpKind::kTanh: case OpKind::kExp: case OpKind::kLog: case OpKind::kSqrt:
    case OpKind::kRsqrt: case OpKind::kSquare: case OpKind::kNeg: case OpKind::kAbs:
    case OpKind::kSin: case OpKind::kCos: case OpKind::kSign: case OpKind::kElu:
    case OpKind::kHardSwish: case OpKind::kLeakyRelu: case OpKind::kGelu: case OpKind::kCast:
    case OpKind::kSoftmax: case OpKind::kLogSoftmax: case OpKind::kL2Normalization:
    case OpKind::kCumsum: case OpKind::kErf:
      return InferElementwiseShapes(c);
    // Convolutions, pooling, matmuls, resampling, recurrent layers.
    case OpKind::kConv2D: case OpKind::kDepthwiseConv2D: case OpKind::kTransposeConv:
    case OpKind::kAveragePool2D: case OpKind::kMaxPool2D: case OpKind::kFullyConnected:
    case OpKind::kBatchMatMul: case OpKind::kResizeBilinear:
    case OpKind::kResizeNearestNeighbor: case OpKind::kDepthToSpace:
    case OpKind::kSpaceToDepth: case OpKind::kUnidirectionalSequenceLstm:
    case OpKind::kBidirectionalSequenceLstm:
      return InferConvShapes(c);
    // Data movement whose shapes may depend on constant values.
    case OpKind::kReshape: case OpKind::kTranspose: case OpKind::kConcatenation:
    case OpKind::kPack: case OpKind::kUnpack: case OpKind::kSplit: case OpKind::kSplitV:
    case OpKind::kGather: case OpKind::kSqueeze: case OpKind::kExpandDims: case OpKind::kShape:
    case OpKind::kFill: case OpKind::kRange: case OpKind::kTile: case OpKind::kBroadcastTo:
    case OpKind::kPad: case OpKind::kPadV2: case OpKind::kMirrorPad:
      return InferTensorShapes(c);
    case OpKind::kSlice: case OpKind::kStridedSlice:
      return InferSliceShapes(c);
    case OpKind::kMean: case OpKind::kSum: case OpKind::kReduceProd: case OpKind::kReduceMax:
    case OpKind::kReduceMin: case OpKind::kArgMax: case OpKind::kArgMin:
      return InferReduceShapes(c);
  }
  return absl::InternalError(absl::StrCat("shape inference: unknown op kind ",
                                          static_cast<int>(op.kind)));
}

absl::Status InferAndSetOutputShapes(Graph& graph, const Op& op) {
  absl::StatusOr<std::vector<Shape>> shapes = InferOutputShapes(graph, op);
  if (!shapes.ok()) return shapes.status();
  if (shapes->size() != op.outputs.size()) {
    return NodeError(absl::StatusCode::kInvalidArgument, graph.source_path, op.origin,
                     absl::StrCat(shape_inference_internal::OpName(op.kind), ": ", op.outputs.size(), " outputs"),
                     absl::StrCat(shapes->size()));
  }
  for (size_t i = 0; i < op.outputs.size(); ++i) {
    TensorId out = op.outputs[i];
    if (out < 0 || out >= graph.num_tensors()) {
      return NodeError(absl::StatusCode::kInvalidArgument, graph.source_path, op.origin,
                       absl::StrCat(shape_inference_internal::OpName(op.kind), ": output ", i, " refers to tensor ",
                                    out, " which does not exist"));
    }
    graph.tensor(out).shape = std::move((*shapes)[i]);
  }
  return absl::OkStatus();
}

}  // namespace optconv
