#include "importers/savedmodel/crc32c.h"

#include <array>

namespace optconv::tf_import {
namespace {

// A byte-wise table version: checkpoints are read once per conversion and
// CRC time is far below parse time. Debian bookworm has no crc32c library;
// ISA-L's crc32_iscsi takes an `int` length (shards can exceed 2 GiB) and
// leaves the final inversion to the caller, so a table is simpler and safer.
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

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, absl::Span<const uint8_t> data) {
  uint32_t state = ~crc;
  for (uint8_t byte : data) state = kTable[(state ^ byte) & 0xffu] ^ (state >> 8);
  return ~state;
}

}  // namespace optconv::tf_import
