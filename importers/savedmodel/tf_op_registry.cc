// The op-type -> converter table, assembled once from every op family.
#include <algorithm>

#include "absl/strings/match.h"
#include "importers/savedmodel/tf_op_families.h"

namespace optconv::tf_import {
namespace {

const TfConverterTable& Table() {
  static const TfConverterTable* table = [] {
    auto* t = new TfConverterTable();
    RegisterTfGraphOps(*t);
    RegisterTfElementwiseOps(*t);
    RegisterTfActivationOps(*t);
    RegisterTfConvOps(*t);
    RegisterTfPoolOps(*t);
    RegisterTfLinearOps(*t);
    RegisterTfReduceOps(*t);
    RegisterTfTensorOps(*t);
    RegisterTfSliceOps(*t);
    RegisterTfShapeOps(*t);
    RegisterTfResizeOps(*t);
    RegisterTfKerasRnnOps(*t);
    RegisterTfReverseOps(*t);
    return t;
  }();
  return *table;
}

}  // namespace

TfOpConverter FindTfConverter(const TfContext& ctx, const tensorflow::NodeDef& node) {
  auto it = Table().ops.find(node.op());
  if (it != Table().ops.end()) return it->second;
  const tensorflow::FunctionDef* fn = ctx.CalledFunction(node);
  if (fn == nullptr) return nullptr;
  auto attr = fn->attr().find("api_implements");
  if (attr == fn->attr().end()) return nullptr;
  for (const auto& [prefix, converter] : Table().api_implements) {
    if (absl::StartsWith(attr->second.s(), prefix)) return converter;
  }
  return nullptr;
}

std::vector<std::string> SupportedTfOps() {
  std::vector<std::string> ops;
  for (const auto& [name, converter] : Table().ops) ops.push_back(name);
  std::sort(ops.begin(), ops.end());
  return ops;
}

}  // namespace optconv::tf_import
