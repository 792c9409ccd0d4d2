#pragma once
// The pass pipeline: an ordered list of named passes with debugging hooks.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "passes/pass.h"

namespace optconv {

struct PipelineOptions {
  bool verify_each = false;           // run the verifier after every pass
  std::vector<std::string> disabled;  // pass names to skip
  /// Called after each pass that ran: (pass name, changed, graph).
  std::function<void(std::string_view, bool, const Graph&)> after_pass;
};

class Pipeline {
 public:
  void Add(std::unique_ptr<Pass> pass) { passes_.push_back(std::move(pass)); }
  const std::vector<std::unique_ptr<Pass>>& passes() const { return passes_; }
  absl::Status Run(Graph& graph, PassContext& context, const PipelineOptions& options) const;

 private:
  std::vector<std::unique_ptr<Pass>> passes_;
};

/// The default float conversion pipeline (cleanup, layout, fusions).
Pipeline DefaultPipeline();

}  // namespace optconv
