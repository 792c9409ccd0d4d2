#pragma once
// Reader for the LevelDB-style sorted string table that TensorFlow writes as a
// checkpoint's variables.index: a footer (metaindex and index block handles,
// magic number), an index block pointing at data blocks, every block made of
// prefix-compressed key/value entries with restart points and followed by a
// 5-byte trailer (compression type, masked crc32c of contents + type).
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace optconv::tf_import {

struct SstableEntry {
  std::string key;
  std::string value;
};

/// Every entry of the table in `file`, in key order. Checks the magic number,
/// every block's crc and that keys are sorted; snappy-compressed blocks (some
/// TF builds write them) are decompressed. Errors start with `path` and are
/// DataLoss (crc) or InvalidArgument (malformed).
absl::StatusOr<std::vector<SstableEntry>> ReadSortedStringTable(absl::Span<const uint8_t> file,
                                                                const std::string& path);

}  // namespace optconv::tf_import
