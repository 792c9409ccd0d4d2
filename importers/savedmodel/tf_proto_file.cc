#include "importers/savedmodel/tf_proto_file.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "converter/buffer.h"

namespace optconv::tf_import {

absl::Status ReadBinaryProto(const std::string& path, const std::string& what, google::protobuf::MessageLite& message) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::NotFoundError(absl::StrCat(path, ": file not found"));
  }
  absl::StatusOr<BufferPtr> file = Buffer::MapFile(path);
  if (!file.ok()) return absl::InvalidArgumentError(file.status().message());
  if ((*file)->size() > static_cast<size_t>(INT32_MAX) ||
      !message.ParseFromArray((*file)->data(), static_cast<int>((*file)->size()))) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": not a valid ", what, " (binary proto does not parse)"));
  }
  return absl::OkStatus();
}

}  // namespace optconv::tf_import
