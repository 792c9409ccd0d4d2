#pragma once
// Immutable constant data shared between tensors, passes and exporters.
// Large weights are either owned once or memory-mapped from the source file;
// slices keep their parent alive instead of copying.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace optconv {

class Buffer {
 public:
  virtual ~Buffer() = default;
  virtual absl::Span<const uint8_t> bytes() const = 0;
  size_t size() const { return bytes().size(); }
  const uint8_t* data() const { return bytes().data(); }

  /// Takes ownership of `bytes` (moved, never copied).
  static std::shared_ptr<const Buffer> FromVector(std::vector<uint8_t> bytes);
  /// Copies `bytes`; use for small data only.
  static std::shared_ptr<const Buffer> Copy(absl::Span<const uint8_t> bytes);
  /// A view of [offset, offset+length) of `parent`, keeping the parent alive.
  static absl::StatusOr<std::shared_ptr<const Buffer>> Slice(
      std::shared_ptr<const Buffer> parent, size_t offset, size_t length);
  /// Maps a whole file read-only. Errors name the file.
  static absl::StatusOr<std::shared_ptr<const Buffer>> MapFile(const std::string& path);

  /// Typed copy helpers for small constants.
  template <typename T>
  static std::shared_ptr<const Buffer> FromValues(absl::Span<const T> values) {
    std::vector<uint8_t> bytes(values.size() * sizeof(T));
    if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
    return FromVector(std::move(bytes));
  }
  template <typename T>
  std::vector<T> AsVector() const {
    std::vector<T> out(size() / sizeof(T));
    if (!out.empty()) std::memcpy(out.data(), data(), out.size() * sizeof(T));
    return out;
  }
};

using BufferPtr = std::shared_ptr<const Buffer>;

}  // namespace optconv
