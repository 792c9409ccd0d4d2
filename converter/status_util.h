#pragma once
// One error format everywhere and the mapping from status to CLI exit code.
//   <file>: node '<name>' (<op>): <problem> (expected <what>)
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "converter/op.h"

namespace optconv {

/// Documented exit codes of the optconv CLI.
enum class ExitCode : int {
  kOk = 0,
  kUsage = 1,           // bad flags or arguments
  kInvalidInput = 2,    // unreadable, truncated, corrupt or inconsistent model
  kUnsupported = 3,     // valid model using ops or features we do not convert
  kInternal = 4,        // a bug in optconv
  kLimitExceeded = 5,   // converted, but a user-set limit failed (--max-transposes); nothing written
};

/// kInvalidArgument/kNotFound/kDataLoss/kOutOfRange/kFailedPrecondition -> 2,
/// kUnimplemented -> 3, anything else -> 4.
ExitCode ExitCodeFor(const absl::Status& status);

/// Formats "<file>: node '<node>' (<op_type>): <problem>[ (expected <expected>)]".
std::string FormatNodeError(absl::string_view file, absl::string_view node, absl::string_view op_type,
                            absl::string_view problem, absl::string_view expected = {});

/// An error status of `code` with the message formatted as above.
absl::Status NodeError(absl::StatusCode code, absl::string_view file, const SourceLoc& where,
                       absl::string_view problem, absl::string_view expected = {});

}  // namespace optconv
