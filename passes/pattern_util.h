#pragma once
// Algebraic matching helpers for the pattern fusions (GELU, normalisations,
// simple compound ops): single-use producers, scalar constants, and products
// of elementwise factors seen through any association/commutation of MULs.
#include <optional>
#include <vector>

#include "passes/rewrite_driver.h"

namespace optconv {

/// |a - b| <= rel_tol * |b|.
bool Near(double a, double b, double rel_tol);
/// The value of a float32 constant with exactly one element.
std::optional<double> ScalarConst(const Graph& graph, TensorId t);
/// True when `t` is a one-element f32 constant within rel_tol of `value`.
bool IsScalarConstNear(const Graph& graph, TensorId t, double value, double rel_tol = 1e-6);
/// The live op of `kind` producing `t` when `t` has no other use, else nullptr.
const Op* SingleUseProducer(const RewriteState& s, TensorId t, OpKind kind);
/// True when the op carries no fused activation (or cannot carry one).
bool HasNoActivation(const Op& op);

/// A product scale * factors[0] * factors[1] * ...; `ops` are the single-use
/// MUL/DIV/POW/SQUARE ops it was read through (to erase on a rewrite).
struct Product {
  double scale = 1.0;
  std::vector<TensorId> factors;
  std::vector<int> ops;
};
/// Reads `t` as a product: descends into single-use MULs (no activation),
/// DIVs by a one-element constant, POW by a constant 2 or 3 and SQUARE;
/// one-element f32 constants go into `scale`. A tensor that is none of these is
/// one factor (so a plain tensor is the product 1 * t).
Product CollectProduct(const RewriteState& s, TensorId t);
/// The same, starting at op `op_index` (MUL or DIV) whatever its output's uses.
Product CollectProductOfOp(const RewriteState& s, int op_index);

}  // namespace optconv
