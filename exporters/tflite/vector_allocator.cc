#include "exporters/tflite/vector_allocator.h"

#include <cstring>
#include <utility>

namespace optconv {

uint8_t* VectorAllocator::allocate(size_t size) {
  // The builder holds at most one block of ours at a time.
  FLATBUFFERS_ASSERT(block_.empty());
  block_.resize(size);
  return block_.data();
}

void VectorAllocator::deallocate(uint8_t* p, size_t /*size*/) {
  if (p == block_.data()) std::vector<uint8_t>().swap(block_);
}

uint8_t* VectorAllocator::reallocate_downward(uint8_t* old_p, size_t old_size, size_t new_size,
                                              size_t in_use_back, size_t in_use_front) {
  FLATBUFFERS_ASSERT(old_p == block_.data() && new_size > old_size);
  std::vector<uint8_t> grown(new_size);
  memcpy_downward(old_p, old_size, grown.data(), new_size, in_use_back, in_use_front);
  block_ = std::move(grown);
  return block_.data();
}

std::vector<uint8_t> VectorAllocator::TakeFinished(flatbuffers::FlatBufferBuilder& builder) {
  size_t allocated = 0;
  size_t offset = 0;
  uint8_t* raw = builder.ReleaseRaw(allocated, offset);
  std::vector<uint8_t> out = std::move(block_);
  block_.clear();
  if (raw == nullptr || raw != out.data()) return {};  // never built anything
  const size_t size = allocated - offset;
  // Overlapping ranges: memmove. The vector keeps its capacity, so resizing
  // down does not reallocate or copy.
  std::memmove(out.data(), out.data() + offset, size);
  out.resize(size);
  return out;
}

}  // namespace optconv
