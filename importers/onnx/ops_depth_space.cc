// DepthToSpace (DCR and CRD modes) and SpaceToDepth on 4-D NCHW tensors ->
// DEPTH_TO_SPACE / SPACE_TO_DEPTH on channels-last tensors. TFLite's ops use
// ONNX's DCR channel order; CRD input channels are reordered by a constant
// GATHER first (fold-channel-gather moves it into a producing conv).
#include "absl/strings/str_cat.h"
#include "converter/depth_space_order.h"
#include "importers/onnx/nn_util.h"
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {
namespace {

absl::Status ConvertDepthSpace(OnnxContext& ctx, const onnx::NodeProto& node, bool to_space) {
  NN_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  const Shape xs = ctx.shape(x);
  if (xs.size() != 4) {
    return ctx.Unsupported(node, absl::StrCat("rank-", xs.size(), " input"), "a 4-D NCHW input");
  }
  const int64_t block = OnnxContext::AttrInt(node, "blocksize", 0);
  if (block < 1) return ctx.Invalid(node, absl::StrCat("blocksize ", block), "blocksize >= 1");
  const std::string mode = OnnxContext::AttrString(node, "mode", "DCR");
  if (mode != "DCR" && mode != "CRD") {
    return ctx.Invalid(node, absl::StrCat("mode '", mode, "'"), "DCR or CRD");
  }
  const bool crd = to_space && mode == "CRD";
  if (to_space && xs[1] >= 0 && xs[1] % (block * block) != 0) {
    return ctx.Invalid(node, absl::StrCat(xs[1], " channels"),
                       absl::StrCat("a multiple of blocksize^2 = ", block * block));
  }
  for (int axis : {2, 3}) {
    if (!to_space && xs[static_cast<size_t>(axis)] >= 0 && xs[static_cast<size_t>(axis)] % block != 0) {
      return ctx.Invalid(node, absl::StrCat("spatial size ", xs[static_cast<size_t>(axis)]),
                         absl::StrCat("a multiple of blocksize ", block));
    }
  }
  if (crd && xs[1] < 0) {
    return ctx.Unsupported(node, "CRD mode with an unknown channel count", "static channels");
  }
  NN_ASSIGN_OR_RETURN(TensorId xn, ctx.ToChannelsLast(node, x));
  if (crd && xs[1] > block * block) {
    const std::vector<int32_t> order = CrdToDcrChannelOrder(xs[1] / (block * block), block);
    GatherOptions axis3;
    axis3.axis = 3;
    NN_ASSIGN_OR_RETURN(
        xn, ctx.Emit(node, OpKind::kGather,
                     {xn, ctx.AddConstInts(NodeBaseName(node) + "/dcr_order", order)}, axis3,
                     ctx.type(x)));
  }
  BlockSizeOptions options;
  options.block_size = static_cast<int32_t>(block);
  NN_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, to_space ? OpKind::kDepthToSpace
                                                          : OpKind::kSpaceToDepth,
                                           {xn}, options, ctx.type(x)));
  NN_ASSIGN_OR_RETURN(TensorId out, ctx.ToChannelsFirst(node, y));
  ctx.SetOutput(node, 0, out);
  return absl::OkStatus();
}

absl::Status ConvertDepthToSpace(OnnxContext& ctx, const onnx::NodeProto& node) {
  return ConvertDepthSpace(ctx, node, /*to_space=*/true);
}

absl::Status ConvertSpaceToDepth(OnnxContext& ctx, const onnx::NodeProto& node) {
  return ConvertDepthSpace(ctx, node, /*to_space=*/false);
}

}  // namespace

void RegisterDepthSpaceOps(ConverterTable& table) {
  table["DepthToSpace"] = &ConvertDepthToSpace;
  table["SpaceToDepth"] = &ConvertSpaceToDepth;
}

}  // namespace optconv::onnx_import
