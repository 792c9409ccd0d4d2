#include "importers/onnx/nn_util.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace optconv::onnx_import {
namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// SAME-compatibility of one dim whose concrete pads are (b, e).
bool DimMatchesSame(int64_t in, int64_t k_eff, int64_t stride, int64_t b, int64_t e,
                    int64_t onnx_out) {
  if (in < 0) {
    // Without the input size only stride 1 has a size-independent SAME.
    return stride == 1 && b == (k_eff - 1) / 2 && b + e == k_eff - 1;
  }
  auto [same_b, same_e] = TfliteSamePads(in, k_eff, stride);
  return b == same_b && onnx_out == CeilDiv(in, stride);
}

}  // namespace

absl::StatusOr<Window> ReadWindow(const OnnxContext& ctx, const onnx::NodeProto& node,
                                  int num_spatial, std::vector<int64_t> kernel) {
  Window w;
  const size_t n = static_cast<size_t>(num_spatial);
  std::vector<int64_t> attr_kernel = OnnxContext::AttrInts(node, "kernel_shape");
  if (kernel.empty()) kernel = attr_kernel;
  if (kernel.size() != n) {
    return ctx.Invalid(node, absl::StrCat("kernel has ", kernel.size(), " dims"),
                       absl::StrCat(n, " spatial dims"));
  }
  if (!attr_kernel.empty() && attr_kernel != kernel) {
    return ctx.Invalid(node, absl::StrCat("kernel_shape [", absl::StrJoin(attr_kernel, ","),
                                          "] disagrees with the weights [",
                                          absl::StrJoin(kernel, ","), "]"),
                       "kernel_shape equal to the weights' spatial dims");
  }
  w.kernel = kernel;
  w.strides = OnnxContext::AttrInts(node, "strides");
  if (w.strides.empty()) w.strides.assign(n, 1);
  w.dilations = OnnxContext::AttrInts(node, "dilations");
  if (w.dilations.empty()) w.dilations.assign(n, 1);
  std::vector<int64_t> pads = OnnxContext::AttrInts(node, "pads");
  if (pads.empty()) pads.assign(2 * n, 0);
  w.auto_pad = OnnxContext::AttrString(node, "auto_pad", "NOTSET");
  if (w.strides.size() != n || w.dilations.size() != n || pads.size() != 2 * n) {
    return ctx.Invalid(node, "strides/dilations/pads lengths do not match the kernel rank",
                       absl::StrCat(n, " strides and dilations, ", 2 * n, " pads"));
  }
  for (size_t i = 0; i < n; ++i) {
    if (w.kernel[i] <= 0 || w.strides[i] <= 0 || w.dilations[i] <= 0) {
      return ctx.Invalid(node, "non-positive kernel, stride or dilation",
                         "positive kernel_shape, strides and dilations");
    }
    if (pads[i] < 0 || pads[i + n] < 0) {
      return ctx.Unsupported(node, "negative pads", "pads >= 0");
    }
  }
  w.pad_begin.assign(pads.begin(), pads.begin() + n);
  w.pad_end.assign(pads.begin() + n, pads.end());
  if (w.auto_pad != "NOTSET" && w.auto_pad != "SAME_UPPER" && w.auto_pad != "SAME_LOWER" &&
      w.auto_pad != "VALID") {
    return ctx.Invalid(node, absl::StrCat("auto_pad '", w.auto_pad, "'"),
                       "NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  }
  return w;
}

Window LiftWindowTo2D(const Window& w) {
  Window out = w;
  out.kernel.insert(out.kernel.begin(), 1);
  out.strides.insert(out.strides.begin(), 1);
  out.dilations.insert(out.dilations.begin(), 1);
  out.pad_begin.insert(out.pad_begin.begin(), 0);
  out.pad_end.insert(out.pad_end.begin(), 0);
  return out;
}

bool PaddingPlan::HasExplicitPads() const {
  for (size_t i = 0; i < pad_begin.size(); ++i) {
    if (pad_begin[i] != 0 || pad_end[i] != 0) return true;
  }
  return false;
}

int64_t WindowOutputSize(int64_t in, int64_t k_eff, int64_t stride, int64_t pad_begin,
                         int64_t pad_end, bool ceil_mode) {
  const int64_t span = in + pad_begin + pad_end - k_eff;
  if (span < 0) return 0;
  if (!ceil_mode) return span / stride + 1;
  int64_t out = CeilDiv(span, stride) + 1;
  // A last window starting inside the end padding is dropped (ONNX, PyTorch).
  if ((out - 1) * stride >= in + pad_begin) --out;
  return out;
}

std::pair<int64_t, int64_t> TfliteSamePads(int64_t in, int64_t k_eff, int64_t stride) {
  const int64_t out = CeilDiv(in, stride);
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + k_eff - in);
  return {total / 2, total - total / 2};
}

absl::StatusOr<PaddingPlan> PlanPadding(const OnnxContext& ctx, const onnx::NodeProto& node,
                                        const Window& w, const std::vector<int64_t>& in_sizes,
                                        bool ceil_mode) {
  const int n = w.num_spatial();
  PaddingPlan plan;
  plan.pad_begin.assign(n, 0);
  plan.pad_end.assign(n, 0);
  plan.ceil_extra.assign(n, 0);
  plan.out_sizes.assign(n, kUnknownDim);
  plan.window_begin.assign(n, kUnknownDim);
  plan.window_end.assign(n, kUnknownDim);
  bool all_same = true;
  bool all_valid = true;
  bool dynamic_same_upper = false;
  for (int i = 0; i < n; ++i) {
    const int64_t in = in_sizes[i];
    const int64_t k = w.effective_kernel(i);
    const int64_t s = w.strides[i];
    int64_t b = 0, e = 0;
    if (w.auto_pad == "SAME_UPPER" || w.auto_pad == "SAME_LOWER") {
      if (in < 0 && s != 1) {
        if (w.auto_pad == "SAME_UPPER") {
          // TFLite SAME is SAME_UPPER for every size; no concrete pads needed.
          dynamic_same_upper = true;
          all_valid = false;
          continue;
        }
        return ctx.Unsupported(node,
                               "SAME_LOWER padding with a dynamic spatial size and stride > 1",
                               "a static input size");
      }
      int64_t total = k - 1;
      if (in >= 0) {
        auto [same_b, same_e] = TfliteSamePads(in, k, s);
        total = same_b + same_e;
      }
      b = w.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
      e = total - b;
    } else if (w.auto_pad == "NOTSET") {
      b = w.pad_begin[i];
      e = w.pad_end[i];
    }
    int64_t extra = 0;
    if (ceil_mode && s != 1) {
      if (in < 0) {
        return ctx.Unsupported(node, "ceil_mode with a dynamic spatial size",
                               "a static input size");
      }
      const int64_t out = WindowOutputSize(in, k, s, b, e, true);
      extra = std::max<int64_t>(0, (out - 1) * s + k - (in + b + e));
    }
    if (in >= 0) {
      plan.out_sizes[i] = WindowOutputSize(in, k, s, b, e, ceil_mode);
      if (plan.out_sizes[i] <= 0) {
        return ctx.Invalid(node, absl::StrCat("window of ", k, " does not fit spatial dim ", i,
                                              " of size ", in, " with pads ", b, "+", e),
                           "a window no larger than the padded input");
      }
    }
    plan.window_begin[i] = b;
    plan.window_end[i] = e;
    plan.pad_begin[i] = b;
    plan.pad_end[i] = e + extra;
    plan.ceil_extra[i] = extra;
    if (!DimMatchesSame(in, k, s, b, e + extra, plan.out_sizes[i])) all_same = false;
    if (b != 0 || e + extra != 0) all_valid = false;
  }
  if (all_same) {
    plan.padding = Padding::kSame;
  } else if (dynamic_same_upper) {
    return ctx.Unsupported(node, "SAME_UPPER padding mixed with non-SAME dims on a dynamic input",
                           "a static input size");
  } else if (all_valid) {
    plan.padding = Padding::kValid;
  } else {
    plan.padding = Padding::kValid;
    return plan;  // explicit pads stay in pad_begin/pad_end
  }
  std::fill(plan.pad_begin.begin(), plan.pad_begin.end(), 0);
  std::fill(plan.pad_end.begin(), plan.pad_end.end(), 0);
  return plan;
}

std::string NodeBaseName(const onnx::NodeProto& node) {
  if (!node.name().empty()) return node.name();
  if (node.output_size() > 0) return node.output(0);
  return node.op_type();
}

absl::StatusOr<TensorId> ToNhwc4D(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x) {
  const int r = ctx.rank(x);
  if (r != 3 && r != 4) {
    return ctx.Unsupported(node, absl::StrCat("rank-", r, " input"), "a 1-D or 2-D spatial input");
  }
  absl::StatusOr<TensorId> t = ctx.ToChannelsLast(node, x);
  if (!t.ok() || r == 4) return t;
  TensorId axis = ctx.AddScalarInt(NodeBaseName(node) + "/expand_axis", 1);
  return ctx.Emit(node, OpKind::kExpandDims, {*t, axis}, NoOptions{}, ctx.type(x));
}

absl::StatusOr<TensorId> FromNhwc4D(OnnxContext& ctx, const onnx::NodeProto& node, TensorId y,
                                    int onnx_rank) {
  if (onnx_rank == 3) {
    absl::StatusOr<TensorId> sq =
        ctx.Emit(node, OpKind::kSqueeze, {y}, SqueezeOptions{{1}}, ctx.type(y));
    if (!sq.ok()) return sq;
    y = *sq;
  }
  return ctx.ToChannelsFirst(node, y);
}

absl::StatusOr<TensorId> EmitSpatialPad(OnnxContext& ctx, const onnx::NodeProto& node,
                                        TensorId x_nhwc, const std::vector<int64_t>& pad_begin,
                                        const std::vector<int64_t>& pad_end, float value) {
  std::vector<int32_t> paddings = {0, 0};
  for (size_t i = 0; i < pad_begin.size(); ++i) {
    paddings.push_back(static_cast<int32_t>(pad_begin[i]));
    paddings.push_back(static_cast<int32_t>(pad_end[i]));
  }
  paddings.push_back(0);
  paddings.push_back(0);
  const int64_t rank = static_cast<int64_t>(paddings.size() / 2);
  TensorId pads = ctx.AddConstInts(NodeBaseName(node) + "/paddings", paddings, {rank, 2});
  if (value == 0.0f) {
    return ctx.Emit(node, OpKind::kPad, {x_nhwc, pads}, NoOptions{}, ctx.type(x_nhwc));
  }
  TensorId fill = ctx.AddScalarFloat(NodeBaseName(node) + "/pad_value", value);
  return ctx.Emit(node, OpKind::kPadV2, {x_nhwc, pads, fill}, NoOptions{}, ctx.type(x_nhwc));
}

Shape PermuteShape(const Shape& shape, const std::vector<int>& perm) {
  Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = shape[perm[i]];
  return out;
}

std::vector<float> PermuteDims(const std::vector<float>& values, const Shape& shape,
                               const std::vector<int>& perm) {
  const size_t rank = shape.size();
  std::vector<int64_t> in_strides(rank, 1);
  for (int i = static_cast<int>(rank) - 2; i >= 0; --i) {
    in_strides[i] = in_strides[i + 1] * shape[i + 1];
  }
  const Shape out_shape = PermuteShape(shape, perm);
  std::vector<float> out(values.size());
  std::vector<int64_t> index(rank, 0);  // index into out_shape
  for (size_t o = 0; o < out.size(); ++o) {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d) src += index[d] * in_strides[perm[d]];
    out[o] = values[static_cast<size_t>(src)];
    for (int d = static_cast<int>(rank) - 1; d >= 0; --d) {
      if (++index[d] < out_shape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

TensorId AxisConst(OnnxContext& ctx, const onnx::NodeProto& node, const std::string& suffix,
                   int32_t axis) {
  return ctx.AddScalarInt(NodeBaseName(node) + "/" + suffix, axis);
}

bool OutputUsed(const OnnxContext& ctx, const onnx::NodeProto& node, int index) {
  // Exporters name optional outputs (an LSTM's Y_c, BatchNorm's running stats)
  // even when nothing reads them: only a consumed output counts.
  return index < node.output_size() && !node.output(index).empty() &&
         ctx.IsConsumed(node.output(index));
}

}  // namespace optconv::onnx_import
