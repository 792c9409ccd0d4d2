// Reductions over constant axes, and ArgMax/ArgMin.
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

template <OpKind kKind>
absl::Status Reduce(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> axes, ctx.ConstIntsInput(node, 1));
  const bool keep = TfContext::AttrBool(node, "keep_dims", false);
  if (axes.empty()) {  // reducing nothing is the identity
    ctx.Bind(TfContext::OutputRef(node, 0), x);
    return absl::OkStatus();
  }
  std::vector<int32_t> normalized;
  for (int64_t a : axes) {
    TF_ASSIGN_OR_RETURN(int axis, AxisOf(ctx, node, a, ctx.rank(x)));
    normalized.push_back(axis);
  }
  TensorId axes_id = ctx.AddConstInts(HelperName(node, "axes"), normalized);
  return ctx.EmitAndBind(node, kKind, {x, axes_id}, ReducerOptions{keep});
}

template <OpKind kKind>
absl::Status Arg(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> axis, ctx.ConstIntsInput(node, 1));
  if (axis.size() != 1) return ctx.Invalid(node, "dimension is not a scalar", "one axis");
  TF_ASSIGN_OR_RETURN(int a, AxisOf(ctx, node, axis[0], ctx.rank(x)));
  TensorId axis_id = ctx.AddConstInts(HelperName(node, "axis"), {a});
  DataType out = DataType::kInt64;
  if (TfContext::FindAttr(node, "output_type") != nullptr) {
    TF_ASSIGN_OR_RETURN(out, ctx.AttrIrType(node, "output_type"));
  }
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, kKind, {x, axis_id}, ArgOptions{}, out));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

}  // namespace

void RegisterTfReduceOps(TfConverterTable& t) {
  t.ops["Mean"] = Reduce<OpKind::kMean>;
  t.ops["Sum"] = Reduce<OpKind::kSum>;
  t.ops["Max"] = Reduce<OpKind::kReduceMax>;
  t.ops["Min"] = Reduce<OpKind::kReduceMin>;
  t.ops["Prod"] = Reduce<OpKind::kReduceProd>;
  t.ops["ArgMax"] = Arg<OpKind::kArgMax>;
  t.ops["ArgMin"] = Arg<OpKind::kArgMin>;
}

}  // namespace optconv::tf_import
