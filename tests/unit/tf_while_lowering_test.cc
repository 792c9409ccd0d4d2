// Loop lowering on hand-built TfGraphs: static trip counts unroll, TensorLists
// become Unpack/Pack, dynamic loops and If are refused with node names.
#include "importers/savedmodel/while_lowering.h"

#include <gtest/gtest.h>

#include "absl/strings/match.h"
#include "importers/savedmodel/tf_static_values.h"

namespace optconv::tf_import {
namespace {

using tensorflow::DataType;
using tensorflow::FunctionDef;
using tensorflow::NodeDef;

NodeDef Node(const std::string& name, const std::string& op, std::vector<std::string> inputs) {
  NodeDef n;
  n.set_name(name);
  n.set_op(op);
  for (auto& in : inputs) n.add_input(in);
  return n;
}

NodeDef IntConst(const std::string& name, int32_t v) {
  NodeDef n = Node(name, "Const", {});
  (*n.mutable_attr())["dtype"].set_type(tensorflow::DT_INT32);
  *(*n.mutable_attr())["value"].mutable_tensor() = Int32ScalarProto(v);
  return n;
}

NodeDef FloatConst(const std::string& name, float v) {
  NodeDef n = Node(name, "Const", {});
  (*n.mutable_attr())["dtype"].set_type(tensorflow::DT_FLOAT);
  auto* t = (*n.mutable_attr())["value"].mutable_tensor();
  t->set_dtype(tensorflow::DT_FLOAT);
  t->mutable_tensor_shape();
  t->add_float_val(v);
  return n;
}

NodeDef Placeholder(const std::string& name, DataType type, std::vector<int64_t> shape) {
  NodeDef n = Node(name, "Placeholder", {});
  (*n.mutable_attr())["dtype"].set_type(type);
  auto* s = (*n.mutable_attr())["shape"].mutable_shape();
  for (int64_t d : shape) s->add_dim()->set_size(d);
  return n;
}

void SetFunc(NodeDef& n, const std::string& attr, const std::string& fn) {
  (*n.mutable_attr())[attr].mutable_func()->set_name(fn);
}

void SetType(NodeDef& n, const std::string& attr, DataType t) {
  (*n.mutable_attr())[attr].set_type(t);
}

FunctionDef Function(const std::string& name, std::vector<std::pair<std::string, DataType>> args,
                     std::vector<std::pair<std::string, std::string>> rets,
                     std::vector<NodeDef> body) {
  FunctionDef f;
  f.mutable_signature()->set_name(name);
  for (auto& [arg, type] : args) {
    auto* a = f.mutable_signature()->add_input_arg();
    a->set_name(arg);
    a->set_type(type);
  }
  for (auto& [ret, src] : rets) {
    f.mutable_signature()->add_output_arg()->set_name(ret);
    (*f.mutable_ret())[ret] = src;
  }
  for (auto& n : body) *f.add_node_def() = n;
  return f;
}

TfSignatureTensor Sig(const std::string& key, const std::string& node, std::vector<int64_t> shape) {
  TfSignatureTensor t;
  t.key = key;
  t.node = node;
  t.dtype = tensorflow::DT_FLOAT;
  t.shape = std::move(shape);
  return t;
}

int Count(const TfGraph& g, const std::string& op) {
  int n = 0;
  for (const NodeDef& node : g.nodes) n += node.op() == op;
  return n;
}

const NodeDef* Find(const TfGraph& g, const std::string& name) {
  for (const NodeDef& node : g.nodes) {
    if (node.name() == name) return &node;
  }
  return nullptr;
}

// cond(i, limit, acc): i < limit, with limit a loop variable (the Keras form).
FunctionDef LessCond(const std::string& name) {
  return Function(name,
                  {{"i", tensorflow::DT_INT32}, {"limit", tensorflow::DT_INT32},
                   {"acc", tensorflow::DT_FLOAT}},
                  {{"ok", "less:z:0"}}, {Node("less", "Less", {"i", "limit"})});
}

// acc <- acc * 2, i <- i + 1, three times: three Muls chained, no While left.
TEST(TfWhileLowering, UnrollsStaticCounterLoop) {
  TfGraph g;
  g.source = "m";
  g.nodes = {Placeholder("x", tensorflow::DT_FLOAT, {2, 3}), IntConst("zero", 0),
             IntConst("three", 3), Node("loop", "StatelessWhile", {"zero", "three", "x"}),
             Node("out", "Identity", {"loop:2"})};
  SetFunc(g.nodes[3], "cond", "cond");
  SetFunc(g.nodes[3], "body", "body");
  g.inputs = {Sig("x", "x", {2, 3})};
  g.outputs = {Sig("y", "out", {2, 3})};
  *g.library.add_function() = LessCond("cond");
  *g.library.add_function() = Function(
      "body",
      {{"i", tensorflow::DT_INT32}, {"limit", tensorflow::DT_INT32}, {"acc", tensorflow::DT_FLOAT}},
      {{"i_next", "inc:z:0"}, {"limit_out", "limit"}, {"acc_next", "twice:z:0"}},
      {IntConst("one", 1), Node("inc", "AddV2", {"i", "one:output:0"}), FloatConst("two", 2.0f),
       Node("twice", "Mul", {"acc", "two:output:0"})});
  absl::StatusOr<TfGraph> lowered = LowerControlFlow(g, {});
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  EXPECT_EQ(Count(*lowered, "StatelessWhile"), 0);
  EXPECT_EQ(Count(*lowered, "Mul"), 3);
  EXPECT_EQ(Count(*lowered, "Less"), 0);  // conditions are evaluated, not emitted
  // The chain: x -> iter_0 -> iter_1 -> iter_2; the Identity "out" is
  // forwarded, so the signature output names iter_2's Mul.
  const NodeDef* last = Find(*lowered, "loop/iter_2/twice");
  ASSERT_NE(last, nullptr);
  EXPECT_EQ(last->input(0), "loop/iter_1/twice:0");
  ASSERT_NE(Find(*lowered, "loop/iter_0/twice"), nullptr);
  EXPECT_EQ(Find(*lowered, "loop/iter_0/twice")->input(0), "x:0");
  EXPECT_EQ(Find(*lowered, "out"), nullptr);
  ASSERT_EQ(lowered->outputs.size(), 1u);
  EXPECT_EQ(lowered->outputs[0].node, "loop/iter_2/twice");
  EXPECT_EQ(lowered->outputs[0].output_index, 0);
}

// The Keras loop shape: elements read from a TensorListFromTensor, written to
// a TensorListReserve, stacked after the loop; the limit comes from Shape().
TEST(TfWhileLowering, TensorListsBecomeUnpackAndPack) {
  TfGraph g;
  g.source = "m";
  g.nodes = {Placeholder("x", tensorflow::DT_FLOAT, {4, -1, 2}),
             Node("shape", "Shape", {"x"}),
             IntConst("b", 0),
             IntConst("e", 1),
             IntConst("s", 1),
             Node("steps", "StridedSlice", {"shape", "b", "e", "s"}),
             IntConst("elem_shape", -1),
             Node("reserve", "TensorListReserve", {"elem_shape", "steps"}),
             Node("from", "TensorListFromTensor", {"x", "elem_shape"}),
             IntConst("zero", 0),
             Node("loop", "While", {"zero", "steps", "reserve", "from"}),
             Node("stack", "TensorListStack", {"loop:2", "elem_shape"})};
  // Shape/StridedSlice consts must be 1-D for StridedSlice: [0], [1], [1].
  for (const char* name : {"b", "e", "s"}) {
    for (NodeDef& n : g.nodes) {
      if (n.name() == name) {
        auto* t = (*n.mutable_attr())["value"].mutable_tensor();
        t->mutable_tensor_shape()->add_dim()->set_size(1);
      }
    }
  }
  (*g.nodes[5].mutable_attr())["shrink_axis_mask"].set_i(1);
  for (NodeDef& n : g.nodes) {
    if (absl::StartsWith(n.op(), "TensorList")) SetType(n, "element_dtype", tensorflow::DT_FLOAT);
  }
  SetFunc(g.nodes[10], "cond", "cond");
  SetFunc(g.nodes[10], "body", "body");
  g.inputs = {Sig("x", "x", {4, -1, 2})};
  g.outputs = {Sig("y", "stack", {4, -1, 2})};
  *g.library.add_function() = Function(
      "cond",
      {{"i", tensorflow::DT_INT32}, {"n", tensorflow::DT_INT32}, {"out", tensorflow::DT_VARIANT},
       {"in", tensorflow::DT_VARIANT}},
      {{"ok", "less:z:0"}}, {Node("less", "Less", {"i", "n"})});
  NodeDef get = Node("get", "TensorListGetItem", {"in", "i", "es:output:0"});
  NodeDef set = Node("set", "TensorListSetItem", {"out", "i", "act:y:0"});
  SetType(get, "element_dtype", tensorflow::DT_FLOAT);
  SetType(set, "element_dtype", tensorflow::DT_FLOAT);
  *g.library.add_function() = Function(
      "body",
      {{"i", tensorflow::DT_INT32}, {"n", tensorflow::DT_INT32}, {"out", tensorflow::DT_VARIANT},
       {"in", tensorflow::DT_VARIANT}},
      {{"i_next", "inc:z:0"}, {"n_out", "n"}, {"out_next", "set:output_handle:0"},
       {"in_out", "in"}},
      {IntConst("es", -1), get, Node("act", "Tanh", {"get:item:0"}), set, IntConst("one", 1),
       Node("inc", "AddV2", {"i", "one:output:0"})});
  absl::StatusOr<TfGraph> lowered = LowerControlFlow(g, {});
  ASSERT_TRUE(lowered.ok()) << lowered.status();
  EXPECT_EQ(Count(*lowered, "While"), 0);
  EXPECT_EQ(Count(*lowered, "Unpack"), 1);
  EXPECT_EQ(Count(*lowered, "Tanh"), 4);
  ASSERT_EQ(Count(*lowered, "Pack"), 1);
  for (const NodeDef& n : lowered->nodes) EXPECT_FALSE(absl::StartsWith(n.op(), "TensorList"));
  const NodeDef* stack = Find(*lowered, "stack");
  ASSERT_NE(stack, nullptr);
  ASSERT_EQ(stack->input_size(), 4);
  EXPECT_EQ(stack->input(3), "loop/iter_3/act:0");
  EXPECT_EQ(Find(*lowered, "loop/iter_3/act")->input(0), "loop/iter_0/get/unstack:3");
  EXPECT_EQ(lowered->outputs[0].node, "stack");
}

TEST(TfWhileLowering, RefusesRunTimeTripCountNamingTheLoop) {
  TfGraph g;
  g.source = "m.pb";
  g.nodes = {Placeholder("x", tensorflow::DT_FLOAT, {2}),
             Placeholder("n", tensorflow::DT_INT32, {}), IntConst("zero", 0),
             Node("loop", "While", {"zero", "n", "x"}), Node("out", "Identity", {"loop:2"})};
  SetFunc(g.nodes[3], "cond", "cond");
  SetFunc(g.nodes[3], "body", "body");
  g.inputs = {Sig("x", "x", {2})};
  g.outputs = {Sig("y", "out", {2})};
  *g.library.add_function() = LessCond("cond");
  *g.library.add_function() = Function(
      "body",
      {{"i", tensorflow::DT_INT32}, {"limit", tensorflow::DT_INT32}, {"acc", tensorflow::DT_FLOAT}},
      {{"a", "i"}, {"b", "limit"}, {"c", "acc"}}, {});
  absl::StatusOr<TfGraph> lowered = LowerControlFlow(g, {});
  ASSERT_FALSE(lowered.ok());
  EXPECT_EQ(lowered.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(absl::StrContains(lowered.status().message(), "m.pb: node 'loop' (While)"))
      << lowered.status();
  EXPECT_TRUE(absl::StrContains(lowered.status().message(), "run-time")) << lowered.status();
}

TEST(TfWhileLowering, RefusesIfAndListsEveryProblem) {
  TfGraph g;
  g.source = "m.pb";
  g.nodes = {Placeholder("x", tensorflow::DT_FLOAT, {2}), Placeholder("p", tensorflow::DT_BOOL, {}),
             Node("cond_a", "StatelessIf", {"p", "x"}), Node("cond_b", "If", {"p", "x"}),
             Node("sum", "AddV2", {"cond_a", "cond_b"})};
  g.inputs = {Sig("x", "x", {2})};
  g.outputs = {Sig("y", "sum", {2})};
  absl::StatusOr<TfGraph> lowered = LowerControlFlow(g, {});
  ASSERT_FALSE(lowered.ok());
  EXPECT_EQ(lowered.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(absl::StrContains(lowered.status().message(), "node 'cond_a' (StatelessIf)"));
  EXPECT_TRUE(absl::StrContains(lowered.status().message(), "node 'cond_b' (If)"));
}

// Keras api_implements calls stay calls when the predicate says a fused
// converter takes them, and are inlined otherwise.
TEST(TfWhileLowering, KeepsOrInlinesApiImplementsCalls) {
  TfGraph g;
  g.source = "m";
  g.nodes = {Placeholder("x", tensorflow::DT_FLOAT, {2}), Node("call", "PartitionedCall", {"x"}),
             Node("out", "Identity", {"call:0"})};
  SetFunc(g.nodes[1], "f", "rnn");
  g.inputs = {Sig("x", "x", {2})};
  g.outputs = {Sig("y", "out", {2})};
  FunctionDef fn = Function("rnn", {{"v", tensorflow::DT_FLOAT}}, {{"r", "t:y:0"}, {"unused", "v"}},
                            {Node("t", "Tanh", {"v"})});
  (*fn.mutable_attr())["api_implements"].set_s("lstm_1234");
  *g.library.add_function() = fn;

  ControlFlowLoweringOptions keep;
  std::vector<bool> seen_used;
  keep.keep_call = [&](const NodeDef& call, const FunctionDef& f, const std::vector<bool>& used,
                       const TfNodeLookup&) {
    seen_used = used;
    return call.name() == "call" && f.signature().name() == "rnn";
  };
  absl::StatusOr<TfGraph> kept = LowerControlFlow(g, keep);
  ASSERT_TRUE(kept.ok()) << kept.status();
  EXPECT_EQ(Count(*kept, "PartitionedCall"), 1);
  EXPECT_EQ(Count(*kept, "Tanh"), 0);
  EXPECT_EQ(seen_used, (std::vector<bool>{true, false}));

  absl::StatusOr<TfGraph> inlined = LowerControlFlow(g, {});
  ASSERT_TRUE(inlined.ok()) << inlined.status();
  EXPECT_EQ(Count(*inlined, "PartitionedCall"), 0);
  ASSERT_EQ(Count(*inlined, "Tanh"), 1);
  ASSERT_EQ(inlined->outputs.size(), 1u);  // through the forwarded Identity
  EXPECT_EQ(inlined->outputs[0].node, "call/t");
}

TEST(TfStaticValues, FoldsShapeSlicesWithUnknownDims) {
  std::vector<NodeDef> nodes = {Placeholder("x", tensorflow::DT_FLOAT, {-1, 20, 16}),
                                Node("shape", "Shape", {"x"})};
  StaticEvaluator eval([&](const std::string& name) -> const NodeDef* {
    for (const NodeDef& n : nodes) {
      if (n.name() == name) return &n;
    }
    return nullptr;
  });
  const StaticInfo& info = eval.Info("shape");
  ASSERT_TRUE(info.ints.has_value());
  EXPECT_FALSE(info.ints->AllKnown());
  EXPECT_EQ(info.ints->values[1], 20);
  EXPECT_EQ(info.ints->values[0], StaticInts::kUnknown);
}

}  // namespace
}  // namespace optconv::tf_import
