#include "importers/savedmodel/tf_ops_util.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "runtime/fp16.h"

namespace optconv::tf_import {

std::vector<int32_t> ToInt32(const std::vector<int64_t>& values) {
  std::vector<int32_t> out;
  out.reserve(values.size());
  for (int64_t v : values) {
    out.push_back(static_cast<int32_t>(std::clamp<int64_t>(v, INT_MIN, INT_MAX)));
  }
  return out;
}

absl::StatusOr<int> AxisOf(const TfContext& ctx, const tensorflow::NodeDef& node, int64_t axis,
                           int rank) {
  std::optional<int> a = NormalizeAxis(axis, rank);
  if (!a) {
    return ctx.Invalid(node, absl::StrCat("axis ", axis, " is out of range for rank ", rank),
                       absl::StrCat("an axis in [", -rank, ", ", rank - 1, "]"));
  }
  return *a;
}

absl::Status RequireChannelsLast(const TfContext& ctx, const tensorflow::NodeDef& node) {
  const std::string format = TfContext::AttrString(node, "data_format", "NHWC");
  if (format == "NHWC" || format == "NDHWC" || format == "NWC") return absl::OkStatus();
  return ctx.Unsupported(node, absl::StrCat("data_format ", format, " is not supported"),
                         "NHWC (TensorFlow's default on CPU)");
}

absl::StatusOr<Padding> PaddingOf(const TfContext& ctx, const tensorflow::NodeDef& node) {
  const std::string padding = TfContext::AttrString(node, "padding", "");
  if (padding == "SAME") return Padding::kSame;
  if (padding == "VALID") return Padding::kValid;
  return ctx.Unsupported(node, absl::StrCat("padding '", padding, "' is not supported"),
                         "SAME or VALID");
}

absl::StatusOr<std::pair<int32_t, int32_t>> SpatialPair(const TfContext& ctx,
                                                        const tensorflow::NodeDef& node,
                                                        const std::string& attr) {
  std::vector<int64_t> v = TfContext::AttrInts(node, attr);
  if (v.empty()) return std::pair<int32_t, int32_t>{1, 1};
  if (v.size() != 4) {
    return ctx.Invalid(node, absl::StrCat("'", attr, "' has ", v.size(), " values"), "4 (NHWC)");
  }
  if (v[0] != 1 || v[3] != 1) {
    return ctx.Unsupported(node, absl::StrCat("'", attr, "' over batch or channels"),
                           "[1, h, w, 1]");
  }
  return std::pair<int32_t, int32_t>{static_cast<int32_t>(v[1]), static_cast<int32_t>(v[2])};
}

absl::StatusOr<TensorId> EmitReshape(TfContext& ctx, const tensorflow::NodeDef& node, TensorId x,
                                     const Shape& target) {
  if (std::count(target.begin(), target.end(), kUnknownDim) > 1) {
    return ctx.Unsupported(node, absl::StrCat("reshape to ", ShapeToString(target),
                                              " needs a run-time shape (more than one unknown "
                                              "dimension)"));
  }
  if (ctx.shape(x) == target) return x;
  TensorId shape = ctx.AddConstInts(HelperName(node, "shape"), ToInt32(target),
                                    Shape{static_cast<int64_t>(target.size())});
  absl::StatusOr<TensorId> out =
      ctx.Emit(node, OpKind::kReshape, {x, shape}, NoOptions{}, ctx.type(x));
  if (out.ok()) PropagateKnown(ctx, x, *out);
  return out;
}

void PropagateKnown(TfContext& ctx, TensorId in, TensorId out) {
  if (in == out || ctx.IsConstant(in)) return;
  if (auto known = ctx.KnownInts(in)) {
    ctx.SetDimRefs(out, ctx.DimRefs(in, known->size()));
    ctx.RecordKnownInts(out, *known);
  }
}

absl::StatusOr<TensorId> Int32Operand(TfContext& ctx, const tensorflow::NodeDef& node,
                                      TensorId id) {
  if (!ctx.IsConstant(id)) {
    if (auto known = ctx.KnownInts(id)) {
      Shape shape = ctx.shape(id);
      if (IsStatic(shape)) {
        if (auto c = ctx.AddConstFromKnown(HelperName(node, "known"), *known, DataType::kInt32,
                                    shape)) {
          return *c;
        }
      }
    }
  }
  return ctx.AsInt32(node, id);
}

}  // namespace optconv::tf_import
