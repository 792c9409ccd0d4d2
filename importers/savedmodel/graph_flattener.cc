#include "importers/savedmodel/graph_flattener.h"

#include <deque>
#include <memory>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "importers/savedmodel/op_output_args.h"
#include "importers/savedmodel/tf_types.h"

namespace optconv::tf_import {
namespace {

// Nesting deeper than this is a recursive function, which TF cannot inline either.
constexpr int kMaxCallDepth = 64;

std::string TensorName(const std::string& node, int index) {
  return index == 0 ? node : absl::StrCat(node, ":", index);
}

bool IsCallOp(const std::string& op) { return op == "PartitionedCall" || op == "StatefulPartitionedCall"; }
bool IsVariableOp(const std::string& op) { return op == "VariableV2" || op == "Variable"; }

/// Function names an attr refers to (While body/cond, If branches, call f...).
void CollectFunctionRefs(const tensorflow::AttrValue& value, std::vector<std::string>& names) {
  if (value.has_func()) names.push_back(value.func().name());
  for (const auto& func : value.list().func()) names.push_back(func.name());
}

/// One function body (or the top-level graph) being flattened.
struct Scope {
  std::string prefix;  // added to body node names ("" at top level)
  const tensorflow::FunctionDef* function = nullptr;  // null at top level
  absl::flat_hash_map<std::string, std::string> args;  // arg name -> flat tensor
  absl::flat_hash_map<std::string, const tensorflow::NodeDef*> nodes;
  // Processed node -> its flat output tensors when it was not emitted as
  // itself (Identity, inlined calls, variable reads), else its flat name.
  absl::flat_hash_map<std::string, std::vector<std::string>> aliases;
  absl::flat_hash_map<std::string, std::string> emitted;
};

class Flattener {
 public:
  Flattener(const FlattenOptions& options, TfGraph& out)
      : options_(options), out_(out), output_args_(options.op_list, options.graph->library()) {
    for (const auto& fn : options.graph->library().function()) functions_[fn.signature().name()] = &fn;
    for (const auto& op : options.op_list.op()) op_defs_[op.name()] = &op;
  }

  absl::StatusOr<std::vector<std::string>> Run(const std::vector<std::string>& outputs) {
    Scope top;
    for (const auto& node : options_.graph->node()) {
      if (!top.nodes.emplace(node.name(), &node).second) {
        return absl::InvalidArgumentError(absl::StrCat(options_.source, ": two nodes named '", node.name(), "'"));
      }
      // Top-level nodes keep their names (signatures refer to them).
      used_names_.insert(node.name());
    }
    absl::StatusOr<std::vector<const tensorflow::NodeDef*>> order = TopLevelOrder(top, outputs);
    if (!order.ok()) return order.status();
    for (const tensorflow::NodeDef* node : *order) {
      if (absl::Status s = Process(top, *node, 0); !s.ok()) return s;
    }
    std::vector<std::string> flat_outputs;
    for (const std::string& output : outputs) {
      absl::StatusOr<std::string> flat = Resolve(top, output);
      if (!flat.ok()) return flat.status();
      flat_outputs.push_back(*flat);
    }
    Prune(flat_outputs);
    CollectLibrary();
    for (const auto& [tensor, placeholder] : options_.replaced_tensors) {
      for (const auto& node : out_.nodes) {
        if (node.name() == placeholder) {
          return absl::UnimplementedError(absl::StrCat(options_.source, ": input '", tensor,
                                                       "' cannot be fed: its node is still needed for other outputs"));
        }
      }
    }
    return flat_outputs;
  }

 private:
  absl::Status Error(absl::StatusCode code, const std::string& node, const std::string& op,
                     const std::string& problem) const {
    return absl::Status(code, absl::StrCat(options_.source, ": node '", node, "' (", op, "): ", problem));
  }

  /// Producer node of a data input in `scope`; empty for args and control inputs.
  std::string Producer(const Scope& scope, const std::string& input) const {
    if (input.empty() || input[0] == '^') return "";
    if (scope.function != nullptr && scope.args.contains(input)) return "";
    return std::string(input.substr(0, input.find(':')));
  }

  /// Kahn's order of the top-level nodes that `outputs` reach through data
  /// inputs (replaced tensors cut the walk).
  absl::StatusOr<std::vector<const tensorflow::NodeDef*>> TopLevelOrder(const Scope& top,
                                                                        const std::vector<std::string>& outputs) {
    std::vector<const tensorflow::NodeDef*> reached;
    absl::flat_hash_set<std::string> seen;
    std::vector<std::string> stack;
    auto visit = [&](const std::string& tensor) -> absl::Status {
      if (options_.replaced_tensors.contains(tensor)) return absl::OkStatus();
      std::string node = std::string(tensor.substr(0, tensor.find(':')));
      if (!top.nodes.contains(node)) {
        return absl::InvalidArgumentError(
            absl::StrCat(options_.source, ": tensor '", tensor, "' names no node of the graph"));
      }
      if (seen.insert(node).second) stack.push_back(node);
      return absl::OkStatus();
    };
    for (const std::string& output : outputs) {
      if (absl::Status s = visit(output); !s.ok()) return s;
    }
    while (!stack.empty()) {
      const tensorflow::NodeDef* node = top.nodes.at(stack.back());
      stack.pop_back();
      reached.push_back(node);
      for (const std::string& input : node->input()) {
        if (input.empty() || input[0] == '^') continue;
        if (absl::Status s = visit(input); !s.ok()) {
          return Error(absl::StatusCode::kInvalidArgument, node->name(), node->op(),
                       absl::StrCat("input '", input, "' names no node of the graph"));
        }
      }
    }
    return Order(top, reached);
  }

  absl::StatusOr<std::vector<const tensorflow::NodeDef*>> Order(const Scope& scope,
                                                                const std::vector<const tensorflow::NodeDef*>& nodes) {
    absl::flat_hash_map<std::string, int> pending;
    absl::flat_hash_map<std::string, std::vector<const tensorflow::NodeDef*>> consumers;
    absl::flat_hash_set<std::string> members;
    for (const auto* node : nodes) members.insert(node->name());
    std::deque<const tensorflow::NodeDef*> ready;
    for (const auto* node : nodes) {
      int count = 0;
      for (const std::string& input : node->input()) {
        std::string producer = Producer(scope, input);
        if (producer.empty() || !members.contains(producer)) continue;
        if (scope.function == nullptr && options_.replaced_tensors.contains(input)) continue;
        consumers[producer].push_back(node);
        ++count;
      }
      pending[node->name()] = count;
      if (count == 0) ready.push_back(node);
    }
    std::vector<const tensorflow::NodeDef*> order;
    while (!ready.empty()) {
      const tensorflow::NodeDef* node = ready.front();
      ready.pop_front();
      order.push_back(node);
      for (const auto* consumer : consumers[node->name()]) {
        if (--pending[consumer->name()] == 0) ready.push_back(consumer);
      }
    }
    if (order.size() != nodes.size()) {
      std::string where = scope.function ? absl::StrCat("function '", scope.function->signature().name(), "'")
                                         : std::string("the graph");
      return absl::UnimplementedError(absl::StrCat(options_.source, ": ", where,
                                                   " has a cycle (TF1 while_loop control flow is not supported)"));
    }
    return order;
  }

  /// The flat tensor for an input string of `scope`.
  absl::StatusOr<std::string> Resolve(const Scope& scope, const std::string& input) const {
    std::string node;
    int index = 0;
    if (scope.function == nullptr) {
      if (auto it = options_.replaced_tensors.find(input); it != options_.replaced_tensors.end()) return it->second;
      auto [name, parsed] = SplitTensorName(input);
      node = name;
      index = parsed;
    } else {
      if (auto it = scope.args.find(input); it != scope.args.end()) return it->second;
      std::vector<std::string> parts = absl::StrSplit(input, ':');
      node = parts[0];
      if (parts.size() == 2 && !absl::SimpleAtoi(parts[1], &index)) index = -1;
      if (parts.size() == 3) {
        auto body_node = scope.nodes.find(node);
        int arg_index = 0;
        if (body_node == scope.nodes.end() || !absl::SimpleAtoi(parts[2], &arg_index)) {
          index = -1;
        } else {
          index = output_args_.FlatIndex(*body_node->second, parts[1], arg_index).value_or(-1);
        }
      }
      if (parts.size() > 3) index = -1;
    }
    if (index < 0) return absl::InvalidArgumentError(absl::StrCat(options_.source, ": cannot resolve tensor '", input, "'"));
    if (auto it = scope.aliases.find(node); it != scope.aliases.end()) {
      if (index >= static_cast<int>(it->second.size())) {
        return absl::InvalidArgumentError(absl::StrCat(options_.source, ": tensor '", input, "': node '", node,
                                                       "' has only ", it->second.size(), " outputs"));
      }
      return it->second[index];
    }
    if (auto it = scope.emitted.find(node); it != scope.emitted.end()) return TensorName(it->second, index);
    return absl::InvalidArgumentError(absl::StrCat(options_.source, ": tensor '", input, "' names no node",
                                                   scope.function ? absl::StrCat(" of function '", scope.function->signature().name(), "'") : ""));
  }

  std::string UniqueName(const std::string& wanted) {
    std::string name = wanted;
    for (int i = 1; !used_names_.insert(name).second; ++i) name = absl::StrCat(wanted, "_", i);
    return name;
  }

  /// The checkpoint key of a variable node, or nullopt.
  std::optional<std::string> VariableKey(const Scope& scope, const tensorflow::NodeDef& node) const {
    if (options_.bundle == nullptr) return std::nullopt;
    if (scope.function == nullptr) {
      if (auto it = options_.variable_keys.find(node.name()); it != options_.variable_keys.end()) return it->second;
    }
    if (scope.function == nullptr && options_.bundle->Contains(node.name())) return node.name();
    if (auto it = node.attr().find("shared_name"); it != node.attr().end() && !it->second.s().empty() &&
                                                   options_.bundle->Contains(it->second.s())) {
      return it->second.s();
    }
    return std::nullopt;
  }

  /// The Const node holding checkpoint tensor `key` (one per key), named
  /// after the variable node `name` (whose own node is never emitted).
  absl::StatusOr<std::string> VariableConst(const std::string& key, const std::string& name) {
    if (auto it = variable_consts_.find(key); it != variable_consts_.end()) return it->second;
    absl::StatusOr<TfTensorData> tensor = options_.bundle->ReadTensor(key);
    if (!tensor.ok()) return tensor.status();
    tensorflow::NodeDef node;
    node.set_name(name);
    node.set_op("Const");
    (*node.mutable_attr())["dtype"].set_type(tensor->dtype);
    tensorflow::TensorProto* value = (*node.mutable_attr())["value"].mutable_tensor();
    value->set_dtype(tensor->dtype);
    for (int64_t dim : tensor->shape) value->mutable_tensor_shape()->add_dim()->set_size(dim);
    out_.constants[node.name()] = *std::move(tensor);
    variable_consts_[key] = node.name();
    out_.nodes.push_back(std::move(node));
    return out_.nodes.back().name();
  }

  absl::Status Process(Scope& scope, const tensorflow::NodeDef& node, int depth) {
    const std::string& op = node.op();
    if (op == "NoOp") return absl::OkStatus();
    std::vector<std::string> inputs;
    for (const std::string& input : node.input()) {
      if (!input.empty() && input[0] == '^') continue;
      absl::StatusOr<std::string> flat = Resolve(scope, input);
      if (!flat.ok()) return Error(absl::StatusCode::kInvalidArgument, node.name(), op, std::string(flat.status().message()));
      inputs.push_back(*flat);
    }
    if (op == "Identity" || op == "IdentityN") {
      scope.aliases[node.name()] = inputs;
      return absl::OkStatus();
    }
    if (op == "ReadVariableOp" && inputs.size() == 1) {
      if (auto it = handle_keys_.find(inputs[0]); it != handle_keys_.end()) {
        absl::StatusOr<std::string> value = VariableConst(it->second, inputs[0]);
        if (!value.ok()) return value.status();
        scope.aliases[node.name()] = {*value};
        return absl::OkStatus();
      }
    }
    const tensorflow::FunctionDef* callee = nullptr;
    if (IsCallOp(op)) {
      auto f = node.attr().find("f");
      if (f == node.attr().end() || !functions_.contains(f->second.func().name())) {
        return Error(absl::StatusCode::kInvalidArgument, node.name(), op, "calls a function missing from the library");
      }
      callee = functions_.at(f->second.func().name());
    } else if (auto it = functions_.find(op); it != functions_.end()) {
      callee = it->second;
    }
    if (callee != nullptr && !callee->attr().contains("api_implements")) {
      return Inline(scope, node, *callee, inputs, depth);
    }

    std::string flat_name = scope.function == nullptr ? node.name() : UniqueName(scope.prefix + node.name());
    if (op == "VarHandleOp" || IsVariableOp(op)) {
      if (std::optional<std::string> key = VariableKey(scope, node)) {
        if (IsVariableOp(op)) {
          // TF1 ref variables are read by using them: the node becomes the value.
          absl::StatusOr<std::string> value = VariableConst(*key, flat_name);
          if (!value.ok()) return value.status();
          scope.aliases[node.name()] = {*value};
          return absl::OkStatus();
        }
        // The handle itself is never emitted: reads become its Const.
        handle_keys_[flat_name] = *key;
        scope.emitted[node.name()] = flat_name;
        return absl::OkStatus();
      }
    }
    tensorflow::NodeDef copy = node;
    AddDefaultAttrs(copy);
    copy.set_name(flat_name);
    copy.clear_device();
    copy.clear_input();
    for (size_t i = 0; i < inputs.size(); ++i) {
      std::string input = inputs[i];
      // A variable handed to a kept function (While body, LSTM call) is
      // passed by value: the loop bodies read it once.
      if (auto it = handle_keys_.find(input); it != handle_keys_.end() && op != "ReadVariableOp") {
        absl::StatusOr<std::string> value = VariableConst(it->second, input);
        if (!value.ok()) return value.status();
        ReplaceResourceType(copy, i, out_.constants.at(*value).dtype);
        input = *value;
      }
      copy.add_input(input);
    }
    for (const auto& [name, value] : copy.attr()) CollectFunctionRefs(value, kept_functions_);
    if (callee != nullptr) kept_functions_.push_back(callee->signature().name());
    scope.emitted[node.name()] = flat_name;
    out_.nodes.push_back(std::move(copy));
    return absl::OkStatus();
  }

  /// Exports made with stripped_default_attrs (TF >= 2.x Keras saves) omit
  /// attrs equal to their OpDef default (Conv2D "dilations"...); put them back
  /// as TF's own loader does, so converters see every attr.
  void AddDefaultAttrs(tensorflow::NodeDef& node) const {
    auto it = op_defs_.find(node.op());
    if (it == op_defs_.end()) return;
    for (const auto& attr : it->second->attr()) {
      if (attr.has_default_value() && !node.attr().contains(attr.name())) {
        (*node.mutable_attr())[attr.name()] = attr.default_value();
      }
    }
  }

  /// When `input` of a While/If/call node went from a resource to its value,
  /// its entry in the node's type-list attr follows.
  static void ReplaceResourceType(tensorflow::NodeDef& node, size_t input, tensorflow::DataType dtype) {
    for (const char* attr : {"T", "Tin"}) {
      auto it = node.mutable_attr()->find(attr);
      if (it == node.mutable_attr()->end() || !it->second.has_list()) continue;
      auto* types = it->second.mutable_list()->mutable_type();
      if (static_cast<int>(input) < types->size() && types->Get(input) == tensorflow::DT_RESOURCE) {
        types->Set(input, dtype);
      }
    }
  }

  absl::Status Inline(Scope& scope, const tensorflow::NodeDef& call, const tensorflow::FunctionDef& fn,
                      const std::vector<std::string>& inputs, int depth) {
    const tensorflow::OpDef& signature = fn.signature();
    if (depth >= kMaxCallDepth) {
      return Error(absl::StatusCode::kUnimplemented, call.name(), call.op(),
                   absl::StrCat("function calls nested deeper than ", kMaxCallDepth, " (recursive function?)"));
    }
    if (signature.input_arg_size() != static_cast<int>(inputs.size())) {
      return Error(absl::StatusCode::kInvalidArgument, call.name(), call.op(),
                   absl::StrCat("passes ", inputs.size(), " inputs to '", signature.name(), "', which takes ",
                                signature.input_arg_size()));
    }
    Scope body;
    body.function = &fn;
    body.prefix = absl::StrCat(scope.prefix, call.name(), "/");
    for (int i = 0; i < signature.input_arg_size(); ++i) body.args[signature.input_arg(i).name()] = inputs[i];
    std::vector<const tensorflow::NodeDef*> nodes;
    for (const auto& node : fn.node_def()) {
      body.nodes[node.name()] = &node;
      nodes.push_back(&node);
    }
    absl::StatusOr<std::vector<const tensorflow::NodeDef*>> order = Order(body, nodes);
    if (!order.ok()) return order.status();
    for (const tensorflow::NodeDef* node : *order) {
      if (absl::Status s = Process(body, *node, depth + 1); !s.ok()) return s;
    }
    std::vector<std::string> outputs;
    for (const auto& arg : signature.output_arg()) {
      auto ret = fn.ret().find(arg.name());
      if (ret == fn.ret().end()) {
        return Error(absl::StatusCode::kInvalidArgument, call.name(), call.op(),
                     absl::StrCat("function '", signature.name(), "' does not return its output '", arg.name(), "'"));
      }
      absl::StatusOr<std::string> flat = Resolve(body, ret->second);
      if (!flat.ok()) return flat.status();
      outputs.push_back(*flat);
    }
    scope.aliases[call.name()] = std::move(outputs);
    return absl::OkStatus();
  }

  /// Drops nodes (and constants) the outputs do not reach.
  void Prune(const std::vector<std::string>& outputs) {
    absl::flat_hash_map<std::string, size_t> index;
    for (size_t i = 0; i < out_.nodes.size(); ++i) index[out_.nodes[i].name()] = i;
    std::vector<bool> live(out_.nodes.size(), false);
    std::vector<size_t> stack;
    auto mark = [&](const std::string& tensor) {
      auto it = index.find(SplitTensorName(tensor).first);
      if (it != index.end() && !live[it->second]) {
        live[it->second] = true;
        stack.push_back(it->second);
      }
    };
    for (const std::string& output : outputs) mark(output);
    while (!stack.empty()) {
      size_t i = stack.back();
      stack.pop_back();
      for (const std::string& input : out_.nodes[i].input()) mark(input);
    }
    std::vector<tensorflow::NodeDef> kept;
    for (size_t i = 0; i < out_.nodes.size(); ++i) {
      if (live[i]) {
        kept.push_back(std::move(out_.nodes[i]));
      } else {
        out_.constants.erase(out_.nodes[i].name());
      }
    }
    out_.nodes = std::move(kept);
    kept_functions_.clear();
    for (const auto& node : out_.nodes) {
      for (const auto& [name, value] : node.attr()) CollectFunctionRefs(value, kept_functions_);
      if (functions_.contains(node.op())) kept_functions_.push_back(node.op());
    }
  }

  /// Copies the functions live nodes still call, and the ones those call.
  void CollectLibrary() {
    absl::flat_hash_set<std::string> done;
    std::vector<std::string> stack = kept_functions_;
    while (!stack.empty()) {
      std::string name = stack.back();
      stack.pop_back();
      auto it = functions_.find(name);
      if (it == functions_.end() || !done.insert(name).second) continue;
      tensorflow::FunctionDef* kept = out_.library.add_function();
      *kept = *it->second;
      for (auto& node : *kept->mutable_node_def()) AddDefaultAttrs(node);
      for (const auto& node : it->second->node_def()) {
        if (functions_.contains(node.op())) stack.push_back(node.op());
        std::vector<std::string> refs;
        for (const auto& [attr, value] : node.attr()) CollectFunctionRefs(value, refs);
        stack.insert(stack.end(), refs.begin(), refs.end());
      }
    }
  }

  const FlattenOptions& options_;
  TfGraph& out_;
  OpOutputArgs output_args_;
  absl::flat_hash_map<std::string, const tensorflow::FunctionDef*> functions_;
  absl::flat_hash_map<std::string, const tensorflow::OpDef*> op_defs_;
  absl::flat_hash_set<std::string> used_names_;
  // Flat name of a resolvable VarHandleOp -> its checkpoint key.
  absl::flat_hash_map<std::string, std::string> handle_keys_;
  // Checkpoint key -> the Const node holding it.
  absl::flat_hash_map<std::string, std::string> variable_consts_;
  std::vector<std::string> kept_functions_;
};

}  // namespace

std::pair<std::string, int> SplitTensorName(const std::string& tensor) {
  size_t colon = tensor.rfind(':');
  if (colon == std::string::npos) return {tensor, 0};
  int index = 0;
  if (!absl::SimpleAtoi(tensor.substr(colon + 1), &index) || index < 0) return {tensor, -1};
  return {tensor.substr(0, colon), index};
}

tensorflow::NodeDef CutAtTensor(const std::string& tensor, tensorflow::DataType dtype,
                                const tensorflow::TensorShapeProto& shape, FlattenOptions& options) {
  auto [node, index] = SplitTensorName(tensor);
  tensorflow::NodeDef placeholder;
  placeholder.set_name(index == 0 ? node : absl::StrCat(node, "_", index));
  placeholder.set_op("Placeholder");
  (*placeholder.mutable_attr())["dtype"].set_type(dtype);
  *(*placeholder.mutable_attr())["shape"].mutable_shape() = shape;
  options.replaced_tensors[TensorName(node, index)] = placeholder.name();
  options.replaced_tensors[absl::StrCat(node, ":", index)] = placeholder.name();
  return placeholder;
}

absl::StatusOr<std::vector<std::string>> FlattenGraph(const FlattenOptions& options,
                                                      const std::vector<std::string>& outputs, TfGraph& graph) {
  return Flattener(options, graph).Run(outputs);
}

std::vector<std::string> UnresolvedVariables(const TfGraph& graph) {
  std::vector<std::string> names;
  for (const auto& node : graph.nodes) {
    if (node.op() == "VarHandleOp" || node.op() == "ReadVariableOp" || IsVariableOp(node.op())) {
      names.push_back(node.name());
    }
  }
  return names;
}

}  // namespace optconv::tf_import
