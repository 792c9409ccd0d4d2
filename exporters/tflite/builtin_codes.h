#pragma once
// TFLite builtin operator codes: the code each OpKind exports as, and the
// OperatorCode fields that encode it. (Names: TfliteBuiltinName in
// tflite_reader.h.)
#include <cstdint>

#include "converter/op_kind.h"
#include "schema_generated.h"

namespace optconv {

/// The BuiltinOperator `kind` is written as, checked against the official
/// schema. (Deliberately not derived from op_kinds.def, so a wrong row there
/// cannot produce a model that runs the wrong kernel; a unit test keeps both
/// in agreement.)
tflite::BuiltinOperator TfliteBuiltinFor(OpKind kind);

/// The value written to OperatorCode.deprecated_builtin_code: the code itself
/// below 127, PLACEHOLDER_FOR_GREATER_OP_CODES (127) otherwise.
int8_t TfliteDeprecatedBuiltinCode(tflite::BuiltinOperator code);

/// The effective builtin code of an OperatorCode read from a file: the larger
/// of the two fields, as TFLite's schema_utils does (old files only set the
/// deprecated byte).
tflite::BuiltinOperator TfliteEffectiveBuiltinCode(const tflite::OperatorCode& code);

}  // namespace optconv
