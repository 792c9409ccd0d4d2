#pragma once
// Helpers for the pass tests: a small graph builder (shapes from shape
// inference) and a reference run of a whole graph on top of EvaluateOp, so a
// pass can be checked for numerical equivalence before/after.
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "converter/graph.h"
#include "converter/shape_inference.h"
#include "converter/verifier.h"
#include "gtest/gtest.h"
#include "passes/pass.h"
#include "passes/pass_util.h"
#include "runtime/evaluate.h"

namespace optconv::passes_test {

inline std::vector<float> RandomValues(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = dist(rng);
  return v;
}

inline int64_t Count(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) n *= d;
  return n;
}

class GraphBuilder {
 public:
  Graph& graph() { return g_; }

  TensorId Input(const std::string& name, const Shape& shape) {
    TensorId t = g_.AddActivation(name, DataType::kFloat32, shape);
    g_.inputs().push_back(t);
    return t;
  }
  TensorId Const(const Shape& shape, const std::vector<float>& values) {
    return g_.AddConstantValues<float>(Name("c"), DataType::kFloat32, shape, values);
  }
  TensorId RandomConst(const Shape& shape, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    return Const(shape, RandomValues(static_cast<size_t>(Count(shape)), seed, lo, hi));
  }
  TensorId Ints(const Shape& shape, const std::vector<int32_t>& values) {
    return g_.AddConstantValues<int32_t>(Name("i"), DataType::kInt32, shape, values);
  }
  TensorId Ints(const std::vector<int32_t>& values) {
    return Ints(Shape{static_cast<int64_t>(values.size())}, values);
  }
  std::vector<TensorId> OpN(OpKind kind, std::vector<TensorId> inputs, OpOptions options,
                            int outputs) {
    Op op;
    op.kind = kind;
    op.inputs = std::move(inputs);
    op.options = std::move(options);
    op.origin = {Name("node"), std::string(OpKindName(kind))};
    DataType type = op.inputs.empty() || op.inputs[0] < 0 ? DataType::kFloat32
                                                           : g_.tensor(op.inputs[0]).type;
    if (kind == OpKind::kSplit) type = g_.tensor(op.inputs[1]).type;
    for (int i = 0; i < outputs; ++i) op.outputs.push_back(g_.AddActivation(Name("t"), type, {}));
    absl::Status s = InferAndSetOutputShapes(g_, op);
    EXPECT_TRUE(s.ok()) << s;
    std::vector<TensorId> outs = op.outputs;
    g_.AddOp(std::move(op));
    return outs;
  }
  TensorId Op1(OpKind kind, std::vector<TensorId> inputs) {
    return OpN(kind, std::move(inputs), DefaultOptions(kind), 1)[0];
  }
  TensorId Op1(OpKind kind, std::vector<TensorId> inputs, OpOptions options) {
    return OpN(kind, std::move(inputs), std::move(options), 1)[0];
  }
  TensorId Transpose(TensorId x, const std::vector<int32_t>& perm) {
    return Op1(OpKind::kTranspose, {x, Ints(perm)});
  }
  TensorId ToNhwc(TensorId x) { return Transpose(x, {0, 2, 3, 1}); }
  TensorId ToNchw(TensorId x) { return Transpose(x, {0, 3, 1, 2}); }
  /// CONV_2D with random weights, 'same' padding, NHWC in/out.
  TensorId Conv(TensorId x, int64_t cout, int k, uint32_t seed, bool bias = true) {
    const int64_t cin = g_.tensor(x).shape.back();
    TensorId w = RandomConst({cout, k, k, cin}, seed);
    TensorId b = bias ? RandomConst({cout}, seed + 1) : kNoTensor;
    Conv2DOptions o;
    o.padding = Padding::kSame;
    return Op1(OpKind::kConv2D, {x, w, b}, o);
  }
  /// The importer's form of a channels-first conv: T -> CONV_2D -> T.
  TensorId NchwConv(TensorId x, int64_t cout, int k, uint32_t seed) {
    return ToNchw(Conv(ToNhwc(x), cout, k, seed));
  }
  void Output(TensorId t) { g_.outputs().push_back(t); }

 private:
  std::string Name(const std::string& base) { return base + std::to_string(counter_++); }
  Graph g_;
  int counter_ = 0;
};

/// Runs `graph` on float inputs with the reference kernels; returns the outputs.
inline std::vector<std::vector<float>> RunGraph(const Graph& graph,
                                                const std::vector<std::vector<float>>& inputs) {
  Graph g = graph;
  EXPECT_EQ(inputs.size(), g.inputs().size());
  for (size_t i = 0; i < inputs.size() && i < g.inputs().size(); ++i) {
    g.tensor(g.inputs()[i]).data = Buffer::FromValues<float>(inputs[i]);
  }
  for (const Op& op : g.ops()) {
    auto result = EvaluateOp(g, op);
    EXPECT_TRUE(result.ok()) << result.status();
    if (!result.ok()) return {};
    for (size_t k = 0; k < op.outputs.size(); ++k) g.tensor(op.outputs[k]).data = (*result)[k];
  }
  std::vector<std::vector<float>> outs;
  for (TensorId t : g.outputs()) outs.push_back(g.tensor(t).data->AsVector<float>());
  return outs;
}

/// A copy of `graph` whose inputs take the given concrete shapes, every op's
/// output shapes inferred again: how a graph with unknown dims is run.
inline Graph BindInputShapes(const Graph& graph, const std::vector<Shape>& shapes) {
  Graph g = graph;
  EXPECT_EQ(shapes.size(), g.inputs().size());
  for (size_t i = 0; i < shapes.size() && i < g.inputs().size(); ++i) {
    g.tensor(g.inputs()[i]).shape = shapes[i];
  }
  for (const Op& op : g.ops()) {
    absl::Status s = InferAndSetOutputShapes(g, op);
    EXPECT_TRUE(s.ok()) << s;
  }
  return g;
}

/// Random inputs matching the graph's input shapes.
inline std::vector<std::vector<float>> RandomInputs(const Graph& g, uint32_t seed = 7) {
  std::vector<std::vector<float>> in;
  for (TensorId t : g.inputs()) in.push_back(RandomValues(static_cast<size_t>(Count(g.tensor(t).shape)), seed++));
  return in;
}

/// Row-major transpose of float data.
inline std::vector<float> TransposeValues(const std::vector<float>& v, const Shape& shape,
                                          const Perm& perm) {
  return TransposeBytes(*Buffer::FromValues<float>(v), shape, sizeof(float), perm)->AsVector<float>();
}

inline int CountKind(const Graph& g, OpKind kind) {
  int n = 0;
  for (const Op& op : g.ops()) n += op.kind == kind;
  return n;
}

inline void ExpectAllNear(const std::vector<float>& a, const std::vector<float>& b,
                          float tol = 1e-4f) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_NEAR(a[i], b[i], tol * (1.0f + std::fabs(a[i]))) << "at " << i;
  }
}

inline void ExpectValid(const Graph& g) {
  absl::Status s = VerifyGraph(g);
  EXPECT_TRUE(s.ok()) << s;
}

/// How RunAndCompare feeds and judges the graph.
struct CompareOptions {
  float tolerance = 1e-5f;
  float lo = -1.0f, hi = 1.0f;  // inputs are uniform in [lo, hi]
  int max_rounds = 4;           // the passes repeat until nothing changes
  /// For graphs with unknown dims: each entry gives every input a concrete
  /// shape, and before/after are compared at each. Empty: the graph's shapes.
  std::vector<std::vector<Shape>> bindings;
};

/// Runs `passes` in order, repeating until none changes the graph, on a copy
/// of `b`'s graph; checks the verifier after each, the "changed" result, and
/// that the outputs before and after agree on random inputs. Leaves the
/// rewritten graph in `b` and returns the pass counters.
inline PassContext RunAndCompare(GraphBuilder& b, std::vector<Pass*> passes, bool expect_change,
                                 const CompareOptions& options = {}) {
  Graph before = b.graph();
  Graph g = b.graph();
  PassContext ctx;
  bool any = false;
  for (int round = 0; round < options.max_rounds; ++round) {
    bool changed = false;
    for (Pass* pass : passes) {
      auto r = pass->Run(g, ctx);
      EXPECT_TRUE(r.ok()) << r.status();
      if (!r.ok()) return ctx;
      ExpectValid(g);
      changed |= *r;
    }
    any |= changed;
    if (!changed) break;
  }
  EXPECT_EQ(any, expect_change);
  std::vector<std::vector<Shape>> bindings = options.bindings;
  if (bindings.empty()) {
    bindings.emplace_back();
    for (TensorId t : before.inputs()) bindings.back().push_back(before.tensor(t).shape);
  }
  for (const std::vector<Shape>& shapes : bindings) {
    SCOPED_TRACE(::testing::Message() << "binding " << (&shapes - bindings.data()));
    const Graph bound_before = BindInputShapes(before, shapes);
    const Graph bound_after = BindInputShapes(g, shapes);
    auto in = RandomInputs(bound_before);
    for (auto& v : in) {
      for (float& x : v) x = options.lo + (x + 1.0f) * 0.5f * (options.hi - options.lo);
    }
    auto want = RunGraph(bound_before, in), got = RunGraph(bound_after, in);
    EXPECT_EQ(want.size(), got.size());
    for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
      ExpectAllNear(want[i], got[i], options.tolerance);
    }
  }
  b.graph() = std::move(g);
  return ctx;
}

}  // namespace optconv::passes_test
