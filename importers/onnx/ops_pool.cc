// MaxPool / AveragePool (1-D and 2-D) -> MAX_POOL_2D / AVERAGE_POOL_2D on
// channels-last tensors; GlobalAveragePool / GlobalMaxPool -> MEAN /
// REDUCE_MAX over the spatial axes.
//
// TFLite pools know SAME and VALID only, and SAME excludes the padding from
// averages. Other paddings are materialised with PAD/PADV2 before a VALID
// pool; averages whose divisor then differs from ONNX's are corrected by a
// constant per-position factor.
#include <limits>

#include "absl/strings/str_cat.h"
#include "importers/onnx/nn_util.h"
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {
namespace {

struct PoolSetup {
  TensorId x = kNoTensor;
  int onnx_rank = 4;
  Window win;  // 2-D (1-D lifted)
  std::vector<int64_t> in;  // spatial sizes, 2-D
  PaddingPlan plan;
};

absl::StatusOr<PoolSetup> SetUpPool(OnnxContext& ctx, const onnx::NodeProto& node) {
  PoolSetup p;
  NN_ASSIGN_OR_RETURN(p.x, ctx.Input(node, 0));
  p.onnx_rank = ctx.rank(p.x);
  if (p.onnx_rank == 5) return ctx.Unsupported(node, "3-D pooling", "a 1-D or 2-D pool");
  if (p.onnx_rank != 3 && p.onnx_rank != 4) {
    return ctx.Invalid(node, absl::StrCat("rank-", p.onnx_rank, " input"), "rank 3 or 4");
  }
  NN_ASSIGN_OR_RETURN(p.win, ReadWindow(ctx, node, p.onnx_rank - 2));
  for (int64_t d : p.win.dilations) {
    if (d != 1) return ctx.Unsupported(node, "dilated pooling", "dilations = 1");
  }
  if (p.onnx_rank == 3) p.win = LiftWindowTo2D(p.win);
  const Shape xs = ctx.shape(p.x);
  p.in = p.onnx_rank == 3 ? std::vector<int64_t>{1, xs[2]} : std::vector<int64_t>{xs[2], xs[3]};
  const bool ceil_mode = OnnxContext::AttrInt(node, "ceil_mode", 0) != 0;
  NN_ASSIGN_OR_RETURN(p.plan, PlanPadding(ctx, node, p.win, p.in, ceil_mode));
  return p;
}

Pool2DOptions PoolOptions(const PoolSetup& p) {
  Pool2DOptions o;
  o.padding = p.plan.padding;
  o.stride_h = static_cast<int32_t>(p.win.strides[0]);
  o.stride_w = static_cast<int32_t>(p.win.strides[1]);
  o.filter_h = static_cast<int32_t>(p.win.kernel[0]);
  o.filter_w = static_cast<int32_t>(p.win.kernel[1]);
  return o;
}

absl::Status ConvertMaxPool(OnnxContext& ctx, const onnx::NodeProto& node) {
  if (OutputUsed(ctx, node, 1)) {
    return ctx.Unsupported(node, "the Indices output of MaxPool", "only the pooled values used");
  }
  NN_ASSIGN_OR_RETURN(PoolSetup p, SetUpPool(ctx, node));
  NN_ASSIGN_OR_RETURN(TensorId xn, ToNhwc4D(ctx, node, p.x));
  if (p.plan.HasExplicitPads()) {
    // Padding never wins a max.
    NN_ASSIGN_OR_RETURN(xn, EmitSpatialPad(ctx, node, xn, p.plan.pad_begin, p.plan.pad_end,
                                           std::numeric_limits<float>::lowest()));
  }
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kMaxPool2D, {xn}, PoolOptions(p),
                                           ctx.type(p.x)));
  NN_ASSIGN_OR_RETURN(TensorId out, FromNhwc4D(ctx, node, y, p.onnx_rank));
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

// Per output position along one dim: how many window taps ONNX divides by,
// given taps counted inside [lo, hi) of the unpadded coordinates.
std::vector<int64_t> TapCounts(int64_t out, int64_t k, int64_t s, int64_t pad_begin, int64_t lo,
                               int64_t hi) {
  std::vector<int64_t> counts(out);
  for (int64_t o = 0; o < out; ++o) {
    const int64_t start = o * s - pad_begin;
    counts[o] = std::max<int64_t>(0, std::min(start + k, hi) - std::max(start, lo));
  }
  return counts;
}

absl::Status ConvertAveragePool(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(PoolSetup p, SetUpPool(ctx, node));
  const bool include_pad = OnnxContext::AttrInt(node, "count_include_pad", 0) != 0;
  const PaddingPlan& plan = p.plan;
  bool window_padded = false, ceil_padded = false;
  for (int i = 0; i < 2; ++i) {
    if (plan.window_begin[i] != 0 || plan.window_end[i] != 0) window_padded = true;
    if (plan.ceil_extra[i] != 0) ceil_padded = true;
  }
  // SAME excludes padding, as ONNX does without count_include_pad (and always
  // for the ceil_mode extra).
  Pool2DOptions o = PoolOptions(p);
  bool explicit_pads = plan.HasExplicitPads();
  bool needs_correction = false;
  if (include_pad && window_padded) {
    // Pads count in the divisor: materialise them; the ceil extra must not count.
    explicit_pads = true;
    needs_correction = ceil_padded;
  } else if (explicit_pads) {
    needs_correction = true;  // materialised pads must not count
  }
  std::vector<int64_t> pad_begin = plan.pad_begin, pad_end = plan.pad_end;
  if (explicit_pads && !plan.HasExplicitPads()) {
    // The plan chose SAME: recover the concrete pads it stands for.
    for (int i = 0; i < 2; ++i) {
      if (plan.window_begin[i] < 0) {
        return ctx.Unsupported(node, "count_include_pad with a dynamic spatial size",
                               "a static input size");
      }
      pad_begin[i] = plan.window_begin[i];
      pad_end[i] = plan.window_end[i] + plan.ceil_extra[i];
    }
  }
  if (explicit_pads) o.padding = Padding::kValid;
  if (needs_correction && (plan.out_sizes[0] < 0 || plan.out_sizes[1] < 0)) {
    return ctx.Unsupported(node, "average pooling with asymmetric pads on a dynamic spatial size",
                           "a static input size, or SAME-like pads");
  }

  NN_ASSIGN_OR_RETURN(TensorId xn, ToNhwc4D(ctx, node, p.x));
  if (explicit_pads) {
    NN_ASSIGN_OR_RETURN(xn, EmitSpatialPad(ctx, node, xn, pad_begin, pad_end, 0.0f));
  }
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kAveragePool2D, {xn}, o, ctx.type(p.x)));
  if (needs_correction) {
    // y_onnx = y_valid * (KH*KW) / taps_onnx, a constant [1,OH,OW,1] factor.
    std::vector<int64_t> counts[2];
    for (int i = 0; i < 2; ++i) {
      const int64_t lo = include_pad ? -plan.window_begin[i] : 0;
      const int64_t hi = include_pad ? p.in[i] + plan.window_end[i] : p.in[i];
      counts[i] = TapCounts(plan.out_sizes[i], p.win.kernel[i], p.win.strides[i], pad_begin[i],
                            lo, hi);
    }
    const float window = static_cast<float>(p.win.kernel[0] * p.win.kernel[1]);
    std::vector<float> factor;
    factor.reserve(counts[0].size() * counts[1].size());
    for (int64_t ch : counts[0]) {
      for (int64_t cw : counts[1]) {
        factor.push_back(ch * cw == 0 ? 0.0f : window / static_cast<float>(ch * cw));
      }
    }
    TensorId f = ctx.AddConstFloats(NodeBaseName(node) + "/divisor_correction", factor,
                                    {1, plan.out_sizes[0], plan.out_sizes[1], 1});
    NN_ASSIGN_OR_RETURN(y, ctx.Emit(node, OpKind::kMul, {y, f}, BinaryOptions{}, ctx.type(p.x)));
  }
  NN_ASSIGN_OR_RETURN(TensorId out, FromNhwc4D(ctx, node, y, p.onnx_rank));
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

absl::Status ConvertGlobalPool(OnnxContext& ctx, const onnx::NodeProto& node, OpKind reducer) {
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  const int r = ctx.rank(x);
  if (r < 3) return ctx.Invalid(node, absl::StrCat("rank-", r, " input"), "rank >= 3 (N, C, ...)");
  NN_ASSIGN_OR_RETURN(TensorId xn, ctx.ToChannelsLast(node, x));
  std::vector<int32_t> axes;
  for (int i = 1; i < r - 1; ++i) axes.push_back(i);
  TensorId axes_id = ctx.AddConstInts(NodeBaseName(node) + "/axes", axes);
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, reducer, {xn, axes_id}, ReducerOptions{true},
                                           ctx.type(x)));
  NN_ASSIGN_OR_RETURN(TensorId out, ctx.ToChannelsFirst(node, y));
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

absl::Status ConvertGlobalAveragePool(OnnxContext& ctx, const onnx::NodeProto& node) {
  return ConvertGlobalPool(ctx, node, OpKind::kMean);
}

absl::Status ConvertGlobalMaxPool(OnnxContext& ctx, const onnx::NodeProto& node) {
  return ConvertGlobalPool(ctx, node, OpKind::kReduceMax);
}

}  // namespace

void RegisterPoolOps(ConverterTable& table) {
  table["MaxPool"] = &ConvertMaxPool;
  table["AveragePool"] = &ConvertAveragePool;
  table["GlobalAveragePool"] = &ConvertGlobalAveragePool;
  table["GlobalMaxPool"] = &ConvertGlobalMaxPool;
}

}  // namespace optconv::onnx_import
