#include "passes/pipeline.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "converter/verifier.h"
#include "passes/channel_shuffle.h"
#include "passes/cleanup.h"
#include "passes/cse.h"
#include "passes/fold_batchnorm.h"
#include "passes/fold_channel_gather.h"
#include "passes/fold_constants.h"
#include "passes/fold_flatten_transpose.h"
#include "passes/fold_scalar_scale.h"
#include "passes/fuse_activation.h"
#include "passes/fuse_bias.h"
#include "passes/fuse_conv_input.h"
#include "passes/fuse_depth_to_space.h"
#include "passes/fuse_fully_connected.h"
#include "passes/fuse_gelu.h"
#include "passes/fuse_hard_swish.h"
#include "passes/fuse_l2_normalize.h"
#include "passes/fuse_simple_patterns.h"
#include "passes/layout_nhwc.h"
#include "passes/lower_erf.h"

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
      if (step.max_rounds > 1 && round + 1 == step.max_rounds) {
        context.Count("pipeline", "round_cap_hit");
        context.Warn(absl::StrCat("the pass group starting with '",
                                  std::string(passes_[step.begin]->name()),
                                  "' still changed the graph in its last allowed round (",
                                  step.max_rounds, "); the result may be less optimized"));
      }
    }
  }
  return absl::OkStatus();
}

std::string Pipeline::Describe() const {
  size_t name_width = 0, options_width = 0;
  std::vector<std::string> option_text;
  for (const auto& pass : passes_) {
    std::vector<std::string> parts;
    for (const PassOption& o : pass->options()) parts.push_back(absl::StrCat(o.name, "=", o.value));
    option_text.push_back(absl::StrJoin(parts, " "));
    name_width = std::max(name_width, pass->name().size());
    options_width = std::max(options_width, option_text.back().size());
  }
  std::string out;
  for (const Step& step : steps_) {
    std::string indent = "";
    if (step.max_rounds > 1) {
      absl::StrAppend(&out, "repeat until nothing changes, at most ", step.max_rounds, " rounds:\n");
      indent = "  ";
    }
    for (size_t i = step.begin; i < step.end; ++i) {
      const Pass& pass = *passes_[i];
      // Columns line up across grouped (indented) and single passes.
      const size_t pad = name_width - pass.name().size() + 2 + (indent.empty() ? 2 : 0);
      std::string line = absl::StrCat(indent, std::string(pass.name()), std::string(pad, ' '));
      if (options_width > 0) {
        absl::StrAppend(&line, option_text[i],
                        std::string(options_width - option_text[i].size() + 2, ' '));
      }
      absl::StrAppend(&out, line, std::string(pass.summary()), "\n");
    }
  }
  return out;
}

Pipeline DefaultPipeline(const DefaultPipelineOptions& options) {
  Pipeline pipeline;
  std::vector<std::unique_ptr<Pass>> group;
  group.push_back(std::make_unique<FoldConstantsPass>(options.fold_max_bytes));
  group.push_back(std::make_unique<CleanupPass>());
  group.push_back(std::make_unique<CsePass>());
  group.push_back(std::make_unique<ChannelShufflePass>());
  group.push_back(std::make_unique<FuseDepthToSpacePass>());
  group.push_back(std::make_unique<LayoutNhwcPass>(options.keep_io_layout));
  group.push_back(std::make_unique<FoldFlattenTransposePass>());
  group.push_back(std::make_unique<FuseHardSwishPass>());
  group.push_back(std::make_unique<FuseGeluPass>());
  group.push_back(std::make_unique<FuseSimplePatternsPass>());
  group.push_back(std::make_unique<FuseL2NormalizePass>());
  group.push_back(std::make_unique<FuseConvInputPass>());
  group.push_back(std::make_unique<FuseFullyConnectedPass>());
  group.push_back(std::make_unique<FoldChannelGatherPass>());
  group.push_back(std::make_unique<FoldBatchNormPass>());
  group.push_back(std::make_unique<FoldScalarScalePass>());
  group.push_back(std::make_unique<FuseBiasPass>());
  group.push_back(std::make_unique<FuseActivationPass>());
  pipeline.AddFixedPointGroup(std::move(group), 8);
  // After every fusion that could still consume an Erf (fuse-gelu).
  pipeline.Add(std::make_unique<LowerErfPass>());
  return pipeline;
}

}  // namespace optconv
