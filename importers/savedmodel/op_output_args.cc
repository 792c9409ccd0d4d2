#include "importers/savedmodel/op_output_args.h"

#include <vector>

namespace optconv::tf_import {
namespace {

// Output args of multi-output ops, for exports whose stripped_op_list omits
// function-body ops (TF <= 2.4). Sizes: 1, or the int attr `number_attr`, or
// the length of the type-list attr `type_list_attr` (as in OpDef.ArgDef).
struct ArgSpec {
  const char* name;
  const char* number_attr = "";
  const char* type_list_attr = "";
};

const absl::flat_hash_map<std::string, std::vector<ArgSpec>>& KnownOutputArgs() {
  static const auto* table = new absl::flat_hash_map<std::string, std::vector<ArgSpec>>{
      {"FusedBatchNorm", {{"y"}, {"batch_mean"}, {"batch_variance"}, {"reserve_space_1"}, {"reserve_space_2"}}},
      {"FusedBatchNormV2", {{"y"}, {"batch_mean"}, {"batch_variance"}, {"reserve_space_1"}, {"reserve_space_2"}}},
      {"FusedBatchNormV3",
       {{"y"}, {"batch_mean"}, {"batch_variance"}, {"reserve_space_1"}, {"reserve_space_2"}, {"reserve_space_3"}}},
      {"Split", {{"output", "num_split"}}},
      {"SplitV", {{"output", "num_split"}}},
      {"Unpack", {{"output", "num"}}},
      {"Unique", {{"y"}, {"idx"}}},
      {"UniqueV2", {{"y"}, {"idx"}}},
      {"TopKV2", {{"values"}, {"indices"}}},
      {"BroadcastGradientArgs", {{"r0"}, {"r1"}}},
      {"Switch", {{"output_false"}, {"output_true"}}},
      {"Merge", {{"output"}, {"value_index"}}},
      {"ParseExampleV2",
       {{"sparse_indices", "num_sparse"},
        {"sparse_values", "", "sparse_types"},
        {"sparse_shapes", "num_sparse"},
        {"dense_values", "", "Tdense"},
        {"ragged_values", "", "ragged_value_types"},
        {"ragged_row_splits", "", "ragged_split_types"}}},
      {"ParseExample",
       {{"sparse_indices", "Nsparse"},
        {"sparse_values", "", "sparse_types"},
        {"sparse_shapes", "Nsparse"},
        {"dense_values", "", "Tdense"}}},
      {"LSTMBlockCell", {{"i"}, {"cs"}, {"f"}, {"o"}, {"ci"}, {"co"}, {"h"}}},
      {"BlockLSTM", {{"i"}, {"cs"}, {"f"}, {"o"}, {"ci"}, {"co"}, {"h"}}},
      {"BlockLSTMV2", {{"i"}, {"cs"}, {"f"}, {"o"}, {"ci"}, {"co"}, {"h"}}},
      {"GRUBlockCell", {{"r"}, {"u"}, {"c"}, {"h"}}},
      {"QuantizeV2", {{"output"}, {"output_min"}, {"output_max"}}},
      {"FakeQuantWithMinMaxVarsGradient", {{"backprops_wrt_input"}, {"backprop_wrt_min"}, {"backprop_wrt_max"}}},
  };
  return *table;
}

/// Size of one output arg; nullopt when the attr it depends on is missing.
std::optional<int> ArgSize(const tensorflow::NodeDef& node, const tensorflow::OpDef* op_def,
                           const std::string& number_attr, const std::string& type_list_attr) {
  auto attr = [&](const std::string& name) -> const tensorflow::AttrValue* {
    auto it = node.attr().find(name);
    if (it != node.attr().end()) return &it->second;
    if (op_def == nullptr) return nullptr;
    for (const auto& def : op_def->attr()) {
      if (def.name() == name && def.has_default_value()) return &def.default_value();
    }
    return nullptr;
  };
  if (!number_attr.empty()) {
    const tensorflow::AttrValue* value = attr(number_attr);
    if (value == nullptr) return std::nullopt;
    return static_cast<int>(value->i());
  }
  if (!type_list_attr.empty()) {
    const tensorflow::AttrValue* value = attr(type_list_attr);
    if (value == nullptr) return std::nullopt;
    return value->list().type_size();
  }
  return 1;
}

}  // namespace

OpOutputArgs::OpOutputArgs(const tensorflow::OpList& ops, const tensorflow::FunctionDefLibrary& library) {
  for (const auto& op : ops.op()) op_defs_[op.name()] = &op;
  for (const auto& fn : library.function()) op_defs_[fn.signature().name()] = &fn.signature();
}

std::optional<int> OpOutputArgs::FlatIndex(const tensorflow::NodeDef& node, const std::string& out_arg,
                                           int index) const {
  int offset = 0;
  if (auto it = op_defs_.find(node.op()); it != op_defs_.end()) {
    for (const auto& arg : it->second->output_arg()) {
      if (arg.name() == out_arg) return offset + index;
      std::optional<int> size = ArgSize(node, it->second, arg.number_attr(), arg.type_list_attr());
      if (!size) return std::nullopt;
      offset += *size;
    }
    return std::nullopt;
  }
  if (auto it = KnownOutputArgs().find(node.op()); it != KnownOutputArgs().end()) {
    for (const ArgSpec& arg : it->second) {
      if (out_arg == arg.name) return offset + index;
      std::optional<int> size = ArgSize(node, nullptr, arg.number_attr, arg.type_list_attr);
      if (!size) return std::nullopt;
      offset += *size;
    }
    return std::nullopt;
  }
  return index;
}

}  // namespace optconv::tf_import
