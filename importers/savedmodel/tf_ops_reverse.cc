// ReverseV2 (Keras runs go_backwards RNNs and the backward half of
// Bidirectional layers on reversed sequences): a STRIDED_SLICE over the whole
// tensor with stride -1 on the reversed axes.
#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"

namespace optconv::tf_import {
namespace {

absl::Status ConvertReverseV2(TfContext& ctx, const tensorflow::NodeDef& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  absl::StatusOr<std::vector<int64_t>> axes = ctx.ConstIntsInput(node, 1);
  if (!axes.ok()) return axes.status();
  const int rank = ctx.rank(*x);
  std::vector<int32_t> zeros(rank, 0), strides(rank, 1);
  for (int64_t a : *axes) {
    if (a < -rank || a >= rank) {
      return ctx.Invalid(node, absl::StrCat("axis ", a), absl::StrCat("an axis of a rank-", rank,
                                                                      " tensor"));
    }
    strides[a < 0 ? a + rank : a] = -1;
  }
  StridedSliceOptions o;
  o.begin_mask = (1 << rank) - 1;
  o.end_mask = (1 << rank) - 1;
  const std::string base = node.name();
  return ctx.EmitAndBind(node, OpKind::kStridedSlice,
                         {*x, ctx.AddConstInts(base + "/begin", zeros),
                          ctx.AddConstInts(base + "/end", zeros),
                          ctx.AddConstInts(base + "/strides", strides)},
                         o);
}

}  // namespace

void RegisterTfReverseOps(TfConverterTable& table) {
  table.ops["ReverseV2"] = &ConvertReverseV2;
}

}  // namespace optconv::tf_import
