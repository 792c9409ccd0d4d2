#include "converter/status_util.h"

#include "absl/strings/str_cat.h"

namespace optconv {

ExitCode ExitCodeFor(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return ExitCode::kOk;
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kDataLoss:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kFailedPrecondition:
      return ExitCode::kInvalidInput;
    case absl::StatusCode::kUnimplemented:
      return ExitCode::kUnsupported;
    default:
      return ExitCode::kInternal;
  }
}

std::string FormatNodeError(absl::string_view file, absl::string_view node, absl::string_view op_type,
                            absl::string_view problem, absl::string_view expected) {
  std::string out = absl::StrCat(file, ": node '", node, "' (", op_type, "): ", problem);
  if (!expected.empty()) absl::StrAppend(&out, " (expected ", expected, ")");
  return out;
}

absl::Status NodeError(absl::StatusCode code, absl::string_view file, const SourceLoc& where,
                       absl::string_view problem, absl::string_view expected) {
  return absl::Status(code, FormatNodeError(file, where.node_name, where.op_type, problem, expected));
}

}  // namespace optconv
