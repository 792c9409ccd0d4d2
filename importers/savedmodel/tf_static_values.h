#pragma once
// What can be known about TensorFlow node outputs before conversion: static
// shapes (from Const/Placeholder attrs, `_output_shapes` and simple shape
// rules) and the values of small integer/bool tensors (loop counters, trip
// counts, Shape-derived sizes). Loop lowering uses it to decide trip counts
// and TensorList indices; everything it cannot prove stays unknown.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "importers/savedmodel/proto/node_def.pb.h"
#include "importers/savedmodel/proto/tensor.pb.h"

namespace optconv::tf_import {

/// A static integer (or bool, as 0/1) tensor value; single elements may be
/// unknown (Shape of [?,20,16] is [?,20,16]) so that slices of them fold.
struct StaticInts {
  static constexpr int64_t kUnknown = INT64_MIN;
  std::vector<int64_t> shape;   // fully known
  std::vector<int64_t> values;  // row-major, kUnknown where not known
  bool is_scalar() const { return shape.empty(); }
  bool AllKnown() const;
};

/// What is known about one node output.
struct StaticInfo {
  std::optional<std::vector<int64_t>> shape;  // -1 marks unknown dims
  std::optional<StaticInts> ints;
};

/// The ints of an integer/bool TensorProto (int_val / int64_val / bool_val /
/// tensor_content, a single value broadcast); nullopt for other dtypes.
std::optional<StaticInts> TensorProtoInts(const tensorflow::TensorProto& t);
/// An int32 scalar TensorProto.
tensorflow::TensorProto Int32ScalarProto(int32_t value);

/// "node" -> {"node", 0}; "node:3" -> {"node", 3}.
std::pair<std::string, int> SplitTensorRef(const std::string& ref);

/// Evaluates node outputs lazily over a growing set of flat NodeDefs (inputs
/// "node" / "node:N"). `hint` supplies shapes known from elsewhere (signature
/// inputs, function argument attrs).
class StaticEvaluator {
 public:
  using NodeLookup = std::function<const tensorflow::NodeDef*(const std::string& name)>;
  explicit StaticEvaluator(NodeLookup lookup) : lookup_(std::move(lookup)) {}

  void SetShapeHint(const std::string& ref, std::vector<int64_t> shape);
  /// What is known about output `ref` ("node" or "node:N").
  const StaticInfo& Info(const std::string& ref);

 private:
  StaticInfo Compute(const tensorflow::NodeDef& node, int index);

  NodeLookup lookup_;
  absl::flat_hash_map<std::string, StaticInfo> memo_;
  absl::flat_hash_map<std::string, std::vector<int64_t>> hints_;
};

}  // namespace optconv::tf_import
