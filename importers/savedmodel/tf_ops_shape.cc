// Shape, Size, Rank (constants when the dims are known; SHAPE with known
// elements otherwise), Fill, Range, Tile, BroadcastTo, ZerosLike, OnesLike.
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

absl::StatusOr<DataType> OutType(const TfContext& ctx, const tensorflow::NodeDef& node) {
  if (TfContext::FindAttr(node, "out_type") == nullptr) return DataType::kInt32;
  return ctx.AttrIrType(node, "out_type");
}

absl::Status ShapeOp(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(DataType out, OutType(ctx, node));
  const Shape& s = ctx.shape(x);
  PartialInts known;
  for (int64_t d : s) known.push_back(d == kUnknownDim ? std::nullopt : std::optional<int64_t>(d));
  const Shape vec{static_cast<int64_t>(s.size())};
  if (auto c = ctx.AddConstFromKnown(node.name(), known, out, vec)) {
    ctx.SetOutput(node, 0, *c);
    return absl::OkStatus();
  }
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kShape, {x}, NoOptions{}, out));
  ctx.RecordKnownInts(y, known);
  PartialInts refs(known.size());
  for (size_t i = 0; i < known.size(); ++i) {
    if (!known[i]) refs[i] = x * TfContext::kMaxRank + static_cast<int64_t>(i);
  }
  ctx.SetDimRefs(y, std::move(refs));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status Size(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(DataType out, OutType(ctx, node));
  std::optional<int64_t> n = NumElements(ctx.shape(x));
  if (!n || !IsStatic(ctx.shape(x))) {
    return ctx.Unsupported(node, "Size of a tensor with unknown dims", "static dims");
  }
  TensorId c = *ctx.AddConstFromKnown(node.name(), {*n}, out, Shape{});
  ctx.SetOutput(node, 0, c);
  return absl::OkStatus();
}

absl::Status Rank(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  ctx.SetOutput(node, 0, ctx.AddScalarInt(node.name(), ctx.rank(x)));
  return absl::OkStatus();
}

/// Fill(dims, value).
absl::Status Fill(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId dims, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId value, ctx.Input(node, 1));
  TF_ASSIGN_OR_RETURN(TensorId d, Int32Operand(ctx, node, dims));
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kFill, {d, value}, NoOptions{},
                                           ctx.type(value)));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status Range(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId start, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId limit, ctx.Input(node, 1));
  TF_ASSIGN_OR_RETURN(TensorId delta, ctx.Input(node, 2));
  return ctx.EmitAndBind(node, OpKind::kRange, {start, limit, delta});
}

absl::Status Tile(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId multiples, ctx.Input(node, 1));
  TF_ASSIGN_OR_RETURN(TensorId m, Int32Operand(ctx, node, multiples));
  return ctx.EmitAndBind(node, OpKind::kTile, {x, m});
}

absl::Status BroadcastTo(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId shape, ctx.Input(node, 1));
  TF_ASSIGN_OR_RETURN(TensorId s, Int32Operand(ctx, node, shape));
  return ctx.EmitAndBind(node, OpKind::kBroadcastTo, {x, s});
}

/// ZerosLike / OnesLike: a constant for static shapes, else FILL(SHAPE(x), v).
absl::Status FilledLike(TfContext& ctx, const tensorflow::NodeDef& node, double value) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  const DataType t = ctx.type(x);
  TensorId v = ctx.AddScalarOfType(HelperName(node, "value"), value, t);
  TensorId dims;
  if (IsStatic(ctx.shape(x))) {
    std::vector<int32_t> d;
    for (int64_t s : ctx.shape(x)) d.push_back(static_cast<int32_t>(s));
    dims = ctx.AddConstInts(HelperName(node, "dims"), d, Shape{static_cast<int64_t>(d.size())});
  } else {
    TF_ASSIGN_OR_RETURN(dims, ctx.Emit(node, OpKind::kShape, {x}, NoOptions{}, DataType::kInt32));
  }
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kFill, {dims, v}, NoOptions{}, t));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status ZerosLike(TfContext& ctx, const tensorflow::NodeDef& node) {
  return FilledLike(ctx, node, 0.0);
}
absl::Status OnesLike(TfContext& ctx, const tensorflow::NodeDef& node) {
  return FilledLike(ctx, node, 1.0);
}

}  // namespace

void RegisterTfShapeOps(TfConverterTable& t) {
  t.ops["Shape"] = ShapeOp;
  t.ops["Size"] = Size;
  t.ops["Rank"] = Rank;
  t.ops["Fill"] = Fill;
  t.ops["Range"] = Range;
  t.ops["Tile"] = Tile;
  t.ops["BroadcastTo"] = BroadcastTo;
  t.ops["ZerosLike"] = ZerosLike;
  t.ops["OnesLike"] = OnesLike;
}

}  // namespace optconv::tf_import
