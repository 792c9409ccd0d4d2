#pragma once
// Helpers shared by the neural-network op converters (conv, pool, norm,
// linear, resize, rnn): window attributes and padding resolution against
// TFLite's SAME/VALID, layout wrapping of 1-D ops, weight re-layout and small
// emission shortcuts.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "importers/onnx/onnx_context.h"

// Status plumbing for the converters (absl has no public ASSIGN_OR_RETURN).
#define OPTCONV_NN_CONCAT_INNER(a, b) a##b
#define OPTCONV_NN_CONCAT(a, b) OPTCONV_NN_CONCAT_INNER(a, b)
#define OPTCONV_NN_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(*tmp)
/// `lhs = value of StatusOr expr`, returning its status on error.
#define NN_ASSIGN_OR_RETURN(lhs, expr) \
  OPTCONV_NN_ASSIGN_IMPL(OPTCONV_NN_CONCAT(nn_status_or_, __LINE__), lhs, expr)
/// Returns the status of `expr` when it is an error.
#define NN_RETURN_IF_ERROR(expr)             \
  do {                                       \
    absl::Status nn_status_ = (expr);        \
    if (!nn_status_.ok()) return nn_status_; \
  } while (0)

namespace optconv::onnx_import {

/// The sliding-window attributes of a Conv/ConvTranspose/pool, per spatial dim.
struct Window {
  std::vector<int64_t> kernel;
  std::vector<int64_t> strides;
  std::vector<int64_t> dilations;
  std::vector<int64_t> pad_begin;
  std::vector<int64_t> pad_end;
  std::string auto_pad = "NOTSET";  // NOTSET, SAME_UPPER, SAME_LOWER, VALID

  int num_spatial() const { return static_cast<int>(kernel.size()); }
  int64_t effective_kernel(int i) const { return (kernel[i] - 1) * dilations[i] + 1; }
};

/// Reads strides/dilations/pads/auto_pad (and kernel_shape unless `kernel` is
/// given, e.g. from the weights) for `num_spatial` dims, validating lengths.
absl::StatusOr<Window> ReadWindow(const OnnxContext& ctx, const onnx::NodeProto& node,
                                  int num_spatial, std::vector<int64_t> kernel = {});

/// Turns a 1-D window into a 2-D one with a unit leading (H) dimension.
Window LiftWindowTo2D(const Window& window);

/// Concrete pads of a window against input sizes, and the TFLite padding that
/// expresses them.
struct PaddingPlan {
  /// Padding option for the TFLite op.
  Padding padding = Padding::kValid;
  /// Pads per spatial dim that must be materialised (PAD/PADV2) before a
  /// VALID op; all zero when `padding` alone expresses the window.
  std::vector<int64_t> pad_begin;
  std::vector<int64_t> pad_end;
  /// The part of pad_end added by ceil_mode (pools), per spatial dim.
  std::vector<int64_t> ceil_extra;
  /// The window's own pads (auto_pad resolved, ceil_extra excluded) whatever
  /// `padding` is; kUnknownDim where they depend on an unknown input size.
  std::vector<int64_t> window_begin;
  std::vector<int64_t> window_end;
  /// The ONNX output size per spatial dim (kUnknownDim when dynamic).
  std::vector<int64_t> out_sizes;

  bool HasExplicitPads() const;
};

/// Resolves auto_pad / pads / ceil_mode of `window` for spatial input sizes
/// `in_sizes` (kUnknownDim allowed where the result does not depend on it)
/// and picks SAME, VALID, or VALID with explicit pads. Unimplemented when the
/// padding depends on an unknown input size.
absl::StatusOr<PaddingPlan> PlanPadding(const OnnxContext& ctx, const onnx::NodeProto& node,
                                        const Window& window, const std::vector<int64_t>& in_sizes,
                                        bool ceil_mode = false);

/// ONNX output length of a window along one dim: floor/ceil((in + pads - k_eff) / s) + 1,
/// dropping a last ceil-mode window that would start inside the end padding.
int64_t WindowOutputSize(int64_t in, int64_t k_eff, int64_t stride, int64_t pad_begin,
                         int64_t pad_end, bool ceil_mode);

/// The pads TFLite SAME applies for one dim of a static input: {begin, end}.
std::pair<int64_t, int64_t> TfliteSamePads(int64_t in, int64_t k_eff, int64_t stride);

/// A name prefix for tensors created for `node` (its name, else its first output).
std::string NodeBaseName(const onnx::NodeProto& node);

/// Channels-first ONNX tensor of rank 3 or 4 -> NHWC rank-4 tensor: transposes
/// to channels-last and, for rank 3, inserts H=1 with EXPAND_DIMS.
absl::StatusOr<TensorId> ToNhwc4D(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x);
/// The inverse of ToNhwc4D for an op output: drops the H=1 axis when
/// `onnx_rank` is 3, then transposes back to channels-first.
absl::StatusOr<TensorId> FromNhwc4D(OnnxContext& ctx, const onnx::NodeProto& node, TensorId y,
                                    int onnx_rank);

/// PAD (value 0) or PADV2 (other values) of the spatial dims of an NHWC tensor.
absl::StatusOr<TensorId> EmitSpatialPad(OnnxContext& ctx, const onnx::NodeProto& node,
                                        TensorId x_nhwc, const std::vector<int64_t>& pad_begin,
                                        const std::vector<int64_t>& pad_end, float value);

/// Permutes a dense row-major array of `shape` by `perm` (out dim i = in dim perm[i]).
std::vector<float> PermuteDims(const std::vector<float>& values, const Shape& shape,
                               const std::vector<int>& perm);
/// The shape after PermuteDims.
Shape PermuteShape(const Shape& shape, const std::vector<int>& perm);

/// A constant i32 scalar-like ([1]) axis tensor.
TensorId AxisConst(OnnxContext& ctx, const onnx::NodeProto& node, const std::string& suffix,
                   int32_t axis);

/// True when output `index` of `node` exists, is named, and a node or the graph
/// output list reads it.
bool OutputUsed(const OnnxContext& ctx, const onnx::NodeProto& node, int index);

}  // namespace optconv::onnx_import
