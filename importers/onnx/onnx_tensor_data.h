#pragma once
// ONNX TensorProto -> IR constant data: element types, typed fields vs
// raw_data, and external data files (memory-mapped once, sliced, never copied).
#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "converter/tensor.h"
#include "onnx/onnx_pb.h"
#include "runtime/fp16.h"  // HalfToFloat / FloatToHalf

namespace optconv::onnx_import {

/// The IR type of an ONNX TensorProto.DataType value. Unimplemented for types
/// TFLite has no use for here (bf16, complex, unsigned 16/32/64, double inputs);
/// `what` names the value in the message.
absl::StatusOr<DataType> DataTypeFromOnnx(int32_t elem_type, const std::string& what);

/// Resolves and maps external data files relative to the model's directory.
/// One mapping per file is shared by all tensors that live in it.
class ExternalDataFiles {
 public:
  explicit ExternalDataFiles(std::string model_path);
  const std::string& model_path() const { return model_path_; }
  /// [offset, offset+length) of `location` (relative to the model directory).
  /// NotFound names the model, tensor and missing path; DataLoss when the
  /// range exceeds the file.
  absl::StatusOr<BufferPtr> Slice(const std::string& tensor, const std::string& location,
                                  uint64_t offset, uint64_t length);

 private:
  std::string model_path_;
  std::string model_dir_;
  absl::flat_hash_map<std::string, BufferPtr> mapped_;
};

/// Builds the IR tensor (name, type, shape, data) of an ONNX TensorProto.
/// When `movable` is non-null its raw_data is moved into the buffer instead of
/// copied (used for initializers of the parsed model). `mapped_raw_data`, when
/// set, is the tensor's raw_data left in the model file's mapping
/// (OnnxModelFile::initializer_data). Errors name the model file and the
/// tensor: DataLoss for size mismatches, Unimplemented for unsupported element
/// types, NotFound for missing external files.
absl::StatusOr<Tensor> TensorFromProto(const onnx::TensorProto& proto, ExternalDataFiles& files,
                                       onnx::TensorProto* movable = nullptr,
                                       BufferPtr mapped_raw_data = nullptr);

}  // namespace optconv::onnx_import
