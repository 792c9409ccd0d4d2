#pragma once
// spdlog configuration for the CLI: everything goes to stderr (stdout is
// reserved for --json and inspect output).

namespace optconv::cli {

enum class LogLevel {
  kQuiet,    // errors only
  kNormal,   // one progress line per phase
  kVerbose,  // plus debug details (each pass)
};

/// Installs the stderr logger as spdlog's default. Info lines print bare;
/// other levels are prefixed ("optconv: warning: ...").
void SetUpLogging(LogLevel level);

}  // namespace optconv::cli
