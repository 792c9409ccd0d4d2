#include "importers/savedmodel/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace optconv::tf_import {
namespace {

// Every variable byte of a checkpoint is checked, so the CRC runs over the
// whole model: SSE4.2's CRC32 instruction computes CRC-32C 8 bytes a cycle
// (resnet50's 98 MB in ~20 ms instead of ~250 ms byte by byte), chosen at
// run time so the binary still runs on x86-64 without it. Debian bookworm has
// no crc32c library; ISA-L's crc32_iscsi takes an `int` length (shards can
// exceed 2 GiB) and leaves the final inversion to the caller.
constexpr uint32_t kReversedPolynomial = 0x82f63b78u;

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kReversedPolynomial : 0u);
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t ExtendSse42(uint32_t state, const uint8_t* p,
                                                       size_t n) {
  uint64_t wide = state;
  for (; n >= 8; p += 8, n -= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));  // mapped shards need not be aligned
    wide = _mm_crc32_u64(wide, word);
  }
  state = static_cast<uint32_t>(wide);
  for (; n > 0; ++p, --n) state = _mm_crc32_u8(state, *p);
  return state;
}

bool HasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, absl::Span<const uint8_t> data) {
  uint32_t state = ~crc;
  for (uint8_t byte : data) state = kTable[(state ^ byte) & 0xffu] ^ (state >> 8);
  return ~state;
}

uint32_t Crc32cExtend(uint32_t crc, absl::Span<const uint8_t> data) {
#if defined(__x86_64__)
  if (HasSse42()) return ~ExtendSse42(~crc, data.data(), data.size());
#endif
  return Crc32cExtendPortable(crc, data);
}

}  // namespace optconv::tf_import
