#pragma once
// Reading a binary TensorFlow proto file with path-prefixed errors.
#include <string>

#include "absl/status/status.h"
#include "google/protobuf/message_lite.h"

namespace optconv::tf_import {

/// NotFound when `path` is missing, InvalidArgument when it does not parse
/// as `what` (e.g. "SavedModel").
absl::Status ReadBinaryProto(const std::string& path, const std::string& what, google::protobuf::MessageLite& message);

}  // namespace optconv::tf_import
