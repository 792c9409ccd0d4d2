#pragma once
// The first TFLite release implementing each operator version, from TFLite's
// tools/versioning/runtime_version.cc, for the operators optconv writes.
#include <string_view>

#include "schema_generated.h"

namespace optconv {

/// The oldest TFLite runtime that implements version `version` of `code`
/// ("2.3.0"), or "" when the runtime table has no entry for it.
std::string_view MinRuntimeVersion(tflite::BuiltinOperator code, int version);

/// Orders dotted versions numerically ("1.14.0" < "2.3.0" < "2.13.0");
/// "" sorts first.
bool RuntimeVersionLess(std::string_view a, std::string_view b);

}  // namespace optconv
