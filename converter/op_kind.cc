#include "converter/op_kind.h"

namespace optconv {
namespace {

struct OpKindInfo {
  OpKind kind;
  std::string_view name;
  int32_t builtin;
};

constexpr OpKindInfo kOpKinds[] = {
#define OPTCONV_OP(kind, builtin, options) {OpKind::k##kind, #kind, builtin},
#define OPTCONV_INTERNAL_OP(kind, options) {OpKind::k##kind, #kind, kNoTfliteBuiltin},
#include "converter/op_kinds.def"
#undef OPTCONV_INTERNAL_OP
#undef OPTCONV_OP
};

}  // namespace

std::string_view OpKindName(OpKind kind) { return kOpKinds[static_cast<size_t>(kind)].name; }

int32_t TfliteBuiltinCode(OpKind kind) { return kOpKinds[static_cast<size_t>(kind)].builtin; }

bool IsInternalOp(OpKind kind) { return TfliteBuiltinCode(kind) == kNoTfliteBuiltin; }

std::optional<OpKind> OpKindFromTfliteBuiltin(int32_t code) {
  if (code == kNoTfliteBuiltin) return std::nullopt;
  for (const OpKindInfo& info : kOpKinds) {
    if (info.builtin == code) return info.kind;
  }
  return std::nullopt;
}

std::optional<OpKind> OpKindFromName(std::string_view name) {
  for (const OpKindInfo& info : kOpKinds) {
    if (info.name == name) return info.kind;
  }
  return std::nullopt;
}

OpOptions DefaultOptions(OpKind kind) {
  switch (kind) {
#define OPTCONV_OP(kind, builtin, options) \
  case OpKind::k##kind:                    \
    return options{};
#define OPTCONV_INTERNAL_OP(kind, options) OPTCONV_OP(kind, kNoTfliteBuiltin, options)
#include "converter/op_kinds.def"
#undef OPTCONV_INTERNAL_OP
#undef OPTCONV_OP
  }
  return NoOptions{};
}

bool OptionsMatchKind(OpKind kind, const OpOptions& options) {
  return DefaultOptions(kind).index() == options.index();
}

bool IsUnaryElementwise(OpKind k) {
  switch (k) {
    case OpKind::kRelu: case OpKind::kRelu6: case OpKind::kReluN1To1: case OpKind::kLogistic:
    case OpKind::kTanh: case OpKind::kHardSwish: case OpKind::kLeakyRelu: case OpKind::kElu:
    case OpKind::kGelu: case OpKind::kExp: case OpKind::kLog: case OpKind::kSqrt:
    case OpKind::kRsqrt: case OpKind::kSquare: case OpKind::kNeg: case OpKind::kAbs:
    case OpKind::kSin: case OpKind::kCos: case OpKind::kSign: case OpKind::kFloor:
    case OpKind::kCeil: case OpKind::kRound: case OpKind::kCast: case OpKind::kErf:
      return true;
    default:
      return false;
  }
}

bool IsBinaryElementwise(OpKind k) {
  switch (k) {
    case OpKind::kAdd: case OpKind::kSub: case OpKind::kMul: case OpKind::kDiv:
    case OpKind::kPow: case OpKind::kMaximum: case OpKind::kMinimum:
    case OpKind::kSquaredDifference: case OpKind::kLess: case OpKind::kLessEqual:
    case OpKind::kGreater: case OpKind::kGreaterEqual: case OpKind::kEqual:
    case OpKind::kNotEqual: case OpKind::kLogicalOr: case OpKind::kLogicalAnd:
    case OpKind::kPrelu: case OpKind::kSelectV2:
      return true;
    default:
      return false;
  }
}

}  // namespace optconv
