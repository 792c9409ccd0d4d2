#include "importers/savedmodel/tensor_bundle.h"

#include <filesystem>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "importers/savedmodel/crc32c.h"
#include "importers/savedmodel/sstable_reader.h"
#include "importers/savedmodel/tf_types.h"

namespace optconv::tf_import {
namespace {

/// Bytes per element of the fixed-size dtypes a checkpoint can hold; 0 for
/// the others (strings, resources, variants).
size_t ElementSize(tensorflow::DataType dtype) {
  switch (dtype) {
    case tensorflow::DT_BOOL:
    case tensorflow::DT_INT8:
    case tensorflow::DT_UINT8:
    case tensorflow::DT_QINT8:
    case tensorflow::DT_QUINT8: return 1;
    case tensorflow::DT_INT16:
    case tensorflow::DT_UINT16:
    case tensorflow::DT_QINT16:
    case tensorflow::DT_QUINT16:
    case tensorflow::DT_HALF:
    case tensorflow::DT_BFLOAT16: return 2;
    case tensorflow::DT_FLOAT:
    case tensorflow::DT_INT32:
    case tensorflow::DT_UINT32:
    case tensorflow::DT_QINT32: return 4;
    case tensorflow::DT_DOUBLE:
    case tensorflow::DT_INT64:
    case tensorflow::DT_UINT64:
    case tensorflow::DT_COMPLEX64: return 8;
    case tensorflow::DT_COMPLEX128: return 16;
    default: return 0;
  }
}

std::string ShardPath(const std::string& prefix, int shard, int num_shards) {
  return absl::StrFormat("%s.data-%05d-of-%05d", prefix, shard, num_shards);
}

}  // namespace

absl::StatusOr<TensorBundle> TensorBundle::Open(const std::string& prefix) {
  TensorBundle bundle;
  bundle.index_path_ = prefix + ".index";
  const std::string& path = bundle.index_path_;
  if (!std::filesystem::exists(path)) {
    return absl::NotFoundError(absl::StrCat(path, ": checkpoint index not found"));
  }
  absl::StatusOr<BufferPtr> index_file = Buffer::MapFile(path);
  if (!index_file.ok()) return absl::NotFoundError(index_file.status().message());
  absl::StatusOr<std::vector<SstableEntry>> table = ReadSortedStringTable((*index_file)->bytes(), path);
  if (!table.ok()) return table.status();
  if (table->empty() || !table->front().key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": corrupt checkpoint index: no bundle header (key \"\")"));
  }
  tensorflow::BundleHeaderProto header;
  if (!header.ParseFromString(table->front().value)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": corrupt checkpoint index: unparsable bundle header"));
  }
  if (header.endianness() != tensorflow::BundleHeaderProto::LITTLE) {
    return absl::UnimplementedError(absl::StrCat(path, ": big-endian checkpoints are not supported"));
  }
  if (header.num_shards() < 1) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": corrupt checkpoint index: ", header.num_shards(), " data shards"));
  }
  for (size_t i = 1; i < table->size(); ++i) {
    tensorflow::BundleEntryProto entry;
    const SstableEntry& item = (*table)[i];
    if (!entry.ParseFromString(item.value)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": corrupt checkpoint index: unparsable entry for '", item.key, "'"));
    }
    if (entry.shard_id() < 0 || entry.shard_id() >= header.num_shards()) {
      return absl::InvalidArgumentError(absl::StrCat(path, ": corrupt checkpoint index: '", item.key,
                                                     "' lives in shard ", entry.shard_id(), " of ",
                                                     header.num_shards()));
    }
    bundle.entries_.emplace(item.key, std::move(entry));
  }
  for (int shard = 0; shard < header.num_shards(); ++shard) {
    std::string shard_path = ShardPath(prefix, shard, header.num_shards());
    if (!std::filesystem::exists(shard_path)) {
      return absl::NotFoundError(absl::StrCat(shard_path, ": checkpoint data shard not found (", path,
                                              " lists ", header.num_shards(), " shards)"));
    }
    absl::StatusOr<BufferPtr> data = Buffer::MapFile(shard_path);
    if (!data.ok()) return absl::NotFoundError(data.status().message());
    bundle.shard_paths_.push_back(std::move(shard_path));
    bundle.shards_.push_back(*std::move(data));
  }
  return bundle;
}

std::vector<std::string> TensorBundle::Keys() const {
  std::vector<std::string> keys;
  keys.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) keys.push_back(key);
  return keys;
}

absl::StatusOr<TensorBundle::Located> TensorBundle::Locate(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    return absl::NotFoundError(absl::StrCat(index_path_, ": no tensor '", key, "' in the checkpoint"));
  }
  const tensorflow::BundleEntryProto& entry = it->second;
  if (entry.slices_size() > 0) {
    return absl::UnimplementedError(absl::StrCat(index_path_, ": tensor '", key,
                                                 "' is a partitioned variable (saved in slices)"));
  }
  const std::string& shard_path = shard_paths_[entry.shard_id()];
  const Buffer& shard = *shards_[entry.shard_id()];
  if (entry.offset() < 0 || entry.size() < 0 || static_cast<uint64_t>(entry.offset()) > shard.size() ||
      static_cast<uint64_t>(entry.size()) > shard.size() - entry.offset()) {
    return absl::DataLossError(absl::StrCat(shard_path, ": tensor '", key, "' (", entry.size(),
                                            " bytes at offset ", entry.offset(), ") lies beyond the end of the ",
                                            shard.size(), "-byte shard"));
  }
  return Located{&entry, shard_path, shard.bytes().subspan(entry.offset(), entry.size())};
}

absl::Status TensorBundle::CheckCrc(const std::string& key, const Located& where, uint32_t computed) const {
  uint32_t masked = MaskCrc32c(computed);
  if (masked == where.entry->crc32c()) return absl::OkStatus();
  return absl::DataLossError(absl::StrFormat(
      "%s: tensor '%s': crc32c mismatch (index says 0x%08x, data gives 0x%08x): the shard is corrupt",
      where.shard_path, key, where.entry->crc32c(), masked));
}

absl::StatusOr<TfTensorData> TensorBundle::ReadTensor(const std::string& key) const {
  absl::StatusOr<Located> where = Locate(key);
  if (!where.ok()) return where.status();
  const tensorflow::BundleEntryProto& entry = *where->entry;
  size_t element_size = ElementSize(entry.dtype());
  if (element_size == 0) {
    return absl::UnimplementedError(absl::StrCat(index_path_, ": tensor '", key, "' has dtype ",
                                                 TfDataTypeName(entry.dtype()), ", not a numeric type"));
  }
  TfTensorData tensor;
  tensor.dtype = entry.dtype();
  uint64_t elements = 1;
  for (const auto& dim : entry.shape().dim()) {
    if (dim.size() < 0) {
      return absl::InvalidArgumentError(absl::StrCat(index_path_, ": tensor '", key, "' has an unknown dimension"));
    }
    tensor.shape.push_back(dim.size());
    elements *= static_cast<uint64_t>(dim.size());
  }
  if (elements * element_size != where->bytes.size()) {
    return absl::DataLossError(absl::StrCat(index_path_, ": tensor '", key, "' holds ", where->bytes.size(),
                                            " bytes, its shape needs ", elements * element_size));
  }
  if (absl::Status s = CheckCrc(key, *where, Crc32c(where->bytes)); !s.ok()) return s;
  absl::StatusOr<BufferPtr> slice = Buffer::Slice(shards_[entry.shard_id()], entry.offset(), entry.size());
  if (!slice.ok()) return slice.status();
  tensor.data = *std::move(slice);
  return tensor;
}

// String tensors are stored as: one varint64 length per element, a masked
// crc32c of those lengths (each fed to the crc as a little-endian uint32, or
// uint64 when it does not fit), then the bytes. The entry crc covers the
// lengths (as fed above), the stored length crc and the bytes.
absl::StatusOr<std::vector<std::string>> TensorBundle::ReadStrings(const std::string& key) const {
  absl::StatusOr<Located> where = Locate(key);
  if (!where.ok()) return where.status();
  const tensorflow::BundleEntryProto& entry = *where->entry;
  if (entry.dtype() != tensorflow::DT_STRING) {
    return absl::InvalidArgumentError(absl::StrCat(index_path_, ": tensor '", key, "' has dtype ",
                                                   TfDataTypeName(entry.dtype()), ", expected DT_STRING"));
  }
  uint64_t elements = 1;
  for (const auto& dim : entry.shape().dim()) elements *= static_cast<uint64_t>(std::max<int64_t>(dim.size(), 0));
  auto corrupt = [&](const std::string& why) {
    return absl::DataLossError(absl::StrCat(where->shard_path, ": string tensor '", key, "': ", why));
  };
  absl::Span<const uint8_t> in = where->bytes;
  std::vector<uint64_t> lengths;
  uint32_t crc = 0;
  for (uint64_t i = 0; i < elements; ++i) {
    uint64_t value = 0;
    int shift = 0;
    while (true) {
      if (in.empty() || shift > 63) return corrupt("truncated element lengths");
      uint8_t byte = in.front();
      in.remove_prefix(1);
      value |= uint64_t{byte & 0x7fu} << shift;
      shift += 7;
      if ((byte & 0x80u) == 0) break;
    }
    lengths.push_back(value);
    uint8_t le[8];
    for (int b = 0; b < 8; ++b) le[b] = static_cast<uint8_t>(value >> (8 * b));
    crc = Crc32cExtend(crc, absl::MakeConstSpan(le, value <= 0xffffffffu ? 4 : 8));
  }
  if (in.size() < 4) return corrupt("truncated length checksum");
  uint32_t stored_length_crc = uint32_t{in[0]} | uint32_t{in[1]} << 8 | uint32_t{in[2]} << 16 | uint32_t{in[3]} << 24;
  if (stored_length_crc != MaskCrc32c(crc)) return corrupt("crc32c mismatch in the element lengths");
  crc = Crc32cExtend(crc, in.first(4));
  in.remove_prefix(4);
  std::vector<std::string> strings;
  for (uint64_t length : lengths) {
    if (length > in.size()) return corrupt("element longer than the stored bytes");
    strings.emplace_back(reinterpret_cast<const char*>(in.data()), length);
    crc = Crc32cExtend(crc, in.first(length));
    in.remove_prefix(length);
  }
  if (absl::Status s = CheckCrc(key, *where, crc); !s.ok()) return s;
  return strings;
}

}  // namespace optconv::tf_import
