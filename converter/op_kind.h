#pragma once
// OpKind: the canonical op enum generated from op_kinds.def.
#include <cstdint>
#include <optional>
#include <string_view>

#include "converter/op_options.h"

namespace optconv {

enum class OpKind : uint16_t {
#define OPTCONV_OP(kind, builtin, options) k##kind,
#define OPTCONV_INTERNAL_OP(kind, options) k##kind,
#include "converter/op_kinds.def"
#undef OPTCONV_INTERNAL_OP
#undef OPTCONV_OP
};

/// TfliteBuiltinCode of internal ops (no TFLite builtin).
inline constexpr int32_t kNoTfliteBuiltin = -1;

/// "Conv2D"
std::string_view OpKindName(OpKind kind);
/// TFLite BuiltinOperator value of the op; kNoTfliteBuiltin for internal ops.
int32_t TfliteBuiltinCode(OpKind kind);
/// True for IR-only ops (op_kinds.def's OPTCONV_INTERNAL_OP rows) that a pass
/// must lower before export.
bool IsInternalOp(OpKind kind);
/// The op kind with this TFLite builtin value, if it is in our op set.
std::optional<OpKind> OpKindFromTfliteBuiltin(int32_t code);
/// Parses "Conv2D" back to the kind (IR text form).
std::optional<OpKind> OpKindFromName(std::string_view name);
/// Default-constructed options of the type this op kind carries.
OpOptions DefaultOptions(OpKind kind);
/// True when `options` holds the alternative that `kind` expects.
bool OptionsMatchKind(OpKind kind, const OpOptions& options);
/// Ops computing each output element from the same element of their one data
/// input (shape kept).
bool IsUnaryElementwise(OpKind kind);
/// Ops combining operands element by element with numpy broadcasting.
bool IsBinaryElementwise(OpKind kind);

}  // namespace optconv
