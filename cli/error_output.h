#pragma once
// How the CLI reports a failure on stderr.
#include <cstdio>
#include <string>

namespace optconv::cli {

/// Prints "optconv: error: <message>" to stderr. The message already names the
/// file, node and reason; multi-line messages (e.g. the list of unsupported
/// ops) are printed whole.
inline void PrintError(const std::string& message) {
  std::string text = "optconv: error: " + message;
  if (text.back() != '\n') text.push_back('\n');
  std::fflush(stdout);
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

}  // namespace optconv::cli
