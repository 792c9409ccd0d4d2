#include "converter/buffer.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace optconv {
namespace {

class OwnedBuffer final : public Buffer {
 public:
  explicit OwnedBuffer(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  absl::Span<const uint8_t> bytes() const override { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class SliceBuffer final : public Buffer {
 public:
  SliceBuffer(std::shared_ptr<const Buffer> parent, size_t offset, size_t length)
      : parent_(std::move(parent)), offset_(offset), length_(length) {}
  absl::Span<const uint8_t> bytes() const override {
    return parent_->bytes().subspan(offset_, length_);
  }
  void ReleaseRange(size_t offset, size_t length) const override {
    parent_->ReleaseRange(offset_ + offset, length);
  }

 private:
  std::shared_ptr<const Buffer> parent_;
  size_t offset_;
  size_t length_;
};

class MappedBuffer final : public Buffer {
 public:
  MappedBuffer(void* base, size_t length) : base_(base), length_(length) {}
  ~MappedBuffer() override {
    if (base_ != nullptr) munmap(base_, length_);
  }
  absl::Span<const uint8_t> bytes() const override {
    return {static_cast<const uint8_t*>(base_), length_};
  }
  // MADV_DONTNEED on a private mapping that is never written only discards
  // the resident copies of whole pages inside the range.
  void ReleaseRange(size_t offset, size_t length) const override {
    static const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    if (offset > length_) return;
    length = std::min(length, length_ - offset);
    const uintptr_t begin = reinterpret_cast<uintptr_t>(base_) + offset;
    const uintptr_t first = (begin + page - 1) / page * page;
    const uintptr_t last = (begin + length) / page * page;
    if (last > first) madvise(reinterpret_cast<void*>(first), last - first, MADV_DONTNEED);
  }

 private:
  void* base_;
  size_t length_;
};

}  // namespace

std::shared_ptr<const Buffer> Buffer::FromVector(std::vector<uint8_t> bytes) {
  return std::make_shared<OwnedBuffer>(std::move(bytes));
}

std::shared_ptr<const Buffer> Buffer::Copy(absl::Span<const uint8_t> bytes) {
  return FromVector(std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

absl::StatusOr<std::shared_ptr<const Buffer>> Buffer::Slice(
    std::shared_ptr<const Buffer> parent, size_t offset, size_t length) {
  if (offset > parent->size() || length > parent->size() - offset) {
    return absl::OutOfRangeError(absl::StrCat("data range [", offset, ", ", offset + length,
                                              ") exceeds buffer of ", parent->size(), " bytes"));
  }
  return std::make_shared<SliceBuffer>(std::move(parent), offset, length);
}

absl::StatusOr<std::shared_ptr<const Buffer>> Buffer::MapFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a regular file"));
  }
  size_t length = static_cast<size_t>(st.st_size);
  if (length == 0) {
    close(fd);
    return FromVector({});
  }
  void* base = mmap(nullptr, length, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (base == MAP_FAILED) {
    return absl::InternalError(absl::StrCat(path, ": mmap failed: ", std::strerror(errno)));
  }
  return std::shared_ptr<const Buffer>(std::make_shared<MappedBuffer>(base, length));
}

}  // namespace optconv
