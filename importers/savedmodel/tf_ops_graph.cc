// Graph plumbing: Const (checkpoint-backed values used zero-copy), inputs,
// and the identity family that only forwards a tensor.
#include "absl/strings/str_cat.h"
#include "converter/status_util.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"
#include "importers/savedmodel/tf_tensor_data.h"
#include "importers/savedmodel/tf_types.h"

namespace optconv::tf_import {
namespace {

absl::Status Const(TfContext& ctx, const tensorflow::NodeDef& node) {
  auto mapped = ctx.tf_graph().constants.find(node.name());
  if (mapped != ctx.tf_graph().constants.end()) {
    const TfTensorData& data = mapped->second;
    std::optional<DataType> type = FromTfDataType(data.dtype);
    if (!type || *type == DataType::kString) {
      return ctx.Unsupported(node, absl::StrCat("variables of type ", TfDataTypeName(data.dtype),
                                                " are not supported"));
    }
    Shape shape(data.shape.begin(), data.shape.end());
    const size_t expected = NumElements(shape).value_or(0) * ElementSize(*type);
    if (data.data == nullptr || data.data->size() != expected) {
      return ctx.Invalid(node, absl::StrCat("checkpoint value has ",
                                            data.data ? data.data->size() : 0, " bytes"),
                         absl::StrCat(expected, " bytes for ", ShapeToString(shape)));
    }
    TensorId id = ctx.graph().AddConstant(ctx.UniqueName(node.name()), *type, shape, data.data);
    ctx.SetOutput(node, 0, id);
    return absl::OkStatus();
  }
  const tensorflow::AttrValue* value = TfContext::FindAttr(node, "value");
  if (value == nullptr || !value->has_tensor()) {
    return ctx.Invalid(node, "the 'value' attr is missing", "a TensorProto");
  }
  absl::StatusOr<Tensor> t =
      ConstantFromProto(value->tensor(), ctx.UniqueName(node.name()),
                        FormatNodeError(ctx.file(), node.name(), node.op(), "value"));
  if (!t.ok()) return t.status();
  ctx.SetOutput(node, 0, ctx.graph().AddTensor(*std::move(t)));
  return absl::OkStatus();
}

/// Placeholders that are signature inputs are bound before conversion; any
/// other one would need a value we do not have.
absl::Status Placeholder(TfContext& ctx, const tensorflow::NodeDef& node) {
  return ctx.Invalid(node, "is not an input of the selected signature",
                     "every Placeholder the outputs depend on to be an input (use --inputs)");
}

/// Not fed by the signature: its default value is the value.
absl::Status PlaceholderWithDefault(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  ctx.Bind(TfContext::OutputRef(node, 0), x);
  return absl::OkStatus();
}

/// Identity and friends: every output i is input i.
absl::Status Forward(TfContext& ctx, const tensorflow::NodeDef& node) {
  for (int i = 0; i < node.input_size(); ++i) {
    TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, i));
    ctx.Bind(TfContext::OutputRef(node, i), x);
  }
  return absl::OkStatus();
}

absl::Status NoOp(TfContext&, const tensorflow::NodeDef&) { return absl::OkStatus(); }

}  // namespace

void RegisterTfGraphOps(TfConverterTable& t) {
  t.ops["Const"] = Const;
  t.ops["Placeholder"] = Placeholder;
  t.ops["PlaceholderWithDefault"] = PlaceholderWithDefault;
  for (const char* op : {"Identity", "IdentityN", "StopGradient", "Snapshot", "EnsureShape",
                         "CheckNumerics", "PreventGradient"}) {
    t.ops[op] = Forward;
  }
  t.ops["NoOp"] = NoOp;
}

}  // namespace optconv::tf_import
