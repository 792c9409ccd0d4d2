#pragma once
// Reads an .onnx file without copying its weights. The file is memory-mapped;
// before protobuf parses it, the raw_data of every large graph initializer is
// cut out of the bytes handed to the parser and kept as a slice of the
// mapping instead. A 100 MB model then costs the process the mapping's pages
// it touches, not a second 100 MB of protobuf strings.
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "converter/buffer.h"
#include "onnx/onnx_pb.h"

namespace optconv::onnx_import {

struct OnnxModelFile {
  onnx::ModelProto model;
  /// The whole file, mapped read-only.
  BufferPtr file;
  /// Per initializer of the main graph (same index): its raw_data as a slice
  /// of `file` when it was left there, else nullptr (the proto holds its data).
  std::vector<BufferPtr> initializer_data;
};

/// Raw data shorter than this stays in the proto: slicing it saves nothing.
inline constexpr size_t kMinMappedRawData = 1024;

/// Maps and parses `path`. Errors name the file: NotFound, InvalidArgument
/// for an empty, truncated, corrupt or non-ONNX file, or one over 2 GiB.
absl::StatusOr<OnnxModelFile> ReadOnnxModelFile(const std::string& path);

}  // namespace optconv::onnx_import
