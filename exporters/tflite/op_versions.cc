#include "exporters/tflite/op_versions.h"

#include <cstdint>
#include <optional>
#include <vector>


namespace optconv {
namespace {

using BO = tflite::BuiltinOperator;

/// Facts about one op that the version rules look at.
class OpFacts {
 public:
  OpFacts(const Graph& graph, const Op& op) : graph_(graph), op_(op) {}

  /// Type of input `i`; nullopt when absent or omitted.
  std::optional<DataType> in(size_t i) const { return TypeOf(op_.inputs, i); }
  std::optional<DataType> out(size_t i) const { return TypeOf(op_.outputs, i); }
  bool in_is(size_t i, DataType t) const { return in(i) == t; }
  bool out_is(size_t i, DataType t) const { return out(i) == t; }
  size_t num_inputs() const { return op_.inputs.size(); }
  const Tensor* input(size_t i) const { return TensorOf(op_.inputs, i); }
  const Tensor* output(size_t i) const { return TensorOf(op_.outputs, i); }
  int rank(size_t i) const {
    const Tensor* t = input(i);
    return t ? static_cast<int>(t->shape.size()) : 0;
  }
  /// TFLite compares the written `shape` fields, where unknown dims are 1.
  bool needs_broadcast() const {
    if (op_.inputs.size() < 2) return false;
    const Tensor* a = input(0);
    const Tensor* b = input(1);
    if (a == nullptr || b == nullptr) return false;
    return Written(a->shape) != Written(b->shape);
  }
  int max_input_rank() const {
    int r = 0;
    for (size_t i = 0; i < op_.inputs.size(); ++i) r = std::max(r, rank(i));
    return r;
  }
  bool in_quantized(size_t i) const {
    const Tensor* t = input(i);
    return t != nullptr && t->quant.has_value();
  }
  /// Per-channel quantization of input `i` with `channels` equal to dim `dim`.
  bool per_channel(size_t i, int dim) const {
    const Tensor* t = input(i);
    if (t == nullptr || !t->quant || t->quant->scales.empty()) return false;
    if (dim < 0 || dim >= static_cast<int>(t->shape.size())) return false;
    return static_cast<int64_t>(t->quant->scales.size()) == t->shape[dim];
  }
  float scale(const Tensor* t) const {
    return (t != nullptr && t->quant && !t->quant->scales.empty()) ? t->quant->scales[0] : 0.0f;
  }

 private:
  static std::vector<int64_t> Written(const Shape& s) {
    std::vector<int64_t> w(s);
    for (int64_t& d : w) {
      if (d < 0) d = 1;
    }
    return w;
  }
  const Tensor* TensorOf(const std::vector<TensorId>& ids, size_t i) const {
    if (i >= ids.size() || ids[i] < 0 || ids[i] >= graph_.num_tensors()) return nullptr;
    return &graph_.tensor(ids[i]);
  }
  std::optional<DataType> TypeOf(const std::vector<TensorId>& ids, size_t i) const {
    const Tensor* t = TensorOf(ids, i);
    if (t == nullptr) return std::nullopt;
    return t->type;
  }

  const Graph& graph_;
  const Op& op_;
};

constexpr DataType kF32 = DataType::kFloat32;
constexpr DataType kF16 = DataType::kFloat16;
constexpr DataType kI8 = DataType::kInt8;
constexpr DataType kU8 = DataType::kUInt8;
constexpr DataType kI16 = DataType::kInt16;
constexpr DataType kI32 = DataType::kInt32;
constexpr DataType kI64 = DataType::kInt64;
constexpr DataType kBool = DataType::kBool;
constexpr DataType kStr = DataType::kString;

/// Version 2 for int8 input 0, else 1: the rule shared by many ops.
int Int8Is2(const OpFacts& f) { return f.in_is(0, kI8) ? 2 : 1; }

/// int16 -> 3, int8 -> 2, else 1.
int Int16Is3Int8Is2(const OpFacts& f) {
  if (f.in_is(0, kI16)) return 3;
  return Int8Is2(f);
}

}  // namespace

int TfliteOpVersion(const Graph& graph, const Op& op, tflite::BuiltinOperator code) {
  const OpFacts f(graph, op);
  switch (code) {
    case BO::CONV_2D: {
      const Tensor* in = f.input(0);
      const Tensor* filter = f.input(1);
      if (in != nullptr && filter != nullptr && in->shape.size() == 4 &&
          filter->shape.size() == 4 && in->shape[3] > 0 && in->shape[3] != filter->shape[3]) {
        return 6;  // grouped convolution
      }
      if (f.in_is(0, kI16) && f.in_is(1, kI16) && f.out_is(0, kI16)) return 4;
      if (f.in_is(0, kI8) && f.in_is(1, kI8) && f.out_is(0, kI8)) return 3;
      if (f.in_is(0, kF32) && f.in_is(1, kI8) && f.out_is(0, kF32)) {
        return f.per_channel(1, 0) ? 5 : 2;  // hybrid
      }
      return 1;
    }
    case BO::DEPTHWISE_CONV_2D: {
      if (f.in_is(0, kI16) && f.in_is(1, kI16) && f.out_is(0, kI16)) return 5;
      if (f.in_is(0, kF32) && f.in_is(1, kI8) && f.out_is(0, kF32)) {
        return f.per_channel(1, 3) ? 6 : 4;
      }
      if (f.in_is(0, kI8) && f.in_is(1, kI8) && f.out_is(0, kI8)) return 3;
      const auto& o = op.opts<DepthwiseConv2DOptions>();
      return (o.dilation_w != 1 || o.dilation_h != 1) ? 2 : 1;
    }
    case BO::FULLY_CONNECTED: {
      if (f.in_is(0, kF32) && f.in_is(1, kI8) && f.out_is(0, kF32) && f.per_channel(1, 0) &&
          f.input(1)->quant->scales.size() > 1) {
        return 12;
      }
      if (f.in_is(0, kI16) && f.in_is(1, kI16) && f.out_is(0, kI16)) return 7;
      if (f.num_inputs() == 2) return 6;
      if (op.opts<FullyConnectedOptions>().keep_num_dims) return 5;
      if (f.in_is(0, kI8) && f.in_is(1, kI8) && f.out_is(0, kI8)) return 4;
      if (f.in_is(0, kF32) && f.in_is(1, kI8) && f.out_is(0, kF32)) return 3;
      return 1;
    }
    case BO::GATHER:
      if (f.in_is(1, kI16)) return 6;
      if (op.opts<GatherOptions>().batch_dims != 0) return 5;
      if (f.in_is(0, kI16)) return 4;
      if (f.in_is(0, kBool)) return 3;
      return Int8Is2(f);
    case BO::SIGN:
      return f.in_is(0, kI32) ? 2 : 1;
    case BO::MUL: {
      const bool quantized = f.in_quantized(0) || f.in_quantized(1);
      if (f.in_is(0, kI16) && !quantized) return 7;
      if (f.in_is(0, kI64)) return 5;
      if (f.in_is(0, kI16)) return 4;
      const float s1 = f.scale(f.input(0)), s2 = f.scale(f.input(1)), so = f.scale(f.output(0));
      if (s1 != 0 && s2 != 0 && so != 0 && s1 * s2 / so >= 1.0f) return 3;
      return Int8Is2(f);
    }
    case BO::MAX_POOL_2D:
    case BO::AVERAGE_POOL_2D:
      if (f.in_is(0, kI16) && f.out_is(0, kI16)) return 3;
      return Int8Is2(f);
    case BO::TRANSPOSE:
      if (f.rank(0) > 5) return 6;
      if (f.in_is(0, kI16)) return 5;
      if (f.rank(0) > 4) return 4;
      if (f.in_is(0, kBool)) return 3;
      return Int8Is2(f);
    case BO::TRANSPOSE_CONV:
      if (op.opts<TransposeConvOptions>().activation != Activation::kNone) return 4;
      if (f.num_inputs() == 4 && f.in(3).has_value()) return 3;  // with bias
      return f.in_is(1, kI8) ? 2 : 1;
    case BO::SPLIT:  // input 0 is the axis
      if (f.in_is(1, kI16)) return 4;
      if (f.in_is(1, kI32)) return 3;
      return f.in_is(1, kI8) ? 2 : 1;
    case BO::SLICE:
      if (f.rank(0) > 4) return 5;
      if (f.in_is(0, kI16)) return 4;
      if (f.in_is(0, kStr)) return 3;
      return Int8Is2(f);
    case BO::UNPACK:
      if (f.in_is(0, kI8) || f.in_is(0, kU8)) return 2;
      if (f.in_is(0, kBool)) return 3;
      if (f.in_is(0, kI16) && f.out_is(0, kI16)) return 4;
      return 1;
    case BO::DEQUANTIZE: {
      if (f.in_is(0, kI16) || f.in_is(0, kF16)) return 3;
      if (f.in_is(0, kI8)) {
        const Tensor* t = f.input(0);
        const bool per_channel = t->quant && t->quant->scales.size() > 1 &&
                                 f.per_channel(0, t->quant->quantized_dimension);
        return per_channel ? 5 : 2;
      }
      return 1;
    }
    case BO::L2_NORMALIZATION:
      return f.out_is(0, kI8) ? 2 : 1;
    case BO::ABS:
      if (f.in_is(0, kI32)) return 5;
      if (f.in_is(0, kI16)) return f.in_quantized(0) ? 3 : 4;
      return (f.in_is(0, kI8) || f.in_is(0, kU8)) ? 2 : 1;
    case BO::RELU:
      if (f.in_is(0, kI16)) return 3;
      return (f.in_is(0, kI8) || f.in_is(0, kU8)) ? 2 : 1;
    case BO::STRIDED_SLICE: {
      const auto& o = op.opts<StridedSliceOptions>();
      if (o.offset) return 8;
      if (o.ellipsis_mask != 0 || o.new_axis_mask != 0) return 6;
      if (f.in_is(0, kStr)) return 5;
      if (f.rank(0) > 4) return 4;
      if (f.in_is(0, kBool)) return 3;
      return Int8Is2(f);
    }
    case BO::RESIZE_BILINEAR:
      if (f.in_is(0, kI16)) return 4;
      if (op.opts<ResizeOptions>().half_pixel_centers) return 3;
      return Int8Is2(f);
    case BO::RESIZE_NEAREST_NEIGHBOR: {
      if (f.in_is(0, kI16)) return 4;
      const auto& o = op.opts<ResizeOptions>();
      if (o.half_pixel_centers || o.align_corners) return 3;
      return Int8Is2(f);
    }
    case BO::MAXIMUM:
    case BO::MINIMUM:
      if (f.in_is(0, kI16) && f.out_is(0, kI16)) return 4;
      if (f.needs_broadcast() && f.max_input_rank() > 4) return 3;
      return Int8Is2(f);
    case BO::PACK:
      if (f.in_is(0, kI8)) return 2;
      if (f.in_is(0, kI16) && f.out_is(0, kI16)) return 3;
      return 1;
    case BO::TILE:
      if (f.in_is(0, kI8)) return 3;
      return f.in_is(0, kStr) ? 2 : 1;
    case BO::SQUEEZE:
      return f.in_is(0, kStr) ? 2 : 1;
    case BO::ADD:
      // pot_scale_int16 is always left at its default (true), so version 3
      // (non-power-of-two int16 scales) never applies.
      if (f.in_is(0, kI16) && !f.in_quantized(0)) return 5;
      if (f.in_is(0, kI64)) return 4;
      return Int8Is2(f);
    case BO::SUB:
      if (f.in_is(0, kI64)) return 4;
      if (f.needs_broadcast() && f.max_input_rank() > 4) return 3;
      return Int8Is2(f);
    case BO::DIV:
      return (f.needs_broadcast() && f.max_input_rank() > 4) ? 2 : 1;
    case BO::TANH:
    case BO::LOGISTIC:
      if (f.in_is(0, kI16) && f.out_is(0, kI16)) return 3;
      return Int8Is2(f);
    case BO::FILL:
      if (f.num_inputs() >= 2) {
        if (f.in_is(1, kF16)) return 4;
        if (f.in_is(1, kI8) || f.in_is(1, kI16)) return 3;
        if (f.in_is(1, kBool) || f.in_is(1, kStr)) return 2;
      }
      return 1;
    case BO::EQUAL:
      if (f.in_is(0, kI16)) return 4;
      if (f.in_is(0, kStr)) return 3;
      return Int8Is2(f);
    case BO::NOT_EQUAL:
      if (f.in_is(0, kStr)) return 3;
      return Int8Is2(f);
    case BO::LEAKY_RELU:
      return f.in_is(0, kI16) ? 2 : 1;
    case BO::RANGE:
      return f.in_is(0, kI64) ? 2 : 1;
    case BO::BATCH_MATMUL:
      return Int16Is3Int8Is2(f);
    case BO::PAD:
    case BO::PADV2:
      if (f.in_is(0, kBool)) return 5;
      if (f.rank(0) > 4) return 4;
      return Int16Is3Int8Is2(f);
    case BO::CONCATENATION:
    case BO::SOFTMAX:
    case BO::MEAN:
    case BO::MIRROR_PAD:
    case BO::REDUCE_MAX:
    case BO::REDUCE_MIN:
    case BO::RELU6:
    case BO::RSQRT:
      return Int16Is3Int8Is2(f);
    case BO::BIDIRECTIONAL_SEQUENCE_LSTM:
      return (f.in_is(1, kI8) && f.out_is(0, kF32)) ? 2 : 1;
    case BO::UNIDIRECTIONAL_SEQUENCE_LSTM:
      if (f.in_is(0, kI16) && f.in_is(2, kI8) && f.out_is(0, kI16)) return 5;
      if (f.in_is(0, kF32) && f.in_is(2, kI8) && f.out_is(0, kF32)) return 2;
      return 1;
    case BO::ARG_MAX:
    case BO::ARG_MIN:
      if (f.in_is(0, kBool)) return 3;
      return Int8Is2(f);
    case BO::LESS:
    case BO::GREATER_EQUAL:
      return Int16Is3Int8Is2(f);
    case BO::SPACE_TO_DEPTH:
    case BO::SPLIT_V:
    case BO::SUM:
    case BO::LOG_SOFTMAX:
    case BO::GREATER:
    case BO::LESS_EQUAL:
    case BO::SQUARED_DIFFERENCE:
    case BO::DEPTH_TO_SPACE:
      return Int8Is2(f);
    case BO::EXP:
    case BO::LOG:
    case BO::REDUCE_PROD:
      return (f.in_is(0, kI8) || f.in_is(0, kI16)) ? 2 : 1;
    case BO::BROADCAST_TO:
      // Version 1 was withdrawn; the float kernel is version 2.
      return (f.in_is(0, kI8) || f.in_is(0, kI16)) ? 3 : 2;
    case BO::CAST:
      if (f.in_is(0, kF16) || f.out_is(0, kF16)) return 5;
      if (f.in_is(0, kI8) || f.out_is(0, kI8)) return 3;
      return 1;
    case BO::GELU:
      return (f.in_is(0, kI8) || f.in_is(0, kU8)) ? 2 : 1;
    default:
      return 1;
  }
}

}  // namespace optconv
