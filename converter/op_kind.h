#pragma once
// OpKind: the canonical op enum generated from op_kinds.def.
#include <cstdint>
#include <optional>
#include <string_view>

#include "converter/op_options.h"

namespace optconv {

enum class OpKind : uint16_t {
#define OPTCONV_OP(kind, builtin, options) k##kind,
#include "converter/op_kinds.def"
#undef OPTCONV_OP
};

/// "Conv2D"
std::string_view OpKindName(OpKind kind);
/// TFLite BuiltinOperator value of the op.
int32_t TfliteBuiltinCode(OpKind kind);
/// The op kind with this TFLite builtin value, if it is in our op set.
std::optional<OpKind> OpKindFromTfliteBuiltin(int32_t code);
/// Parses "Conv2D" back to the kind (IR text form).
std::optional<OpKind> OpKindFromName(std::string_view name);
/// Default-constructed options of the type this op kind carries.
OpOptions DefaultOptions(OpKind kind);
/// True when `options` holds the alternative that `kind` expects.
bool OptionsMatchKind(OpKind kind, const OpOptions& options);

}  // namespace optconv
