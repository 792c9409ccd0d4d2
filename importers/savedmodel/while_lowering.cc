#include "importers/savedmodel/while_lowering.h"

#include <deque>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "importers/savedmodel/keras_lstm.h"
#include "importers/savedmodel/op_output_args.h"
#include "importers/savedmodel/tf_static_values.h"

namespace optconv::tf_import {
namespace {

using tensorflow::FunctionDef;
using tensorflow::NodeDef;

// A TensorList handle, tracked symbolically: the refs of its elements, or the
// tensor it was made from while no element has been split off or replaced.
struct ListState {
  std::vector<std::string> items;  // "" marks an element never set
  std::string source;              // TensorListFromTensor input, items empty
  int64_t size = -1;               // -1: unknown (grows with SetItem/PushBack)
  tensorflow::DataType dtype = tensorflow::DT_INVALID;
};

// What a source tensor stands for in the lowered graph.
struct Value {
  std::string ref;                        // "node:N" in the output graph
  std::shared_ptr<const ListState> list;  // set for TensorList handles
  bool poisoned = false;                  // its producer could not be lowered
};

Value TensorValue(std::string ref) { return Value{std::move(ref), nullptr, false}; }
Value ListValue(std::shared_ptr<const ListState> list) { return Value{"", std::move(list), false}; }

// Source names of one graph or function instance -> values.
struct Scope {
  const FunctionDef* fn = nullptr;  // null: the main graph
  absl::flat_hash_map<std::string, const NodeDef*> nodes;  // body nodes by name
  absl::flat_hash_map<std::string, Value> values;          // "node:N" and arg names
  absl::flat_hash_map<std::string, std::string> renamed;   // copied node -> new name
};

bool IsCallOp(const std::string& op) {
  return op == "PartitionedCall" || op == "StatefulPartitionedCall";
}

std::string Ref(const std::string& node, int index) { return absl::StrCat(node, ":", index); }

const tensorflow::AttrValue* Attr(const NodeDef& node, const std::string& name) {
  auto it = node.attr().find(name);
  return it == node.attr().end() ? nullptr : &it->second;
}

// Nodes ordered so that producers come first (Kahn over in-list inputs).
std::vector<const NodeDef*> TopoSort(const std::vector<const NodeDef*>& nodes) {
  absl::flat_hash_map<std::string, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i]->name()] = i;
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<size_t>> users(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const std::string& in : nodes[i]->input()) {
      std::string name = in[0] == '^' ? in.substr(1) : in;
      name = name.substr(0, name.find(':'));
      auto it = index.find(name);
      if (it == index.end() || it->second == i) continue;
      ++pending[i];
      users[it->second].push_back(i);
    }
  }
  std::deque<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (pending[i] == 0) ready.push_back(i);
  }
  std::vector<const NodeDef*> out;
  while (!ready.empty()) {
    const size_t i = ready.front();
    ready.pop_front();
    out.push_back(nodes[i]);
    for (size_t u : users[i]) {
      if (--pending[u] == 0) ready.push_back(u);
    }
  }
  return out;  // a cycle leaves nodes out; their users then fail to resolve
}

class Lowerer {
 public:
  Lowerer(TfGraph& graph, const ControlFlowLoweringOptions& options)
      : in_(graph),
        options_(options),
        output_args_(tensorflow::OpList(), graph.library),
        eval_([this](const std::string& name) { return FindOut(name); }) {
    for (const FunctionDef& f : graph.library.function()) lib_[f.signature().name()] = &f;
  }

  absl::StatusOr<TfGraph> Run();

 private:
  const NodeDef* FindOut(const std::string& ref) const {
    auto it = out_index_.find(SplitTensorRef(ref).first);
    return it == out_index_.end() ? nullptr : &out_[it->second];
  }
  std::string Emit(NodeDef node) {
    std::string name = node.name();
    out_index_[name] = out_.size();
    out_.push_back(std::move(node));
    return name;
  }
  std::string Where(const NodeDef& node, const std::string& prefix) const {
    return absl::StrCat(in_.source, ": node '", prefix, node.name(), "' (", node.op(), ")");
  }
  void Fail(const NodeDef& node, const std::string& prefix, const std::string& problem) {
    errors_.push_back(absl::StrCat(Where(node, prefix), ": ", problem));
  }

  absl::StatusOr<Value> Resolve(const Scope& scope, const std::string& input) const;
  void Bind(Scope& scope, const NodeDef& node, int index, Value v) {
    scope.values[Ref(node.name(), index)] = std::move(v);
  }
  void Poison(Scope& scope, const NodeDef& node, int outputs) {
    for (int i = 0; i < outputs; ++i) Bind(scope, node, i, Value{"", nullptr, /*poisoned=*/true});
  }
  absl::Status ProcessNodes(const std::vector<const NodeDef*>& nodes, Scope& scope,
                            const std::string& prefix);
  absl::Status ProcessNode(const NodeDef& node, Scope& scope, const std::string& prefix);
  absl::StatusOr<std::vector<Value>> Instantiate(const FunctionDef& fn,
                                                 const std::vector<Value>& args,
                                                 const std::string& prefix);
  absl::Status LowerWhile(const NodeDef& node, const std::vector<Value>& inputs, Scope& scope,
                          const std::string& prefix);
  void LowerListOp(const NodeDef& node, const std::vector<Value>& inputs, Scope& scope,
                   const std::string& prefix);
  // Splits a FromTensor list into elements (one Unpack per source tensor).
  bool Materialize(ListState& list, const std::string& name_hint);
  std::optional<int64_t> StaticScalar(const Value& v) {
    const StaticInfo& info = eval_.Info(v.ref);
    if (!info.ints || !info.ints->AllKnown() || info.ints->values.size() != 1) return std::nullopt;
    return info.ints->values[0];
  }
  const FunctionDef* CalledFunction(const NodeDef& node) const;

  TfGraph& in_;
  const ControlFlowLoweringOptions& options_;
  absl::flat_hash_map<std::string, const FunctionDef*> lib_;
  OpOutputArgs output_args_;  // "node:arg:i" -> "node:N" in function bodies
  std::vector<NodeDef> out_;
  absl::flat_hash_map<std::string, size_t> out_index_;
  StaticEvaluator eval_;
  absl::flat_hash_map<std::string, std::string> unpacked_;  // source ref -> Unpack node
  absl::flat_hash_set<std::string> consumed_;                // main-graph refs read
  std::vector<std::string> errors_;
  int depth_ = 0;
};

absl::StatusOr<Value> Lowerer::Resolve(const Scope& scope, const std::string& input) const {
  std::string key;
  if (scope.fn == nullptr) {
    auto [name, index] = SplitTensorRef(input);
    key = Ref(name, index);
  } else {
    std::vector<std::string> parts = absl::StrSplit(input, ':');
    if (parts.size() == 1) {
      if (auto it = scope.values.find(input); it != scope.values.end()) return it->second;
      key = Ref(input, 0);
    } else {
      int index = 0;
      if (parts.size() == 3 && !absl::SimpleAtoi(parts[2], &index)) index = -1;
      auto node = scope.nodes.find(parts[0]);
      if (node == scope.nodes.end() || index < 0) {
        return absl::InvalidArgumentError(absl::StrCat("bad function input '", input, "'"));
      }
      std::optional<int> flat =
          node->second->op() == "TensorListPopBack"  // lowered here, absent from OpDefs
              ? std::optional<int>(index + (parts[1] == "tensor" ? 1 : 0))
              : output_args_.FlatIndex(*node->second, parts[1], index);
      if (!flat) {
        return absl::InvalidArgumentError(absl::StrCat("unknown output '", input, "'"));
      }
      index = *flat;
      key = Ref(parts[0], index);
    }
  }
  if (auto it = scope.values.find(key); it != scope.values.end()) return it->second;
  auto [name, index] = SplitTensorRef(key);
  if (auto it = scope.renamed.find(name); it != scope.renamed.end()) {
    return TensorValue(Ref(it->second, index));
  }
  return absl::InvalidArgumentError(absl::StrCat("input '", input, "' has no producer"));
}

const FunctionDef* Lowerer::CalledFunction(const NodeDef& node) const {
  std::string name = node.op();
  if (IsCallOp(node.op())) {
    const tensorflow::AttrValue* f = Attr(node, "f");
    if (f == nullptr) return nullptr;
    name = f->func().name();
  }
  auto it = lib_.find(name);
  return it == lib_.end() ? nullptr : it->second;
}

absl::Status Lowerer::ProcessNodes(const std::vector<const NodeDef*>& nodes, Scope& scope,
                                   const std::string& prefix) {
  for (const NodeDef* node : TopoSort(nodes)) {
    absl::Status s = ProcessNode(*node, scope, prefix);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Lowerer::ProcessNode(const NodeDef& node, Scope& scope, const std::string& prefix) {
  std::vector<Value> inputs;
  bool poisoned = false, has_list = false;
  for (const std::string& in : node.input()) {
    if (in.empty() || in[0] == '^') continue;
    absl::StatusOr<Value> v = Resolve(scope, in);
    if (!v.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(Where(node, prefix), ": ", v.status().message()));
    }
    poisoned = poisoned || v->poisoned;
    has_list = has_list || v->list != nullptr;
    inputs.push_back(*std::move(v));
  }
  const std::string& op = node.op();
  const FunctionDef* fn = CalledFunction(node);
  const int num_outputs = fn ? fn->signature().output_arg_size() : 64;
  if (poisoned) {
    Poison(scope, node, num_outputs);
    return absl::OkStatus();
  }
  if (op == "While" || op == "StatelessWhile") return LowerWhile(node, inputs, scope, prefix);
  if (op == "If" || op == "StatelessIf" || op == "Case" || op == "StatelessCase") {
    Fail(node, prefix, "conditional control flow is not supported (expected only static loops)");
    Poison(scope, node, num_outputs);
    return absl::OkStatus();
  }
  if (op == "Identity" || op == "IdentityN" || op == "StopGradient") {
    // Forwarded, not copied: loop bodies route every loop variable (list
    // handles included) through one.
    for (size_t i = 0; i < inputs.size(); ++i) Bind(scope, node, static_cast<int>(i), inputs[i]);
    return absl::OkStatus();
  }
  if (absl::StartsWith(op, "TensorList") || op == "EmptyTensorList") {
    LowerListOp(node, inputs, scope, prefix);
    return absl::OkStatus();
  }
  if (fn != nullptr) {
    bool keep = false;
    if (scope.fn == nullptr && options_.keep_call && fn->attr().contains("api_implements")) {
      std::vector<bool> used(fn->signature().output_arg_size());
      for (size_t i = 0; i < used.size(); ++i) {
        used[i] = consumed_.contains(Ref(node.name(), static_cast<int>(i)));
      }
      keep = options_.keep_call(node, *fn, used,
                                [this](const std::string& ref) { return FindOut(ref); });
    }
    if (!keep) {
      if (++depth_ > 64) return absl::InvalidArgumentError(Where(node, prefix) + ": calls nest too deep");
      absl::StatusOr<std::vector<Value>> outs =
          Instantiate(*fn, inputs, absl::StrCat(prefix, node.name(), "/"));
      --depth_;
      if (!outs.ok()) return outs.status();
      for (size_t i = 0; i < outs->size(); ++i) Bind(scope, node, static_cast<int>(i), (*outs)[i]);
      return absl::OkStatus();
    }
  }
  if (has_list) {
    Fail(node, prefix, "reads a TensorList handle (expected only TensorList ops to)");
    Poison(scope, node, num_outputs);
    return absl::OkStatus();
  }
  NodeDef copy = node;
  copy.set_name(prefix + node.name());
  copy.clear_input();
  for (const Value& v : inputs) copy.add_input(v.ref);
  if (fn != nullptr && !IsCallOp(op)) {  // op = function name -> the call form
    copy.set_op("PartitionedCall");
    (*copy.mutable_attr())["f"].mutable_func()->set_name(op);
  }
  if (op == "ReadVariableOp" && scope.fn != nullptr) {
    // Inside function bodies variables arrive as their values (the loader
    // resolved the handles the caller passed in).
    const NodeDef* producer = FindOut(inputs.empty() ? "" : inputs[0].ref);
    if (producer == nullptr || producer->op() != "VarHandleOp") {
      copy.set_op("Identity");
      tensorflow::AttrValue dtype = copy.attr().at("dtype");
      copy.mutable_attr()->erase("dtype");
      (*copy.mutable_attr())["T"] = dtype;
    }
  }
  scope.renamed[node.name()] = Emit(std::move(copy));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Value>> Lowerer::Instantiate(const FunctionDef& fn,
                                                        const std::vector<Value>& args,
                                                        const std::string& prefix) {
  const auto& sig = fn.signature();
  if (static_cast<int>(args.size()) != sig.input_arg_size()) {
    return absl::InvalidArgumentError(absl::StrCat(in_.source, ": function '", sig.name(),
                                                   "' called with ", args.size(), " inputs (expected ",
                                                   sig.input_arg_size(), ")"));
  }
  Scope scope;
  scope.fn = &fn;
  std::vector<const NodeDef*> nodes;
  for (const NodeDef& n : fn.node_def()) {
    scope.nodes[n.name()] = &n;
    nodes.push_back(&n);
  }
  for (int i = 0; i < sig.input_arg_size(); ++i) {
    scope.values[sig.input_arg(i).name()] = args[i];
    auto attrs = fn.arg_attr().find(i);
    if (attrs == fn.arg_attr().end() || args[i].list) continue;
    auto shapes = attrs->second.attr().find("_output_shapes");
    if (shapes != attrs->second.attr().end() && shapes->second.list().shape_size() == 1 &&
        !shapes->second.list().shape(0).unknown_rank()) {
      std::vector<int64_t> dims;
      for (const auto& d : shapes->second.list().shape(0).dim()) dims.push_back(d.size());
      eval_.SetShapeHint(args[i].ref, dims);
    }
  }
  absl::Status s = ProcessNodes(nodes, scope, prefix);
  if (!s.ok()) return s;
  std::vector<Value> outs;
  for (const auto& arg : sig.output_arg()) {
    auto ret = fn.ret().find(arg.name());
    if (ret == fn.ret().end()) {
      return absl::InvalidArgumentError(absl::StrCat(in_.source, ": function '", sig.name(),
                                                     "' does not return '", arg.name(), "'"));
    }
    absl::StatusOr<Value> v = Resolve(scope, ret->second);
    if (!v.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(in_.source, ": function '", sig.name(),
                                                     "': ", v.status().message()));
    }
    outs.push_back(*std::move(v));
  }
  return outs;
}

absl::Status Lowerer::LowerWhile(const NodeDef& node, const std::vector<Value>& inputs,
                                 Scope& scope, const std::string& prefix) {
  const tensorflow::AttrValue* cond_attr = Attr(node, "cond");
  const tensorflow::AttrValue* body_attr = Attr(node, "body");
  auto cond = cond_attr ? lib_.find(cond_attr->func().name()) : lib_.end();
  auto body = body_attr ? lib_.find(body_attr->func().name()) : lib_.end();
  if (cond == lib_.end() || body == lib_.end()) {
    return absl::InvalidArgumentError(
        Where(node, prefix) + ": cond or body function missing from the library");
  }
  std::vector<Value> vars = inputs;
  const std::string base = prefix + node.name();
  for (int iter = 0;; ++iter) {
    if (iter > options_.max_iterations) {
      Fail(node, prefix, absl::StrCat("more than ", options_.max_iterations,
                                      " iterations (expected a short static loop)"));
      Poison(scope, node, static_cast<int>(inputs.size()));
      return absl::OkStatus();
    }
    absl::StatusOr<std::vector<Value>> c =
        Instantiate(*cond->second, vars, absl::StrCat(base, "/cond_", iter, "/"));
    if (!c.ok()) return c.status();
    std::optional<int64_t> go;
    if (c->size() == 1 && !(*c)[0].poisoned) go = StaticScalar((*c)[0]);
    if (!go) {
      if (c->size() != 1 || !(*c)[0].poisoned) {
        Fail(node, prefix, absl::StrCat("the loop condition of iteration ", iter,
                                        " depends on run-time values (expected a static trip "
                                        "count, e.g. a fixed sequence length)"));
      }
      Poison(scope, node, static_cast<int>(inputs.size()));
      return absl::OkStatus();
    }
    if (*go == 0) break;
    absl::StatusOr<std::vector<Value>> next =
        Instantiate(*body->second, vars, absl::StrCat(base, "/iter_", iter, "/"));
    if (!next.ok()) return next.status();
    if (next->size() != vars.size()) {
      return absl::InvalidArgumentError(Where(node, prefix) + ": body returns " +
                                        std::to_string(next->size()) + " values for " +
                                        std::to_string(vars.size()) + " loop variables");
    }
    vars = *std::move(next);
  }
  for (size_t i = 0; i < vars.size(); ++i) Bind(scope, node, static_cast<int>(i), vars[i]);
  return absl::OkStatus();
}

bool Lowerer::Materialize(ListState& list, const std::string& name_hint) {
  if (list.source.empty()) return true;
  if (list.size < 0) return false;
  std::string& unpack = unpacked_[list.source];
  if (unpack.empty()) {
    NodeDef u;
    u.set_name(name_hint + "/unstack");
    u.set_op("Unpack");
    u.add_input(list.source);
    (*u.mutable_attr())["num"].set_i(list.size);
    (*u.mutable_attr())["axis"].set_i(0);
    (*u.mutable_attr())["T"].set_type(list.dtype);
    unpack = Emit(std::move(u));
  }
  list.items.clear();
  for (int64_t i = 0; i < list.size; ++i) list.items.push_back(Ref(unpack, static_cast<int>(i)));
  list.source.clear();
  return true;
}

void Lowerer::LowerListOp(const NodeDef& node, const std::vector<Value>& in, Scope& scope,
                          const std::string& prefix) {
  const std::string& op = node.op();
  const std::string name = prefix + node.name();
  auto fail = [&](const std::string& problem) {
    Fail(node, prefix, problem);
    Poison(scope, node, 2);
  };
  auto list_in = [&](size_t i) -> std::shared_ptr<const ListState> {
    return i < in.size() ? in[i].list : nullptr;
  };
  auto index_in = [&](size_t i) -> std::optional<int64_t> {
    if (i >= in.size() || in[i].list) return std::nullopt;
    return StaticScalar(in[i]);
  };
  tensorflow::DataType dtype = tensorflow::DT_INVALID;
  if (const auto* a = Attr(node, "element_dtype")) dtype = a->type();

  if (op == "TensorListReserve" || op == "EmptyTensorList") {
    auto list = std::make_shared<ListState>();
    list->dtype = dtype;
    if (op == "TensorListReserve") {
      std::optional<int64_t> n = index_in(1);
      if (n && *n >= 0) {
        list->size = *n;
        list->items.assign(*n, "");
      }
    } else {
      list->size = 0;
    }
    Bind(scope, node, 0, ListValue(list));
    return;
  }
  if (op == "TensorListFromTensor") {
    auto list = std::make_shared<ListState>();
    list->dtype = dtype;
    list->source = in[0].ref;
    const StaticInfo& info = eval_.Info(in[0].ref);
    if (info.shape && !info.shape->empty() && (*info.shape)[0] >= 0) list->size = (*info.shape)[0];
    Bind(scope, node, 0, ListValue(list));
    return;
  }
  std::shared_ptr<const ListState> list = list_in(0);
  if (list == nullptr) return fail("its list input is not a TensorList built in this graph");
  ListState next = *list;
  if (op == "TensorListGetItem" || op == "TensorListSetItem") {
    std::optional<int64_t> index = index_in(1);
    if (!index || *index < 0) return fail("index is not static (expected a constant index)");
    if (!Materialize(next, name)) return fail("list made from a tensor of unknown length");
    if (op == "TensorListGetItem") {
      if (*index >= static_cast<int64_t>(next.items.size()) || next.items[*index].empty()) {
        return fail(absl::StrCat("reads element ", *index, ", which is never set"));
      }
      Bind(scope, node, 0, TensorValue(next.items[*index]));
      return;
    }
    if (*index >= static_cast<int64_t>(next.items.size())) {
      if (next.size >= 0 && list->source.empty()) {
        return fail(absl::StrCat("writes element ", *index, " of a list of ", next.size));
      }
      next.items.resize(*index + 1);
    }
    next.items[*index] = in[2].ref;
    Bind(scope, node, 0, ListValue(std::make_shared<ListState>(std::move(next))));
    return;
  }
  if (op == "TensorListPushBack") {
    if (!Materialize(next, name)) return fail("list made from a tensor of unknown length");
    next.items.push_back(in[1].ref);
    next.size = static_cast<int64_t>(next.items.size());
    Bind(scope, node, 0, ListValue(std::make_shared<ListState>(std::move(next))));
    return;
  }
  if (op == "TensorListPopBack") {
    if (!Materialize(next, name) || next.items.empty() || next.items.back().empty()) {
      return fail("pops from an empty or unknown list");
    }
    std::string last = next.items.back();
    next.items.pop_back();
    next.size = static_cast<int64_t>(next.items.size());
    Bind(scope, node, 0, ListValue(std::make_shared<ListState>(std::move(next))));
    Bind(scope, node, 1, TensorValue(last));
    return;
  }
  if (op == "TensorListLength") {
    const int64_t n = list->source.empty() ? static_cast<int64_t>(list->items.size()) : list->size;
    if (n < 0) return fail("length is not static");
    NodeDef c;
    c.set_name(name);
    c.set_op("Const");
    (*c.mutable_attr())["dtype"].set_type(tensorflow::DT_INT32);
    *(*c.mutable_attr())["value"].mutable_tensor() = Int32ScalarProto(static_cast<int32_t>(n));
    Bind(scope, node, 0, TensorValue(Ref(Emit(std::move(c)), 0)));
    return;
  }
  if (op == "TensorListStack") {
    if (!list->source.empty()) {  // never split or changed: the tensor itself
      Bind(scope, node, 0, TensorValue(list->source));
      return;
    }
    for (size_t i = 0; i < list->items.size(); ++i) {
      if (list->items[i].empty()) return fail(absl::StrCat("stacks element ", i, ", which is never set"));
    }
    if (list->items.empty()) return fail("stacks an empty list");
    NodeDef p;
    p.set_name(name);
    p.set_op("Pack");
    for (const std::string& item : list->items) p.add_input(item);
    (*p.mutable_attr())["N"].set_i(static_cast<int64_t>(list->items.size()));
    (*p.mutable_attr())["axis"].set_i(0);
    (*p.mutable_attr())["T"].set_type(list->dtype != tensorflow::DT_INVALID ? list->dtype : dtype);
    Bind(scope, node, 0, TensorValue(Ref(Emit(std::move(p)), 0)));
    return;
  }
  fail("TensorList op not supported (expected Reserve/FromTensor/GetItem/SetItem/Stack/"
       "PushBack/PopBack/Length)");
}

absl::StatusOr<TfGraph> Lowerer::Run() {
  bool needed = false;
  for (const NodeDef& n : in_.nodes) {
    for (const std::string& in : n.input()) {
      if (in.empty() || in[0] == '^') continue;
      auto [name, index] = SplitTensorRef(in);
      consumed_.insert(Ref(name, index));
    }
    needed = needed || n.op() == "While" || n.op() == "StatelessWhile" || n.op() == "If" ||
             n.op() == "StatelessIf" || absl::StartsWith(n.op(), "TensorList") ||
             IsCallOp(n.op()) || lib_.contains(n.op());
  }
  if (!needed) return std::move(in_);
  for (const TfSignatureTensor& t : in_.outputs) consumed_.insert(Ref(t.node, t.output_index));
  for (const TfSignatureTensor& t : in_.inputs) {
    if (!t.unknown_rank) eval_.SetShapeHint(Ref(t.node, t.output_index), t.shape);
  }
  Scope main;
  std::vector<const NodeDef*> nodes;
  for (const NodeDef& n : in_.nodes) nodes.push_back(&n);
  out_.reserve(in_.nodes.size());
  absl::Status s = ProcessNodes(nodes, main, "");
  if (!s.ok()) return s;
  if (!errors_.empty()) return absl::UnimplementedError(absl::StrJoin(errors_, "\n"));

  TfGraph result;
  result.source = in_.source;
  result.signature_name = in_.signature_name;
  result.inputs = in_.inputs;
  result.outputs = in_.outputs;
  result.constants = std::move(in_.constants);
  result.library = std::move(in_.library);
  result.producer = in_.producer;
  for (TfSignatureTensor& t : result.outputs) {
    absl::StatusOr<Value> v = Resolve(main, Ref(t.node, t.output_index));
    if (!v.ok()) return v.status();
    if (v->list) {
      return absl::UnimplementedError(absl::StrCat(in_.source, ": output '", t.key,
                                                   "' is a TensorList (expected a tensor)"));
    }
    std::tie(t.node, t.output_index) = SplitTensorRef(v->ref);
  }
  // Keep what the outputs need; cond instances and loop counters drop out.
  absl::flat_hash_set<std::string> live;
  std::vector<std::string> work;
  for (const TfSignatureTensor& t : result.outputs) work.push_back(t.node);
  for (const TfSignatureTensor& t : result.inputs) work.push_back(t.node);
  while (!work.empty()) {
    std::string name = std::move(work.back());
    work.pop_back();
    if (!live.insert(name).second) continue;
    if (const NodeDef* n = FindOut(name)) {
      for (const std::string& in : n->input()) {
        if (!in.empty() && in[0] != '^') work.push_back(SplitTensorRef(in).first);
      }
    }
  }
  for (NodeDef& n : out_) {
    if (live.contains(n.name())) result.nodes.push_back(std::move(n));
  }
  return result;
}

}  // namespace

absl::StatusOr<TfGraph> LowerControlFlow(TfGraph graph,
                                         const ControlFlowLoweringOptions& options) {
  Lowerer lowerer(graph, options);
  return lowerer.Run();
}

absl::StatusOr<TfGraph> LowerControlFlow(TfGraph graph) {
  ControlFlowLoweringOptions options;
  options.keep_call = &IsFusableKerasLstmCall;
  return LowerControlFlow(std::move(graph), options);
}

}  // namespace optconv::tf_import
