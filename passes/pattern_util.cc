#include "passes/pattern_util.h"

#include <cmath>

#include "passes/pass_util.h"

namespace optconv {
namespace {

constexpr int kMaxDepth = 8;  // products in real formulas have 2-4 factors

void Collect(const RewriteState& s, TensorId t, int depth, Product& p);

// Reads op `i` (MUL/DIV/POW/SQUARE) into `p`; false when it is not a product op.
bool CollectOp(const RewriteState& s, int i, int depth, Product& p) {
  const Graph& g = s.graph();
  const Op& op = g.ops()[static_cast<size_t>(i)];
  if (depth >= kMaxDepth || !HasNoActivation(op)) return false;
  switch (op.kind) {
    case OpKind::kMul:
      if (op.inputs.size() != 2) return false;
      p.ops.push_back(i);
      Collect(s, op.inputs[0], depth + 1, p);
      Collect(s, op.inputs[1], depth + 1, p);
      return true;
    case OpKind::kDiv: {
      auto d = op.inputs.size() == 2 ? ScalarConst(g, op.inputs[1]) : std::nullopt;
      if (!d || *d == 0.0) return false;
      p.ops.push_back(i);
      p.scale /= *d;
      Collect(s, op.inputs[0], depth + 1, p);
      return true;
    }
    case OpKind::kPow: {
      auto e = op.inputs.size() == 2 ? ScalarConst(g, op.inputs[1]) : std::nullopt;
      if (!e || (*e != 2.0 && *e != 3.0)) return false;
      p.ops.push_back(i);
      for (int k = 0; k < static_cast<int>(*e); ++k) Collect(s, op.inputs[0], depth + 1, p);
      return true;
    }
    case OpKind::kSquare:
      p.ops.push_back(i);
      Collect(s, op.inputs[0], depth + 1, p);
      Collect(s, op.inputs[0], depth + 1, p);
      return true;
    default:
      return false;
  }
}

void Collect(const RewriteState& s, TensorId t, int depth, Product& p) {
  if (auto c = ScalarConst(s.graph(), t)) {
    p.scale *= *c;
    return;
  }
  const int producer = s.Producer(t);
  if (producer >= 0 && s.HasSingleUse(t) && CollectOp(s, producer, depth, p)) return;
  p.factors.push_back(t);
}

}  // namespace

bool Near(double a, double b, double rel_tol) { return std::fabs(a - b) <= rel_tol * std::fabs(b); }

std::optional<double> ScalarConst(const Graph& g, TensorId t) {
  auto values = ConstFloats(g, t);
  if (!values || values->size() != 1) return std::nullopt;
  return (*values)[0];
}

bool IsScalarConstNear(const Graph& g, TensorId t, double value, double rel_tol) {
  auto v = ScalarConst(g, t);
  return v && (value == 0.0 ? *v == 0.0 : Near(*v, value, rel_tol));
}

const Op* SingleUseProducer(const RewriteState& s, TensorId t, OpKind kind) {
  const int p = s.Producer(t);
  if (p < 0 || !s.HasSingleUse(t)) return nullptr;
  const Op& op = s.graph().ops()[static_cast<size_t>(p)];
  return op.kind == kind ? &op : nullptr;
}

bool HasNoActivation(const Op& op) {
  Op copy = op;
  const Activation* act = FusedActivation(copy);
  return act == nullptr || *act == Activation::kNone;
}

Product CollectProduct(const RewriteState& s, TensorId t) {
  Product p;
  Collect(s, t, 0, p);
  return p;
}

Product CollectProductOfOp(const RewriteState& s, int op_index) {
  Product p;
  if (!CollectOp(s, op_index, 0, p)) {
    p.factors = s.graph().ops()[static_cast<size_t>(op_index)].outputs;
    p.ops.clear();
  }
  return p;
}

}  // namespace optconv
