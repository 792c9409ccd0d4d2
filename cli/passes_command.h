#pragma once
// `optconv passes`: the default pipeline, one pass per line.

namespace optconv::cli {

/// Prints each pass of the default pipeline (name and summary) on stdout.
/// Returns the process exit code.
int RunPasses(bool json);

}  // namespace optconv::cli
