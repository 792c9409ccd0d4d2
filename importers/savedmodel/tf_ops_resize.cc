// ResizeBilinear / ResizeNearestNeighbor (NHWC, align_corners and
// half_pixel_centers as in TF), DepthToSpace / SpaceToDepth (NHWC: TFLite's
// channel order), Pad, PadV2, MirrorPad.
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

template <OpKind kKind>
absl::Status Resize(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId size, ctx.Input(node, 1));
  if (ctx.rank(x) != 4) return ctx.Unsupported(node, "resize of a non-4-D tensor", "NHWC images");
  TF_ASSIGN_OR_RETURN(TensorId s, Int32Operand(ctx, node, size));
  ResizeOptions o{TfContext::AttrBool(node, "align_corners", false),
                  TfContext::AttrBool(node, "half_pixel_centers", false)};
  return ctx.EmitAndBind(node, kKind, {x, s}, o);
}

template <OpKind kKind>
absl::Status DepthSpace(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  const std::string format = TfContext::AttrString(node, "data_format", "NHWC");
  if (ctx.rank(x) != 4 || format != "NHWC") {
    return ctx.Unsupported(node, absl::StrCat("rank-", ctx.rank(x), " ", format, " input"),
                           "a 4-D NHWC input");
  }
  const int64_t block = TfContext::AttrInt(node, "block_size", 0);
  if (block < 2) return ctx.Invalid(node, absl::StrCat("block_size ", block), "block_size >= 2");
  BlockSizeOptions o;
  o.block_size = static_cast<int32_t>(block);
  return ctx.EmitAndBind(node, kKind, {x}, o);
}

absl::StatusOr<TensorId> Paddings(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(std::vector<int64_t> pads, ctx.ConstIntsInput(node, 1));
  return ctx.AddConstInts(HelperName(node, "paddings"), ToInt32(pads),
                          Shape{static_cast<int64_t>(pads.size() / 2), 2});
}

absl::Status Pad(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId p, Paddings(ctx, node));
  if (node.op() == "PadV2") {
    TF_ASSIGN_OR_RETURN(TensorId v, ctx.Input(node, 2));
    return ctx.EmitAndBind(node, OpKind::kPadV2, {x, p, v});
  }
  return ctx.EmitAndBind(node, OpKind::kPad, {x, p});
}

absl::Status MirrorPad(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId p, Paddings(ctx, node));
  const std::string mode = TfContext::AttrString(node, "mode", "REFLECT");
  if (mode != "REFLECT" && mode != "SYMMETRIC") {
    return ctx.Invalid(node, absl::StrCat("mode '", mode, "'"), "REFLECT or SYMMETRIC");
  }
  return ctx.EmitAndBind(node, OpKind::kMirrorPad, {x, p}, MirrorPadOptions{mode == "SYMMETRIC"});
}

}  // namespace

void RegisterTfResizeOps(TfConverterTable& t) {
  t.ops["ResizeBilinear"] = Resize<OpKind::kResizeBilinear>;
  t.ops["ResizeNearestNeighbor"] = Resize<OpKind::kResizeNearestNeighbor>;
  t.ops["DepthToSpace"] = DepthSpace<OpKind::kDepthToSpace>;
  t.ops["SpaceToDepth"] = DepthSpace<OpKind::kSpaceToDepth>;
  t.ops["Pad"] = Pad;
  t.ops["PadV2"] = Pad;
  t.ops["MirrorPad"] = MirrorPad;
}

}  // namespace optconv::tf_import
