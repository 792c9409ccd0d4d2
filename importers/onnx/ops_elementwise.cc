// Binary arithmetic, comparisons, logical ops, variadic Max/Min/Sum/Mean and
// Where. Unary math and activations live in ops_activation.cc.
#include "absl/strings/str_cat.h"
#include "importers/onnx/ops_internal.h"
#include "importers/onnx/ops_util.h"
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {
namespace {

/// Operands of a binary op. Before opset 7, `broadcast=1` with `axis` aligned
/// B's dims with A's starting at `axis`; append unit dims to get numpy rules.
absl::StatusOr<std::pair<TensorId, TensorId>> BinaryOperands(OnnxContext& ctx,
                                                            const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> a = ctx.Input(node, 0);
  if (!a.ok()) return a.status();
  absl::StatusOr<TensorId> b = ctx.Input(node, 1);
  if (!b.ok()) return b.status();
  if (OnnxContext::AttrInt(node, "broadcast", 0) != 0 && OnnxContext::FindAttr(node, "axis")) {
    const int ra = ctx.rank(*a), rb = ctx.rank(*b);
    std::optional<int> axis = NormalizeAxis(OnnxContext::AttrInt(node, "axis", 0), ra);
    if (!axis || *axis + rb > ra) {
      return ctx.Invalid(node, "legacy broadcast axis does not fit the operand ranks",
                         "axis + rank(B) <= rank(A)");
    }
    Shape target = ctx.shape(*b);
    target.resize(static_cast<size_t>(ra - *axis), 1);
    absl::StatusOr<TensorId> reshaped = EmitReshape(ctx, node, *b, target);
    if (!reshaped.ok()) return reshaped.status();
    b = *reshaped;
  }
  return std::make_pair(*a, *b);
}

/// Integer arithmetic on shape vectors whose elements are partly known
/// (e.g. Gather(Shape(x), 2) / heads): known results fold to constants.
std::optional<OnnxContext::PartialInts> KnownArithmetic(const OnnxContext& ctx, OpKind kind,
                                                        TensorId a, TensorId b) {
  const DataType t = ctx.type(a);
  if ((t != DataType::kInt32 && t != DataType::kInt64) || ctx.type(b) != t) return std::nullopt;
  if (ctx.rank(a) > 1 || ctx.rank(b) > 1 || (ctx.IsConstant(a) && ctx.IsConstant(b))) {
    return std::nullopt;
  }
  auto ka = ctx.KnownInts(a), kb = ctx.KnownInts(b);
  if (!ka || !kb) return std::nullopt;
  const size_t n = std::max(ka->size(), kb->size());
  if ((ka->size() != n && ka->size() != 1) || (kb->size() != n && kb->size() != 1)) {
    return std::nullopt;
  }
  OnnxContext::PartialInts out(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& x = (*ka)[ka->size() == 1 ? 0 : i];
    const auto& y = (*kb)[kb->size() == 1 ? 0 : i];
    if (!x || !y) continue;
    switch (kind) {
      case OpKind::kAdd: out[i] = *x + *y; break;
      case OpKind::kSub: out[i] = *x - *y; break;
      case OpKind::kMul: out[i] = *x * *y; break;
      case OpKind::kDiv:
        if (*y != 0) out[i] = *x / *y;
        break;
      default: return std::nullopt;
    }
  }
  return out;
}

absl::Status Binary(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind) {
  auto ab = BinaryOperands(ctx, node);
  if (!ab.ok()) return ab.status();
  auto [a, b] = *ab;
  std::optional<OnnxContext::PartialInts> known = KnownArithmetic(ctx, kind, a, b);
  if (known) {
    const Shape shape = BroadcastShapes(ctx.shape(a), ctx.shape(b)).value_or(Shape{});
    if (auto c = ctx.AddConstFromKnown(HelperName(node, "known"), *known, ctx.type(a), shape)) {
      ctx.SetOutput(node, 0, *c);
      return absl::OkStatus();
    }
  }
  // TFLite has 8-bit arithmetic only for quantized tensors: a plain uint8/int8
  // ADD would crash or wrap differently at run time, so refuse it clearly.
  const bool eight_bit = ctx.type(a) == DataType::kUInt8 || ctx.type(a) == DataType::kInt8;
  if (eight_bit && !(ctx.IsConstant(a) && ctx.IsConstant(b))) {
    return ctx.Unsupported(node, absl::StrCat("unquantized ", std::string(DataTypeName(ctx.type(a))),
                                              " arithmetic has no TFLite kernel"),
                           "float or int32 operands");
  }
  absl::StatusOr<TensorId> out = ctx.Emit(node, kind, {a, b}, DefaultOptions(kind), ctx.type(a));
  if (!out.ok()) return out.status();
  if (known) ctx.RecordKnownInts(*out, *known);
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

absl::Status Compare(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind) {
  auto ab = BinaryOperands(ctx, node);
  if (!ab.ok()) return ab.status();
  absl::StatusOr<TensorId> out =
      ctx.Emit(node, kind, {ab->first, ab->second}, NoOptions{}, DataType::kBool);
  if (!out.ok()) return out.status();
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

/// Pow: constant exponents 2, 0.5, -0.5 and 1 become SQUARE, SQRT, RSQRT and
/// identity; anything else is POW with the exponent in the base's type.
absl::Status Pow(OnnxContext& ctx, const onnx::NodeProto& node) {
  auto ab = BinaryOperands(ctx, node);
  if (!ab.ok()) return ab.status();
  auto [x, y] = *ab;
  const bool float_base = ctx.type(x) == DataType::kFloat32 || ctx.type(x) == DataType::kFloat16;
  std::optional<std::vector<float>> exps = ctx.ConstantFloats(y);
  if (float_base && exps && !exps->empty() &&
      std::all_of(exps->begin(), exps->end(), [&](float e) { return e == exps->front(); }) &&
      BroadcastShapes(ctx.shape(x), ctx.shape(y)) == ctx.shape(x)) {
    const float e = exps->front();
    if (e == 1.0f) {
      ctx.SetOutput(node, 0, x);
      return absl::OkStatus();
    }
    if (e == 2.0f) return EmitAndBind(ctx, node, OpKind::kSquare, {x});
    if (e == 0.5f) return EmitAndBind(ctx, node, OpKind::kSqrt, {x});
    if (e == -0.5f) return EmitAndBind(ctx, node, OpKind::kRsqrt, {x});
  }
  if (!float_base && !(ctx.IsConstant(x) && ctx.IsConstant(y))) {
    // LiteRT's POW kernel fails at run time for integer bases.
    return ctx.Unsupported(node, absl::StrCat("Pow of a ", std::string(DataTypeName(ctx.type(x))), " base"),
                           "a float base");
  }
  absl::StatusOr<TensorId> exponent = ctx.EmitCast(node, y, ctx.type(x));
  if (!exponent.ok()) return exponent.status();
  return EmitAndBind(ctx, node, OpKind::kPow, {x, *exponent});
}

/// Max/Min/Sum/Mean over any number of inputs, folded pairwise.
absl::Status Variadic(OnnxContext& ctx, const onnx::NodeProto& node, OpKind kind, bool mean) {
  if (node.input_size() == 0) return ctx.Invalid(node, "has no inputs", "at least one input");
  absl::StatusOr<TensorId> acc = ctx.Input(node, 0);
  if (!acc.ok()) return acc.status();
  for (int i = 1; i < node.input_size(); ++i) {
    absl::StatusOr<TensorId> next = ctx.Input(node, i);
    if (!next.ok()) return next.status();
    acc = ctx.Emit(node, kind, {*acc, *next}, DefaultOptions(kind), ctx.type(*acc));
    if (!acc.ok()) return acc.status();
  }
  if (mean && node.input_size() > 1) {
    TensorId scale = ctx.AddScalarOfType(HelperName(node, "inv_count"), 1.0 / node.input_size(),
                                  ctx.type(*acc));
    acc = ctx.Emit(node, OpKind::kMul, {*acc, scale}, BinaryOptions{}, ctx.type(*acc));
    if (!acc.ok()) return acc.status();
  }
  ctx.SetOutput(node, 0, *acc);
  return absl::OkStatus();
}

/// Not(x) == Equal(x, false): the op set has no LOGICAL_NOT.
absl::Status Not(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> x = ctx.Input(node, 0);
  if (!x.ok()) return x.status();
  TensorId f = ctx.AddScalarOfType(HelperName(node, "false"), 0, DataType::kBool);
  absl::StatusOr<TensorId> out = ctx.Emit(node, OpKind::kEqual, {*x, f}, NoOptions{}, DataType::kBool);
  if (!out.ok()) return out.status();
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

absl::Status Where(OnnxContext& ctx, const onnx::NodeProto& node) {
  absl::StatusOr<TensorId> c = ctx.Input(node, 0);
  absl::StatusOr<TensorId> x = ctx.Input(node, 1);
  absl::StatusOr<TensorId> y = ctx.Input(node, 2);
  for (const auto* s : {&c, &x, &y}) {
    if (!s->ok()) return s->status();
  }
  absl::StatusOr<TensorId> out =
      ctx.Emit(node, OpKind::kSelectV2, {*c, *x, *y}, NoOptions{}, ctx.type(*x));
  if (!out.ok()) return out.status();
  ctx.SetOutput(node, 0, *out);
  return absl::OkStatus();
}

}  // namespace

void RegisterElementwiseOps(ConverterTable& t) {
  t["Add"] = [](OnnxContext& c, const onnx::NodeProto& n) { return Binary(c, n, OpKind::kAdd); };
  t["Sub"] = [](OnnxContext& c, const onnx::NodeProto& n) { return Binary(c, n, OpKind::kSub); };
  t["Mul"] = [](OnnxContext& c, const onnx::NodeProto& n) { return Binary(c, n, OpKind::kMul); };
  t["Div"] = [](OnnxContext& c, const onnx::NodeProto& n) { return Binary(c, n, OpKind::kDiv); };
  t["Pow"] = Pow;
  t["Equal"] = [](OnnxContext& c, const onnx::NodeProto& n) { return Compare(c, n, OpKind::kEqual); };
  t["Less"] = [](OnnxContext& c, const onnx::NodeProto& n) { return Compare(c, n, OpKind::kLess); };
  t["Greater"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Compare(c, n, OpKind::kGreater);
  };
  t["LessOrEqual"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Compare(c, n, OpKind::kLessEqual);
  };
  t["GreaterOrEqual"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Compare(c, n, OpKind::kGreaterEqual);
  };
  t["And"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Compare(c, n, OpKind::kLogicalAnd);
  };
  t["Or"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Compare(c, n, OpKind::kLogicalOr);
  };
  // For booleans, xor is inequality.
  t["Xor"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Compare(c, n, OpKind::kNotEqual);
  };
  t["Not"] = Not;
  t["Where"] = Where;
  t["Max"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Variadic(c, n, OpKind::kMaximum, false);
  };
  t["Min"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Variadic(c, n, OpKind::kMinimum, false);
  };
  t["Sum"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Variadic(c, n, OpKind::kAdd, false);
  };
  t["Mean"] = [](OnnxContext& c, const onnx::NodeProto& n) {
    return Variadic(c, n, OpKind::kAdd, true);
  };
  RegisterActivationOps(t);
}

}  // namespace optconv::onnx_import
