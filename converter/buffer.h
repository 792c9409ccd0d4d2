#pragma once
// Immutable constant data shared between tensors, passes and exporters.
// Large weights are either owned once or memory-mapped from the source file;
// slices keep their parent alive instead of copying.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
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

  /// A hint from a reader that is done with the data for now: pages of a
  /// read-only file mapping that lie wholly inside this buffer leave the
  /// process's resident memory (the page cache keeps them; a later read
  /// faults them back in from the file, unchanged). No-op for owned memory.
  /// Keeps peak memory near one copy of the weights while they are
  /// re-laid out and serialized.
  void ReleasePages() const { ReleaseRange(0, size()); }
  /// ReleasePages() for bytes [offset, offset+length) of this buffer.
  virtual void ReleaseRange(size_t offset, size_t length) const {}
  /// True when data() is aligned for elements of `element_size` bytes
  /// (kernels read typed pointers; slices of a mapping may sit anywhere).
  bool AlignedFor(size_t element_size) const {
    return element_size <= 1 || reinterpret_cast<uintptr_t>(data()) % element_size == 0;
  }

  /// Takes ownership of `bytes` (moved, never copied).
  static std::shared_ptr<const Buffer> FromVector(std::vector<uint8_t> bytes);
  /// Copies `bytes`; use for small data only.
  static std::shared_ptr<const Buffer> Copy(absl::Span<const uint8_t> bytes);
  /// A view of [offset, offset+length) of `parent`, keeping the parent alive.
  static absl::StatusOr<std::shared_ptr<const Buffer>> Slice(
      std::shared_ptr<const Buffer> parent, size_t offset, size_t length);
  /// Maps a whole file read-only (private). Errors name the file.
  static absl::StatusOr<std::shared_ptr<const Buffer>> MapFile(const std::string& path);

  /// Takes ownership of typed values (moved, never copied): for weights a
  /// pass or importer computed, which should not exist twice.
  template <typename T>
  static std::shared_ptr<const Buffer> Own(std::vector<T> values);

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

namespace buffer_internal {
template <typename T>
class TypedBuffer final : public Buffer {
 public:
  explicit TypedBuffer(std::vector<T> values) : values_(std::move(values)) {}
  absl::Span<const uint8_t> bytes() const override {
    return {reinterpret_cast<const uint8_t*>(values_.data()), values_.size() * sizeof(T)};
  }

 private:
  std::vector<T> values_;
};
}  // namespace buffer_internal

template <typename T>
std::shared_ptr<const Buffer> Buffer::Own(std::vector<T> values) {
  static_assert(std::is_trivially_copyable_v<T>);
  return std::make_shared<buffer_internal::TypedBuffer<T>>(std::move(values));
}

}  // namespace optconv
