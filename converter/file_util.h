#pragma once
// File output that never leaves a partial file behind.
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace optconv {

/// Writes `bytes` to a temporary file in the destination directory, fsyncs it
/// and renames it over `path`. On any failure the temporary file is removed
/// and `path` is untouched.
absl::Status WriteFileAtomically(const std::string& path, absl::Span<const uint8_t> bytes);

}  // namespace optconv
