#pragma once
// A TensorFlow checkpoint ("tensor bundle"): PREFIX.index maps tensor keys to
// BundleEntryProtos, PREFIX.data-NNNNN-of-NNNNN hold the bytes. Shards are
// memory-mapped; tensors are slices of them, never copies.
#include <string>
#include <vector>

#include <map>
#include "absl/status/statusor.h"
#include "converter/buffer.h"
#include "importers/savedmodel/proto/tensor_bundle.pb.h"
#include "importers/savedmodel/tf_graph.h"

namespace optconv::tf_import {

class TensorBundle {
 public:
  /// Reads PREFIX.index (block crcs checked) and maps every data shard.
  /// NotFound when the index or a shard is missing.
  static absl::StatusOr<TensorBundle> Open(const std::string& prefix);

  const std::string& index_path() const { return index_path_; }
  bool Contains(const std::string& key) const { return entries_.contains(key); }
  /// All tensor keys, sorted.
  std::vector<std::string> Keys() const;

  /// A numeric tensor's bytes (a slice of its shard) after checking the
  /// entry's crc32c (DataLoss on mismatch). NotFound for unknown keys.
  absl::StatusOr<TfTensorData> ReadTensor(const std::string& key) const;
  /// A DT_STRING tensor's elements, crcs checked as for ReadTensor.
  absl::StatusOr<std::vector<std::string>> ReadStrings(const std::string& key) const;

 private:
  struct Located {
    const tensorflow::BundleEntryProto* entry;
    std::string shard_path;
    absl::Span<const uint8_t> bytes;
  };
  absl::StatusOr<Located> Locate(const std::string& key) const;
  absl::Status CheckCrc(const std::string& key, const Located& where, uint32_t computed) const;

  std::string index_path_;
  std::map<std::string, tensorflow::BundleEntryProto> entries_;
  std::vector<std::string> shard_paths_;
  std::vector<BufferPtr> shards_;
};

}  // namespace optconv::tf_import
