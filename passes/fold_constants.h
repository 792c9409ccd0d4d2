#pragma once
// "fold-constants": replaces ops whose inputs are all constants by their
// result. TRANSPOSE and RESHAPE of constants are folded directly (pure data
// movement); everything else goes through runtime EvaluateOp so folding and
// execution agree. A fold is skipped when the result would be large and much
// larger than its inputs (e.g. a BROADCAST_TO or TILE materialising weights);
// counted as "skipped_too_large". The CLI sets the cap with --fold-max-bytes.
// SHAPE of a tensor with a fully known shape folds whatever its values
// ("static_shape"): a shape subgraph dies once its shape is static.
#include <cstdint>
#include <string>
#include <vector>

#include "passes/pass.h"
#include "runtime/evaluate.h"

namespace optconv {

class FoldConstantsPass : public Pass {
 public:
  /// Results above `max_bytes` that are also more than twice the input bytes
  /// are not folded.
  explicit FoldConstantsPass(int64_t max_bytes = kDefaultFoldMaxBytes) : max_bytes_(max_bytes) {}
  std::string_view name() const override { return "fold-constants"; }
  std::string_view summary() const override {
    return "evaluate ops whose inputs are all constants, and SHAPE of static tensors";
  }
  std::vector<PassOption> options() const override {
    return {{"max-bytes", std::to_string(max_bytes_)}};
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;

 private:
  int64_t max_bytes_;
};

}  // namespace optconv
