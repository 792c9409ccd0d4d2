#include "passes/pipeline.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "converter/verifier.h"
#include "passes/channel_shuffle.h"
#include "passes/cleanup.h"
#include "passes/fold_batchnorm.h"
#include "passes/fold_constants.h"
#include "passes/fold_flatten_transpose.h"
#include "passes/fuse_activation.h"
#include "passes/fuse_bias.h"
#include "passes/fuse_hard_swish.h"
#include "passes/layout_nhwc.h"

namespace optconv {

void Pipeline::Add(std::unique_ptr<Pass> pass) {
  steps_.push_back({passes_.size(), passes_.size() + 1, 1});
  passes_.push_back(std::move(pass));
}

void Pipeline::AddFixedPointGroup(std::vector<std::unique_ptr<Pass>> passes, int max_rounds) {
  Step step{passes_.size(), passes_.size() + passes.size(), std::max(1, max_rounds)};
  for (auto& p : passes) passes_.push_back(std::move(p));
  steps_.push_back(step);
}

absl::StatusOr<bool> Pipeline::RunPass(Pass& pass, Graph& graph, PassContext& context,
                                       const PipelineOptions& options) const {
  const std::string name(pass.name());
  absl::StatusOr<bool> changed = pass.Run(graph, context);
  if (!changed.ok()) {
    return absl::Status(changed.status().code(),
                        absl::StrCat("pass '", name, "' failed: ", changed.status().message()));
  }
  if (options.verify_each) {
    absl::Status verified = VerifyGraph(graph);
    if (!verified.ok()) {
      return absl::InternalError(absl::StrCat("pass '", name, "' produced an invalid graph: ",
                                              verified.message()));
    }
  }
  if (options.after_pass) options.after_pass(pass.name(), *changed, graph);
  return *changed;
}

absl::Status Pipeline::Run(Graph& graph, PassContext& context,
                           const PipelineOptions& options) const {
  std::set<std::string> known;
  for (const auto& p : passes_) known.insert(std::string(p->name()));
  for (const std::string& d : options.disabled) {
    if (!known.contains(d)) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown pass '", d, "' (expected one of: ", absl::StrJoin(known, ", "), ")"));
    }
  }
  const std::set<std::string> disabled(options.disabled.begin(), options.disabled.end());
  for (const Step& step : steps_) {
    for (int round = 0; round < step.max_rounds; ++round) {
      bool changed = false;
      for (size_t i = step.begin; i < step.end; ++i) {
        Pass& pass = *passes_[i];
        if (disabled.contains(std::string(pass.name()))) continue;
        absl::StatusOr<bool> result = RunPass(pass, graph, context, options);
        if (!result.ok()) return result.status();
        changed |= *result;
      }
      if (!changed) break;
      if (step.max_rounds > 1) context.Count("pipeline", "rounds");
    }
  }
  return absl::OkStatus();
}

Pipeline DefaultPipeline(const DefaultPipelineOptions& options) {
  Pipeline pipeline;
  std::vector<std::unique_ptr<Pass>> group;
  group.push_back(std::make_unique<FoldConstantsPass>());
  group.push_back(std::make_unique<CleanupPass>());
  group.push_back(std::make_unique<ChannelShufflePass>());
  group.push_back(std::make_unique<LayoutNhwcPass>(options.keep_io_layout));
  group.push_back(std::make_unique<FoldFlattenTransposePass>());
  group.push_back(std::make_unique<FuseHardSwishPass>());
  group.push_back(std::make_unique<FoldBatchNormPass>());
  group.push_back(std::make_unique<FuseBiasPass>());
  group.push_back(std::make_unique<FuseActivationPass>());
  pipeline.AddFixedPointGroup(std::move(group), 8);
  return pipeline;
}

}  // namespace optconv
