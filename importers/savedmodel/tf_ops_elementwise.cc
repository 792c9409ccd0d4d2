// Broadcasting binary arithmetic, comparisons, logic and Select. Integer
// arithmetic on values known at import time (shape computations) is tracked
// so that later Reshape/Fill operands fold to constants.
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "importers/savedmodel/tf_op_families.h"
#include "importers/savedmodel/tf_ops_util.h"

namespace optconv::tf_import {
namespace {

using IntFn = std::function<std::optional<int64_t>(int64_t, int64_t)>;

int64_t FloorDivInt(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

/// Known elements of `a op b` for same-size or scalar-broadcast operands.
void RecordKnownBinary(TfContext& ctx, TensorId a, TensorId b, TensorId out, const IntFn& fn) {
  if (!IsIntType(ctx.type(out))) return;
  auto ka = ctx.KnownInts(a), kb = ctx.KnownInts(b);
  if (!ka || !kb) return;
  const size_t n = std::max(ka->size(), kb->size());
  if ((ka->size() != n && ka->size() != 1) || (kb->size() != n && kb->size() != 1)) return;
  PartialInts values(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& x = (*ka)[ka->size() == 1 ? 0 : i];
    const auto& y = (*kb)[kb->size() == 1 ? 0 : i];
    if (x && y) values[i] = fn(*x, *y);
  }
  ctx.RecordKnownInts(out, std::move(values));
}

absl::StatusOr<std::pair<TensorId, TensorId>> Operands(TfContext& ctx,
                                                       const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId a, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId b, ctx.Input(node, 1));
  return std::pair<TensorId, TensorId>{a, b};
}

template <OpKind kKind>
absl::Status Arithmetic(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(auto ab, Operands(ctx, node));
  OpOptions options = NoOptions{};
  if constexpr (kKind == OpKind::kAdd || kKind == OpKind::kSub || kKind == OpKind::kMul ||
                kKind == OpKind::kDiv) {
    options = BinaryOptions{};
  }
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, kKind, {ab.first, ab.second}, options,
                                           ctx.type(ab.first)));
  IntFn fn;
  if constexpr (kKind == OpKind::kAdd) fn = [](int64_t x, int64_t y) { return x + y; };
  if constexpr (kKind == OpKind::kSub) fn = [](int64_t x, int64_t y) { return x - y; };
  if constexpr (kKind == OpKind::kMul) fn = [](int64_t x, int64_t y) { return x * y; };
  if constexpr (kKind == OpKind::kMaximum) fn = [](int64_t x, int64_t y) { return std::max(x, y); };
  if constexpr (kKind == OpKind::kMinimum) fn = [](int64_t x, int64_t y) { return std::min(x, y); };
  if (fn) RecordKnownBinary(ctx, ab.first, ab.second, y, fn);
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

/// Float: floor(a / b). Integers: only values known at import time.
absl::Status FloorDiv(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(auto ab, Operands(ctx, node));
  const DataType type = ctx.type(ab.first);
  if (IsIntType(type)) {
    auto ka = ctx.KnownInts(ab.first), kb = ctx.KnownInts(ab.second);
    PartialInts values;
    if (ka && kb && (ka->size() == kb->size() || kb->size() == 1) && ctx.IsConstant(ab.second)) {
      for (size_t i = 0; i < ka->size(); ++i) {
        const auto& y = (*kb)[kb->size() == 1 ? 0 : i];
        if (!(*ka)[i] || !y || *y == 0) return ctx.Unsupported(node, "integer FloorDiv of run-time values");
        values.push_back(FloorDivInt(*(*ka)[i], *y));
      }
      std::optional<TensorId> c = ctx.AddConstFromKnown(node.name(), values, type, ctx.shape(ab.first));
      if (c) {
        ctx.SetOutput(node, 0, *c);
        return absl::OkStatus();
      }
    }
    return ctx.Unsupported(node, "integer FloorDiv of run-time values", "float operands");
  }
  TF_ASSIGN_OR_RETURN(TensorId q, ctx.Emit(node, OpKind::kDiv, {ab.first, ab.second},
                                           BinaryOptions{}, type));
  return ctx.EmitAndBind(node, OpKind::kFloor, {q});
}

/// Float: a - floor(a / b) * b.
absl::Status FloorMod(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(auto ab, Operands(ctx, node));
  const DataType type = ctx.type(ab.first);
  if (IsIntType(type)) {
    return ctx.Unsupported(node, "integer FloorMod", "float operands");
  }
  TF_ASSIGN_OR_RETURN(TensorId q, ctx.Emit(node, OpKind::kDiv, {ab.first, ab.second},
                                           BinaryOptions{}, type));
  TF_ASSIGN_OR_RETURN(TensorId f, ctx.Emit(node, OpKind::kFloor, {q}, NoOptions{}, type));
  TF_ASSIGN_OR_RETURN(TensorId m, ctx.Emit(node, OpKind::kMul, {f, ab.second}, BinaryOptions{}, type));
  return ctx.EmitAndBind(node, OpKind::kSub, {ab.first, m}, BinaryOptions{});
}

template <OpKind kKind>
absl::Status Compare(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(auto ab, Operands(ctx, node));
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, kKind, {ab.first, ab.second}, NoOptions{},
                                           DataType::kBool));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

absl::Status LogicalNot(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, 0));
  return ctx.EmitAndBind(node, OpKind::kLogicalNot, {x});
}

/// AddN: a chain of ADDs.
absl::Status AddN(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId sum, ctx.Input(node, 0));
  for (int i = 1; i < node.input_size(); ++i) {
    TF_ASSIGN_OR_RETURN(TensorId x, ctx.Input(node, i));
    TF_ASSIGN_OR_RETURN(sum, ctx.Emit(node, OpKind::kAdd, {sum, x}, BinaryOptions{}, ctx.type(x)));
  }
  ctx.SetOutput(node, 0, sum);
  return absl::OkStatus();
}

/// Select (TF1) with a vector condition picks whole rows: reshape it to
/// [N,1,...] so SELECT_V2's broadcasting does the same. SelectV2 broadcasts.
absl::Status Select(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_ASSIGN_OR_RETURN(TensorId c, ctx.Input(node, 0));
  TF_ASSIGN_OR_RETURN(TensorId a, ctx.Input(node, 1));
  TF_ASSIGN_OR_RETURN(TensorId b, ctx.Input(node, 2));
  if (node.op() == "Select" && ctx.rank(c) == 1 && ctx.rank(a) > 1) {
    Shape target(ctx.rank(a), 1);
    target[0] = ctx.shape(c)[0];
    TF_ASSIGN_OR_RETURN(c, EmitReshape(ctx, node, c, target));
  }
  TF_ASSIGN_OR_RETURN(TensorId y, ctx.Emit(node, OpKind::kSelectV2, {c, a, b}, NoOptions{},
                                           ctx.type(a)));
  ctx.SetOutput(node, 0, y);
  return absl::OkStatus();
}

/// BiasAdd: an ADD of a [C] vector on the last axis (fuse-bias folds it into
/// the producing conv / fully-connected op).
absl::Status BiasAdd(TfContext& ctx, const tensorflow::NodeDef& node) {
  TF_RETURN_IF_ERROR(RequireChannelsLast(ctx, node));
  TF_ASSIGN_OR_RETURN(auto ab, Operands(ctx, node));
  return ctx.EmitAndBind(node, OpKind::kAdd, {ab.first, ab.second}, BinaryOptions{});
}

}  // namespace

void RegisterTfElementwiseOps(TfConverterTable& t) {
  t.ops["Add"] = Arithmetic<OpKind::kAdd>;
  t.ops["AddV2"] = Arithmetic<OpKind::kAdd>;
  t.ops["Sub"] = Arithmetic<OpKind::kSub>;
  t.ops["Mul"] = Arithmetic<OpKind::kMul>;
  t.ops["RealDiv"] = Arithmetic<OpKind::kDiv>;
  t.ops["Div"] = Arithmetic<OpKind::kDiv>;
  t.ops["Maximum"] = Arithmetic<OpKind::kMaximum>;
  t.ops["Minimum"] = Arithmetic<OpKind::kMinimum>;
  t.ops["SquaredDifference"] = Arithmetic<OpKind::kSquaredDifference>;
  t.ops["Pow"] = Arithmetic<OpKind::kPow>;
  t.ops["FloorDiv"] = FloorDiv;
  t.ops["FloorMod"] = FloorMod;
  t.ops["AddN"] = AddN;
  t.ops["BiasAdd"] = BiasAdd;
  t.ops["BiasAddV1"] = BiasAdd;
  t.ops["Equal"] = Compare<OpKind::kEqual>;
  t.ops["NotEqual"] = Compare<OpKind::kNotEqual>;
  t.ops["Less"] = Compare<OpKind::kLess>;
  t.ops["LessEqual"] = Compare<OpKind::kLessEqual>;
  t.ops["Greater"] = Compare<OpKind::kGreater>;
  t.ops["GreaterEqual"] = Compare<OpKind::kGreaterEqual>;
  t.ops["LogicalAnd"] = Compare<OpKind::kLogicalAnd>;
  t.ops["LogicalOr"] = Compare<OpKind::kLogicalOr>;
  t.ops["LogicalNot"] = LogicalNot;
  t.ops["Select"] = Select;
  t.ops["SelectV2"] = Select;
}

}  // namespace optconv::tf_import
