#pragma once
// Shared matching for the fusion passes: a MUL/DIV/ADD/SUB by a constant that
// follows a weighted op (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED,
// TRANSPOSE_CONV) and can be folded into its weights or bias.
#include <optional>
#include <vector>

#include "passes/rewrite_driver.h"

namespace optconv {

/// A binary op `binary` whose activation operand comes from a weighted op that
/// can absorb it.
struct AffineMatch {
  int producer = -1;            // the weighted op
  int const_slot = -1;          // slot of the constant operand in the binary op
  std::vector<float> values;    // the constant expanded to one value per output channel
};

/// Matches `binary_op` (MUL/DIV/ADD/SUB) against its producer. Requirements:
/// the producer is a weighted op with float32 constant weights (and bias, if
/// present), no fused activation, and its output is used only by `binary_op`;
/// the other operand is a float32 constant that is a scalar or varies only
/// along the last (channel) axis; nothing is quantized. For SUB and DIV only
/// the second operand may be the constant.
std::optional<AffineMatch> MatchAffineAfterWeightedOp(const RewriteState& state, int binary_op);

/// True for a float32, unquantized constant (false for kNoTensor).
bool IsFloatConst(const Graph& graph, TensorId t);

/// Slot of the weights and bias inputs of a weighted op.
int WeightsSlot(OpKind kind);
int BiasSlot(OpKind kind);

/// Gives float operand `slot` of `op` new `values` (same shape): in place
/// when only this op reads the constant, else as a new constant named after
/// the old one plus `suffix`.
void SetConstantOperand(RewriteState& state, Op& op, size_t slot, const std::string& suffix,
                        std::vector<float> values);

/// Multiplies output channel c of the weights (and bias) of `op` by scale[c].
/// A constant only `op` reads gets the new values in place, so the old data
/// is freed at once rather than at the end of the sweep (a model's weights
/// would otherwise exist twice); a shared one is replaced by a new constant.
/// The scale is double so that a division folded as 1 / v rounds once, like w / v.
void ScaleWeightedOp(RewriteState& state, Op& op, const std::vector<double>& scale);
/// Adds shift[c] to the bias of `op`, creating a bias when absent; in place
/// like ScaleWeightedOp.
void ShiftWeightedOpBias(RewriteState& state, Op& op, const std::vector<float>& shift);

/// Makes the producer write the binary op's output (carrying over the binary
/// op's fused activation) and erases the binary op.
void AbsorbBinaryOp(RewriteState& state, int binary_op, int producer);

}  // namespace optconv
