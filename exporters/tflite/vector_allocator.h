#pragma once
// A flatbuffers allocator whose memory is a std::vector<uint8_t>, so a
// finished buffer can be handed out as that vector without copying it.
#include <cstdint>
#include <vector>

#include "flatbuffers/flatbuffers.h"

namespace optconv {

/// Owns one block at a time. The builder writes back to front, so a finished
/// flatbuffer sits at the end of the block; TakeFinished() moves it to the
/// front in place and returns the block.
class VectorAllocator : public flatbuffers::Allocator {
 public:
  uint8_t* allocate(size_t size) override;
  void deallocate(uint8_t* p, size_t size) override;
  uint8_t* reallocate_downward(uint8_t* old_p, size_t old_size, size_t new_size,
                               size_t in_use_back, size_t in_use_front) override;

  /// Releases the finished buffer of `builder` (which must use this
  /// allocator) as a vector holding exactly the flatbuffer bytes.
  std::vector<uint8_t> TakeFinished(flatbuffers::FlatBufferBuilder& builder);

 private:
  std::vector<uint8_t> block_;
};

}  // namespace optconv
