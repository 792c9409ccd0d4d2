#include "importers/savedmodel/sstable_reader.h"

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "importers/savedmodel/crc32c.h"
#include "snappy.h"

namespace optconv::tf_import {
namespace {

constexpr uint64_t kTableMagic = 0xdb4775248b80fb57ull;
// Two block handles of at most 2 varint64s (10 bytes each), padded, + magic.
constexpr size_t kFooterSize = 48;
constexpr size_t kBlockTrailerSize = 5;
constexpr uint8_t kNoCompression = 0;
constexpr uint8_t kSnappyCompression = 1;

uint32_t LoadLittleEndian32(const uint8_t* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

/// Consumes a varint (at most `max_bytes` long) from the front of `in`.
std::optional<uint64_t> ReadVarint(absl::Span<const uint8_t>& in, int max_bytes) {
  uint64_t value = 0;
  for (int i = 0; i < max_bytes && i < static_cast<int>(in.size()); ++i) {
    value |= uint64_t{in[i] & 0x7fu} << (7 * i);
    if ((in[i] & 0x80u) == 0) {
      in.remove_prefix(i + 1);
      return value;
    }
  }
  return std::nullopt;
}

struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;
};

class TableReader {
 public:
  TableReader(absl::Span<const uint8_t> file, const std::string& path) : file_(file), path_(path) {}

  absl::StatusOr<std::vector<SstableEntry>> ReadAll() {
    if (file_.size() < kFooterSize) return Corrupt(absl::StrCat("file of ", file_.size(), " bytes is too short for a table footer"));
    absl::Span<const uint8_t> footer = file_.subspan(file_.size() - kFooterSize);
    uint64_t magic = LoadLittleEndian32(footer.data() + 40) |
                     uint64_t{LoadLittleEndian32(footer.data() + 44)} << 32;
    if (magic != kTableMagic) return Corrupt("bad table magic number (not a checkpoint index)");
    absl::Span<const uint8_t> handles = footer.first(40);
    std::optional<BlockHandle> metaindex = ReadHandle(handles);
    std::optional<BlockHandle> index = ReadHandle(handles);
    if (!metaindex || !index) return Corrupt("unreadable block handles in the footer");

    absl::StatusOr<std::vector<SstableEntry>> index_entries = ReadBlock(*index, "index block");
    if (!index_entries.ok()) return index_entries.status();
    std::vector<SstableEntry> entries;
    for (const SstableEntry& index_entry : *index_entries) {
      absl::Span<const uint8_t> value(reinterpret_cast<const uint8_t*>(index_entry.value.data()),
                                      index_entry.value.size());
      std::optional<BlockHandle> data = ReadHandle(value);
      if (!data) return Corrupt("unreadable data block handle in the index block");
      absl::StatusOr<std::vector<SstableEntry>> block =
          ReadBlock(*data, absl::StrCat("data block at offset ", data->offset));
      if (!block.ok()) return block.status();
      for (SstableEntry& entry : *block) {
        if (!entries.empty() && entry.key <= entries.back().key) {
          return Corrupt(absl::StrCat("keys out of order at '", entry.key, "'"));
        }
        entries.push_back(std::move(entry));
      }
    }
    return entries;
  }

 private:
  absl::Status Corrupt(const std::string& why) const {
    return absl::InvalidArgumentError(absl::StrCat(path_, ": corrupt checkpoint index: ", why));
  }

  static std::optional<BlockHandle> ReadHandle(absl::Span<const uint8_t>& in) {
    std::optional<uint64_t> offset = ReadVarint(in, 10);
    if (!offset) return std::nullopt;
    std::optional<uint64_t> size = ReadVarint(in, 10);
    if (!size) return std::nullopt;
    return BlockHandle{*offset, *size};
  }

  absl::StatusOr<std::vector<SstableEntry>> ReadBlock(const BlockHandle& handle, const std::string& what) {
    if (handle.offset > file_.size() || handle.size > file_.size() - handle.offset ||
        kBlockTrailerSize > file_.size() - handle.offset - handle.size) {
      return Corrupt(absl::StrCat(what, " (", handle.size, " bytes at ", handle.offset,
                                  ") lies outside the file"));
    }
    absl::Span<const uint8_t> contents = file_.subspan(handle.offset, handle.size);
    const uint8_t* trailer = contents.data() + contents.size();
    uint32_t stored = LoadLittleEndian32(trailer + 1);
    // The crc covers the contents and the compression-type byte.
    uint32_t actual = MaskCrc32c(Crc32cExtend(Crc32c(contents), absl::MakeConstSpan(trailer, 1)));
    if (stored != actual) {
      return absl::DataLossError(absl::StrFormat("%s: %s: crc32c mismatch (stored 0x%08x, computed 0x%08x)",
                                                 path_, what, stored, actual));
    }
    if (trailer[0] == kSnappyCompression) {
      // TF builds with snappy compress index blocks (seen in TF 1.14 and 2.14 exports).
      std::string uncompressed;
      if (!snappy::Uncompress(reinterpret_cast<const char*>(contents.data()), contents.size(), &uncompressed)) {
        return Corrupt(absl::StrCat(what, " does not snappy-decompress"));
      }
      return ParseEntries(absl::MakeConstSpan(reinterpret_cast<const uint8_t*>(uncompressed.data()),
                                              uncompressed.size()),
                          what);
    }
    if (trailer[0] != kNoCompression) {
      return Corrupt(absl::StrCat(what, " has unknown compression type ", int{trailer[0]}));
    }
    return ParseEntries(contents, what);
  }

  absl::StatusOr<std::vector<SstableEntry>> ParseEntries(absl::Span<const uint8_t> block,
                                                         const std::string& what) {
    if (block.size() < 4) return Corrupt(absl::StrCat(what, " is shorter than its restart count"));
    uint64_t num_restarts = LoadLittleEndian32(block.data() + block.size() - 4);
    if (num_restarts > (block.size() - 4) / 4) {
      return Corrupt(absl::StrCat(what, " claims ", num_restarts, " restart points"));
    }
    absl::Span<const uint8_t> in = block.first(block.size() - 4 * (num_restarts + 1));
    std::vector<SstableEntry> entries;
    std::string key;
    while (!in.empty()) {
      std::optional<uint64_t> shared = ReadVarint(in, 5);
      std::optional<uint64_t> unshared = shared ? ReadVarint(in, 5) : std::nullopt;
      std::optional<uint64_t> value_size = unshared ? ReadVarint(in, 5) : std::nullopt;
      if (!value_size || *shared > key.size() || *unshared > in.size() ||
          *value_size > in.size() - *unshared) {
        return Corrupt(absl::StrCat(what, ": malformed entry after key '", key, "'"));
      }
      key.resize(*shared);
      key.append(reinterpret_cast<const char*>(in.data()), *unshared);
      in.remove_prefix(*unshared);
      entries.push_back({key, std::string(reinterpret_cast<const char*>(in.data()), *value_size)});
      in.remove_prefix(*value_size);
    }
    return entries;
  }

  absl::Span<const uint8_t> file_;
  const std::string& path_;
};

}  // namespace

absl::StatusOr<std::vector<SstableEntry>> ReadSortedStringTable(absl::Span<const uint8_t> file,
                                                                const std::string& path) {
  return TableReader(file, path).ReadAll();
}

}  // namespace optconv::tf_import
