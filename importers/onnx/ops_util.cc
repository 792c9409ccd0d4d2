#include "importers/onnx/ops_util.h"

#include <algorithm>
#include <climits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "importers/onnx/onnx_tensor_data.h"

namespace optconv::onnx_import {

absl::StatusOr<std::optional<std::vector<int64_t>>> ReadIntsAttrOrInput(
    const OnnxContext& ctx, const onnx::NodeProto& node, const std::string& attr,
    int64_t input_since, int input_index) {
  if (ctx.opset() < input_since) {
    if (OnnxContext::FindAttr(node, attr) == nullptr) return std::nullopt;
    return OnnxContext::AttrInts(node, attr);
  }
  if (!OnnxContext::HasInput(node, input_index)) return std::nullopt;
  absl::StatusOr<std::vector<int64_t>> values = ConstIntsInput(ctx, node, input_index);
  if (!values.ok()) return values.status();
  return *std::move(values);
}

absl::StatusOr<std::vector<int64_t>> RequiredInts(const OnnxContext& ctx,
                                                  const onnx::NodeProto& node,
                                                  const std::string& attr, int64_t input_since,
                                                  int index) {
  auto v = ReadIntsAttrOrInput(ctx, node, attr, input_since, index);
  if (!v.ok()) return v.status();
  if (!*v) return ctx.Invalid(node, absl::StrCat("'", attr, "' is missing"));
  return **v;
}

absl::StatusOr<std::vector<int64_t>> ConstIntsInput(const OnnxContext& ctx,
                                                    const onnx::NodeProto& node, int index) {
  absl::StatusOr<TensorId> id = ctx.Input(node, index);
  if (!id.ok()) return id.status();
  std::optional<std::vector<int64_t>> values = ctx.ConstantInts(*id);
  if (!values) {
    return ctx.Unsupported(node, absl::StrCat("input '", node.input(index),
                                              "' must be a constant (it is computed at run time)"));
  }
  return *std::move(values);
}

absl::StatusOr<std::vector<int>> NormalizeAxes(const OnnxContext& ctx, const onnx::NodeProto& node,
                                               const std::vector<int64_t>& axes, int rank) {
  std::vector<int> out;
  for (int64_t a : axes) {
    std::optional<int> n = NormalizeAxis(a, rank);
    if (!n) {
      return ctx.Invalid(node, absl::StrCat("axis ", a, " is out of range for rank ", rank),
                         absl::StrCat("an axis in [", -rank, ", ", rank - 1, "]"));
    }
    if (std::find(out.begin(), out.end(), *n) != out.end()) {
      return ctx.Invalid(node, absl::StrCat("axis ", a, " is repeated"), "distinct axes");
    }
    out.push_back(*n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<int32_t> ToInt32(const std::vector<int64_t>& values) {
  std::vector<int32_t> out;
  out.reserve(values.size());
  for (int64_t v : values) out.push_back(static_cast<int32_t>(std::clamp<int64_t>(v, INT_MIN, INT_MAX)));
  return out;
}

absl::StatusOr<TensorId> EmitReshape(OnnxContext& ctx, const onnx::NodeProto& node, TensorId x,
                                     Shape target) {
  if (std::count(target.begin(), target.end(), kUnknownDim) > 1) {
    return ctx.Unsupported(node,
                           absl::StrCat("reshape to ", ShapeToString(target),
                                        " needs a run-time shape (more than one unknown dimension)"));
  }
  if (ctx.shape(x) == target) return x;
  TensorId shape = ctx.AddConstInts(HelperName(node, "shape"), ToInt32(target));
  absl::StatusOr<TensorId> out = ctx.Emit(node, OpKind::kReshape, {x, shape}, NoOptions{}, ctx.type(x));
  if (out.ok()) PropagateKnown(ctx, x, *out);
  return out;
}

void PropagateKnown(OnnxContext& ctx, TensorId in, TensorId out) {
  if (in == out || ctx.IsConstant(in)) return;
  if (auto known = ctx.KnownInts(in)) ctx.RecordKnownInts(out, *known);
  // Dim refs travel even when no value is known (a lone batch entry).
  if (auto n = NumElements(ctx.shape(in))) {
    ctx.RecordDimRefs(out, ctx.DimRefs(in, static_cast<size_t>(*n)));
  }
}

absl::Status EmitAndBind(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind,
                         std::vector<TensorId> inputs, OpOptions options) {
  const DataType type = ctx.type(inputs.front());
  absl::StatusOr<TensorId> out = ctx.Emit(node, kind, std::move(inputs), std::move(options), type);
  if (!out.ok()) return out.status();
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

}  // namespace optconv::onnx_import
