#pragma once
// "layout-nhwc": removes the TRANSPOSEs the importer wraps around
// layout-sensitive ops.
//
// Instead of pushing transposes one op at a time, the pass chooses a storage
// layout ("label", see layout_ops.h) for every tensor of a connected region of
// layout-agnostic ops and transposes: inside a region labels are tied
// together (a transpose changes the label for free, agnostic ops share one),
// so the region has one free choice, its root label. Each candidate root label
// is scored by the transposes it needs (at the region's boundary with
// layout-fixed ops and graph inputs/outputs, plus transposes that do not
// cancel); the cheapest wins, and the region is rewritten only when that
// needs fewer transposes than it has now. The number of transposes therefore
// never grows.
//
// A rank-4 graph input or output may change its interface to channels-last
// (NCHW -> NHWC) when that removes a transpose, unless keep_io_layout is set.
// Counters: regions_rewritten, transposes_removed, inputs_made_nhwc,
// outputs_made_nhwc, reductions_split.
#include "passes/pass.h"

namespace optconv {

class LayoutNhwcPass : public Pass {
 public:
  explicit LayoutNhwcPass(bool keep_io_layout = false) : keep_io_layout_(keep_io_layout) {}
  std::string_view name() const override { return "layout-nhwc"; }
  std::string_view summary() const override {
    return "cancel layout transposes by choosing NHWC storage for agnostic regions";
  }
  std::vector<PassOption> options() const override {
    return {{"keep-io-layout", keep_io_layout_ ? "true" : "false"}};
  }
  absl::StatusOr<bool> Run(Graph& graph, PassContext& context) override;

 private:
  bool keep_io_layout_;
};

/// Number of TRANSPOSE ops in `graph`.
int CountTransposes(const Graph& graph);

}  // namespace optconv
