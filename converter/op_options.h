#pragma once
// Typed options of canonical ops. They mirror TFLite's builtin option tables
// (NHWC layout, fused activation as an attribute) so export is a direct mapping.
#include <cstdint>
#include <variant>
#include <vector>

namespace optconv {

enum class Padding : uint8_t { kSame, kValid };
enum class Activation : uint8_t { kNone, kRelu, kReluN1To1, kRelu6, kTanh };

struct NoOptions {
  bool operator==(const NoOptions&) const = default;
};

/// ADD, SUB, MUL, DIV.
struct BinaryOptions {
  Activation activation = Activation::kNone;
  bool operator==(const BinaryOptions&) const = default;
};

/// CONV_2D. Inputs: input [N,H,W,Ci], filter [Co,KH,KW,Ci/groups], optional bias [Co].
struct Conv2DOptions {
  Padding padding = Padding::kValid;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  Activation activation = Activation::kNone;
  bool operator==(const Conv2DOptions&) const = default;
};

/// DEPTHWISE_CONV_2D. Inputs: input [N,H,W,C], filter [1,KH,KW,C*M], optional bias.
struct DepthwiseConv2DOptions {
  Padding padding = Padding::kValid;
  int32_t stride_h = 1, stride_w = 1;
  int32_t dilation_h = 1, dilation_w = 1;
  int32_t depth_multiplier = 1;
  Activation activation = Activation::kNone;
  bool operator==(const DepthwiseConv2DOptions&) const = default;
};

/// TRANSPOSE_CONV. Inputs: output_shape (i32 [4]), filter [Co,KH,KW,Ci], input, optional bias.
struct TransposeConvOptions {
  Padding padding = Padding::kValid;
  int32_t stride_h = 1, stride_w = 1;
  Activation activation = Activation::kNone;
  bool operator==(const TransposeConvOptions&) const = default;
};

/// AVERAGE_POOL_2D, MAX_POOL_2D.
struct Pool2DOptions {
  Padding padding = Padding::kValid;
  int32_t stride_h = 1, stride_w = 1;
  int32_t filter_h = 1, filter_w = 1;
  Activation activation = Activation::kNone;
  bool operator==(const Pool2DOptions&) const = default;
};

/// FULLY_CONNECTED. Inputs: input [..., K], weights [N, K], optional bias [N].
struct FullyConnectedOptions {
  Activation activation = Activation::kNone;
  bool keep_num_dims = false;
  bool operator==(const FullyConnectedOptions&) const = default;
};

/// BATCH_MATMUL.
struct BatchMatMulOptions {
  bool adj_x = false;
  bool adj_y = false;
  bool operator==(const BatchMatMulOptions&) const = default;
};

/// CONCATENATION.
struct ConcatenationOptions {
  int32_t axis = 0;
  Activation activation = Activation::kNone;
  bool operator==(const ConcatenationOptions&) const = default;
};

/// MEAN, SUM, REDUCE_MAX, REDUCE_MIN, REDUCE_PROD. Second input holds i32 axes.
struct ReducerOptions {
  bool keep_dims = false;
  bool operator==(const ReducerOptions&) const = default;
};

/// SOFTMAX (over the last axis).
struct SoftmaxOptions {
  float beta = 1.0f;
  bool operator==(const SoftmaxOptions&) const = default;
};

/// LEAKY_RELU.
struct LeakyReluOptions {
  float alpha = 0.2f;
  bool operator==(const LeakyReluOptions&) const = default;
};

/// GELU.
struct GeluOptions {
  bool approximate = false;
  bool operator==(const GeluOptions&) const = default;
};

/// SPLIT (inputs: axis i32 scalar, input), SPLIT_V (input, size_splits, axis).
struct SplitOptions {
  int32_t num_splits = 1;
  bool operator==(const SplitOptions&) const = default;
};

/// SQUEEZE.
struct SqueezeOptions {
  std::vector<int32_t> squeeze_dims;
  bool operator==(const SqueezeOptions&) const = default;
};

/// STRIDED_SLICE. Inputs: input, begin, end, strides (i32 [rank]).
struct StridedSliceOptions {
  int32_t begin_mask = 0, end_mask = 0, ellipsis_mask = 0;
  int32_t new_axis_mask = 0, shrink_axis_mask = 0;
  bool offset = false;
  bool operator==(const StridedSliceOptions&) const = default;
};

/// GATHER.
struct GatherOptions {
  int32_t axis = 0;
  int32_t batch_dims = 0;
  bool operator==(const GatherOptions&) const = default;
};

/// RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR. Second input: size i32 [2].
struct ResizeOptions {
  bool align_corners = false;
  bool half_pixel_centers = false;
  bool operator==(const ResizeOptions&) const = default;
};

/// DEPTH_TO_SPACE, SPACE_TO_DEPTH.
struct BlockSizeOptions {
  int32_t block_size = 2;
  bool operator==(const BlockSizeOptions&) const = default;
};

/// CAST.
struct CastOptions {
  bool operator==(const CastOptions&) const = default;
};

/// PACK, UNPACK.
struct PackOptions {
  int32_t axis = 0;
  int32_t values_count = 0;
  bool operator==(const PackOptions&) const = default;
};

/// MIRROR_PAD.
struct MirrorPadOptions {
  bool symmetric = false;  // false: REFLECT
  bool operator==(const MirrorPadOptions&) const = default;
};

/// ARG_MAX, ARG_MIN (second input: axis). Output type in the output tensor.
struct ArgOptions {
  bool operator==(const ArgOptions&) const = default;
};

/// CUMSUM.
struct CumsumOptions {
  bool exclusive = false;
  bool reverse = false;
  bool operator==(const CumsumOptions&) const = default;
};

/// L2_NORMALIZATION (last axis).
struct L2NormOptions {
  Activation activation = Activation::kNone;
  bool operator==(const L2NormOptions&) const = default;
};

/// UNIDIRECTIONAL_SEQUENCE_LSTM / BIDIRECTIONAL_SEQUENCE_LSTM, TFLite input order.
struct SequenceLstmOptions {
  Activation activation = Activation::kTanh;
  float cell_clip = 0.0f;
  float proj_clip = 0.0f;
  bool time_major = true;
  bool merge_outputs = true;  // bidirectional only
  bool operator==(const SequenceLstmOptions&) const = default;
};

using OpOptions =
    std::variant<NoOptions, BinaryOptions, Conv2DOptions, DepthwiseConv2DOptions,
                 TransposeConvOptions, Pool2DOptions, FullyConnectedOptions, BatchMatMulOptions,
                 ConcatenationOptions, ReducerOptions, SoftmaxOptions, LeakyReluOptions,
                 GeluOptions, SplitOptions, SqueezeOptions, StridedSliceOptions, GatherOptions,
                 ResizeOptions, BlockSizeOptions, CastOptions, PackOptions, MirrorPadOptions,
                 ArgOptions, CumsumOptions, L2NormOptions, SequenceLstmOptions>;

}  // namespace optconv
