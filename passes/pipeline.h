#pragma once
// The pass pipeline: an ordered list of named passes with debugging hooks.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "passes/pass.h"
#include "runtime/evaluate.h"

namespace optconv {

struct PipelineOptions {
  bool verify_each = false;           // run the verifier after every pass
  std::vector<std::string> disabled;  // pass names to skip
  /// Called after each pass that ran: (pass name, changed, graph).
  std::function<void(std::string_view, bool, const Graph&)> after_pass;
};

class Pipeline {
 public:
  /// Appends a pass that runs once.
  void Add(std::unique_ptr<Pass> pass);
  /// Appends passes that run in order, repeatedly, until a round changes
  /// nothing or `max_rounds` rounds ran.
  void AddFixedPointGroup(std::vector<std::unique_ptr<Pass>> passes, int max_rounds);
  /// Every pass in execution order (a group's passes listed once).
  const std::vector<std::unique_ptr<Pass>>& passes() const { return passes_; }
  /// A run of passes: a single pass (max_rounds 1) or a fixed-point group.
  struct Step {
    size_t begin = 0, end = 0;  // range of passes()
    int max_rounds = 1;
  };
  const std::vector<Step>& steps() const { return steps_; }
  /// The pipeline as text, one line per pass with its options, groups
  /// indented under their round limit (what `optconv passes` prints).
  std::string Describe() const;
  /// Runs the passes. A failing pass stops the pipeline; the error keeps its
  /// code and names the pass. Unknown names in options.disabled are an
  /// InvalidArgument error. A group still changing in its last allowed round
  /// counts "pipeline.round_cap_hit" and adds a context warning.
  absl::Status Run(Graph& graph, PassContext& context, const PipelineOptions& options) const;

 private:
  absl::StatusOr<bool> RunPass(Pass& pass, Graph& graph, PassContext& context,
                               const PipelineOptions& options) const;

  std::vector<std::unique_ptr<Pass>> passes_;
  std::vector<Step> steps_;
};

struct DefaultPipelineOptions {
  /// Keep the ONNX (channels-first) layout of graph inputs/outputs; the
  /// boundary transposes then stay.
  bool keep_io_layout = false;
  /// fold-constants leaves an op unfolded when its result would exceed this
  /// many bytes and twice its inputs' bytes (TILE/BROADCAST_TO/FILL blow-ups).
  int64_t fold_max_bytes = kDefaultFoldMaxBytes;
};

/// The default float conversion pipeline: constant folding, cleanup, channel
/// shuffle lowering, layout (NCHW -> NHWC transpose removal) and fusions,
/// iterated to a fixed point.
Pipeline DefaultPipeline(const DefaultPipelineOptions& options = {});

}  // namespace optconv
