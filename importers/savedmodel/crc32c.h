#pragma once
// CRC-32C (Castagnoli), as TensorFlow checkpoints and their index tables use
// it, plus TF's "masked" form stored next to data that itself holds CRCs.
#include <cstdint>

#include "absl/types/span.h"

namespace optconv::tf_import {

/// Continues `crc` (0 to start) over `data`; pre/post inversion included, so
/// Crc32cExtend(Crc32cExtend(0, a), b) == Crc32cExtend(0, a + b).
/// Uses the CPU's CRC32 instruction where there is one.
uint32_t Crc32cExtend(uint32_t crc, absl::Span<const uint8_t> data);
/// The same with a byte-wise table on any CPU (the fallback, and the
/// reference the unit test holds the fast path to).
uint32_t Crc32cExtendPortable(uint32_t crc, absl::Span<const uint8_t> data);
inline uint32_t Crc32c(absl::Span<const uint8_t> data) { return Crc32cExtend(0, data); }

/// TF's (and LevelDB's) mask: rotate right by 15 and add a constant.
inline uint32_t MaskCrc32c(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

}  // namespace optconv::tf_import
