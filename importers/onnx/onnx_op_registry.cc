// The op-type -> converter table, assembled once from every op family.
#include <algorithm>

#include "importers/onnx/onnx_context.h"
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {
namespace {

const ConverterTable& Table() {
  static const ConverterTable* table = [] {
    auto* t = new ConverterTable();
    RegisterElementwiseOps(*t);
    RegisterTensorOps(*t);
    RegisterReduceOps(*t);
    RegisterShapeOps(*t);
    RegisterConvOps(*t);
    RegisterPoolOps(*t);
    RegisterNormOps(*t);
    RegisterLinearOps(*t);
    RegisterResizeOps(*t);
    RegisterDepthSpaceOps(*t);
    RegisterRnnOps(*t);
    return t;
  }();
  return *table;
}

}  // namespace

OpConverter FindConverter(const std::string& op_type) {
  auto it = Table().find(op_type);
  return it == Table().end() ? nullptr : it->second;
}

std::vector<std::string> SupportedOnnxOps() {
  std::vector<std::string> ops;
  ops.reserve(Table().size());
  for (const auto& [name, converter] : Table()) ops.push_back(name);
  std::sort(ops.begin(), ops.end());
  return ops;
}

}  // namespace optconv::onnx_import
