#include "passes/layout_nhwc.h"

#include <algorithm>
#include <deque>
#include <set>

#include "passes/layout_ops.h"
#include "passes/pass_util.h"

namespace optconv {
namespace {

constexpr std::string_view kPass = "layout-nhwc";
using Role = LayoutOpInfo::Role;

// A connected set of tensors whose labels are tied by transposes and
// layout-agnostic ops. All its tensors have the same rank.
struct Region {
  std::vector<TensorId> tensors;  // discovery order
  std::vector<int> transposes;    // ops with Role::kTranspose
  std::vector<int> agnostic;      // ops with Role::kAgnostic
  int rank = 0;
};

class LayoutSolver {
 public:
  LayoutSolver(Graph& graph, bool keep_io_layout, PassContext& context)
      : g_(graph), keep_io_(keep_io_layout), ctx_(context) {}

  /// Returns true when the graph changed.
  absl::StatusOr<bool> Run();

 private:
  void Analyze();
  void BuildRegions();
  void Visit(int op, TensorId from, std::deque<TensorId>& queue, Region& region);
  void Assign(TensorId t, const Perm& rel, std::deque<TensorId>& queue, Region& region);
  int SplitReductions();

  Perm Label(TensorId t, const Perm& root) const {
    return ComposePerms(rel_[static_cast<size_t>(t)], root);
  }
  Perm OpLabel(int op, const Perm& root) const {
    return ComposePerms(op_rel_[static_cast<size_t>(op)], root);
  }
  const LayoutOpInfo& info(int op) const { return info_[static_cast<size_t>(op)]; }
  bool Violated(int op, const Perm& root) const;
  bool IsLinkedUse(const TensorUse& use, const Perm& root) const;
  bool IsProducerAnchor(TensorId t, const Perm& root) const;
  bool SoftInput(TensorId t) const;
  bool SoftOutput(TensorId t) const;
  /// A RESHAPE to [N, K] whose result only feeds FULLY_CONNECTED inputs with
  /// constant weights (a transpose before it folds into the weights).
  bool IsFcFlatten(int op) const;
  int Cost(const Region& region, const Perm& root) const;
  std::vector<Perm> Candidates(const Region& region) const;
  absl::Status Materialize(const Region& region, const Perm& root);
  absl::Status Finish();
  void AppendTransposeInto(TensorId in, const Perm& perm, TensorId out, const SourceLoc& origin);
  TensorId CloneTensor(TensorId t, const std::string& suffix);

  Graph& g_;
  bool keep_io_;
  PassContext& ctx_;
  size_t num_ops_ = 0;  // ops that existed when the graph was analysed
  std::vector<LayoutOpInfo> info_;
  std::vector<int> producer_;
  std::vector<std::vector<TensorUse>> uses_;
  std::vector<int> region_of_;  // per tensor, -1 when outside every region
  std::vector<Perm> rel_;       // per tensor label relative to its region root
  std::vector<Perm> op_rel_;    // per agnostic op label relative to its region root
  std::vector<bool> op_seen_;
  std::vector<Region> regions_;
  std::vector<int> dropped_;    // transposes that became identities
};

const Perm& ChannelsLast4() {
  static const Perm kPerm = {0, 2, 3, 1};
  return kPerm;
}

// Image-like: rank 4 with an element type images come in.
bool ImageLike(const Tensor& t) {
  return t.shape.size() == 4 &&
         (t.type == DataType::kFloat32 || t.type == DataType::kFloat16 ||
          t.type == DataType::kUInt8 || t.type == DataType::kInt8);
}

bool Contains(const std::vector<int>& v, int x) { return std::find(v.begin(), v.end(), x) != v.end(); }

void LayoutSolver::Analyze() {
  num_ops_ = g_.ops().size();
  info_.clear();
  for (const Op& op : g_.ops()) info_.push_back(ClassifyForLayout(g_, op));
  producer_ = g_.Producers();
  uses_ = g_.Uses();
}

void LayoutSolver::Assign(TensorId t, const Perm& rel, std::deque<TensorId>& queue,
                          Region& region) {
  if (!rel_[static_cast<size_t>(t)].empty()) return;
  rel_[static_cast<size_t>(t)] = rel;
  region_of_[static_cast<size_t>(t)] = static_cast<int>(regions_.size());
  region.tensors.push_back(t);
  queue.push_back(t);
}

void LayoutSolver::Visit(int op, TensorId from, std::deque<TensorId>& queue, Region& region) {
  if (op_seen_[static_cast<size_t>(op)]) return;
  op_seen_[static_cast<size_t>(op)] = true;
  const Op& o = g_.ops()[static_cast<size_t>(op)];
  const LayoutOpInfo& in = info(op);
  const Perm& rel = rel_[static_cast<size_t>(from)];
  if (in.role == Role::kTranspose) {
    region.transposes.push_back(op);
    TensorId x = o.inputs[0], y = o.outputs[0];
    if (from == x) {
      Assign(y, ComposePerms(InversePerm(in.perm), rel), queue, region);
    } else {
      Assign(x, ComposePerms(in.perm, rel), queue, region);
    }
    return;
  }
  region.agnostic.push_back(op);
  op_rel_[static_cast<size_t>(op)] = rel;
  for (int slot : in.linked_inputs) Assign(o.inputs[static_cast<size_t>(slot)], rel, queue, region);
  for (TensorId out : o.outputs) Assign(out, rel, queue, region);
}

void LayoutSolver::BuildRegions() {
  const size_t nt = static_cast<size_t>(g_.num_tensors());
  region_of_.assign(nt, -1);
  rel_.assign(nt, Perm{});
  op_rel_.assign(num_ops_, Perm{});
  op_seen_.assign(num_ops_, false);
  regions_.clear();
  for (size_t seed = 0; seed < num_ops_; ++seed) {
    // Transposes and reshapes that only move size-1 dims (an earlier cleanup
    // may have lowered a transpose to such a reshape) seed regions.
    if (info_[seed].role != Role::kTranspose || op_seen_[seed]) continue;
    Region region;
    TensorId x = g_.ops()[seed].inputs[0];
    region.rank = static_cast<int>(g_.tensor(x).shape.size());
    std::deque<TensorId> queue;
    Assign(x, IdentityPerm(region.rank), queue, region);
    while (!queue.empty()) {
      TensorId t = queue.front();
      queue.pop_front();
      int p = producer_[static_cast<size_t>(t)];
      if (p >= 0 && info(p).role != Role::kFixed) Visit(p, t, queue, region);
      for (const TensorUse& use : uses_[static_cast<size_t>(t)]) {
        const LayoutOpInfo& ui = info(use.op_index);
        bool linked = (ui.role == Role::kTranspose && use.input_slot == 0) ||
                      (ui.role == Role::kAgnostic && Contains(ui.linked_inputs, use.input_slot));
        if (linked) Visit(use.op_index, t, queue, region);
      }
    }
    regions_.push_back(std::move(region));
  }
}

bool LayoutSolver::Violated(int op, const Perm& root) const {
  if (!info(op).keeps_last_axis) return false;
  Perm l = OpLabel(op, root);
  return l.back() != static_cast<int>(l.size()) - 1;
}

bool LayoutSolver::IsLinkedUse(const TensorUse& use, const Perm& root) const {
  const LayoutOpInfo& ui = info(use.op_index);
  if (ui.role == Role::kTranspose) return use.input_slot == 0;
  if (ui.role == Role::kAgnostic) {
    return Contains(ui.linked_inputs, use.input_slot) && !Violated(use.op_index, root);
  }
  return false;
}

bool LayoutSolver::IsProducerAnchor(TensorId t, const Perm& root) const {
  int p = producer_[static_cast<size_t>(t)];
  if (p < 0) return true;
  if (info(p).role == Role::kFixed) return true;
  return info(p).role == Role::kAgnostic && Violated(p, root);
}

bool LayoutSolver::SoftInput(TensorId t) const {
  return !keep_io_ && g_.IsGraphInput(t) && ImageLike(g_.tensor(t));
}

bool LayoutSolver::SoftOutput(TensorId t) const {
  return !keep_io_ && g_.IsGraphOutput(t) && ImageLike(g_.tensor(t));
}

bool LayoutSolver::IsFcFlatten(int op) const {
  const Op& o = g_.ops()[static_cast<size_t>(op)];
  if (o.kind != OpKind::kReshape) return false;
  const Shape& in = g_.tensor(o.inputs[0]).shape;
  const Shape& out = g_.tensor(o.outputs[0]).shape;
  if (in.size() < 2 || out.size() != 2 || out[0] != in[0] || g_.IsGraphOutput(o.outputs[0])) {
    return false;
  }
  const auto& users = uses_[static_cast<size_t>(o.outputs[0])];
  if (users.empty()) return false;
  for (const TensorUse& use : users) {
    const Op& fc = g_.ops()[static_cast<size_t>(use.op_index)];
    if (fc.kind != OpKind::kFullyConnected || use.input_slot != 0 || fc.inputs.size() < 2 ||
        !ConstFloats(g_, fc.inputs[1])) {
      return false;
    }
  }
  return true;
}

int LayoutSolver::Cost(const Region& region, const Perm& root) const {
  int cost = 0;
  for (int op : region.transposes) {
    const Op& o = g_.ops()[static_cast<size_t>(op)];
    Perm q = ComposePerms(ComposePerms(InversePerm(rel_[static_cast<size_t>(o.inputs[0])]), info(op).perm),
                          rel_[static_cast<size_t>(o.outputs[0])]);
    if (!IsIdentityPerm(q)) ++cost;
  }
  for (int op : region.agnostic) {
    if (Violated(op, root)) continue;  // counted as anchors below
    const Op& o = g_.ops()[static_cast<size_t>(op)];
    const Perm& rel = op_rel_[static_cast<size_t>(op)];
    for (int slot : info(op).linked_inputs) cost += rel_[static_cast<size_t>(o.inputs[static_cast<size_t>(slot)])] != rel;
    for (TensorId out : o.outputs) cost += rel_[static_cast<size_t>(out)] != rel;
  }
  for (TensorId t : region.tensors) {
    Perm l = Label(t, root);
    if (IsIdentityPerm(l)) continue;
    const bool nhwc = l == ChannelsLast4();
    if (IsProducerAnchor(t, root) && !(producer_[static_cast<size_t>(t)] < 0 && SoftInput(t) && nhwc)) {
      ++cost;
    }
    bool need = false, only_reshapes = true, only_fc_flattens = true;
    for (const TensorUse& use : uses_[static_cast<size_t>(t)]) {
      if (IsLinkedUse(use, root)) continue;
      need = true;
      only_reshapes &= g_.ops()[static_cast<size_t>(use.op_index)].kind == OpKind::kReshape;
      only_fc_flattens &= IsFcFlatten(use.op_index);
    }
    if (g_.IsGraphOutput(t) && !(SoftOutput(t) && nhwc)) {
      need = true, only_reshapes = false, only_fc_flattens = false;
    }
    if (!need) continue;
    Shape stored = PermuteShape(g_.tensor(t).shape, l);
    // A transpose that only moves size-1 dims into a reshape merges with it.
    if (only_reshapes && PermMovesOnlyUnitDims(stored, InversePerm(l))) continue;
    // One keeping the batch dim before flattens into FCs goes into their
    // weights (fold-flatten-transpose).
    if (only_fc_flattens && l[0] == 0 && uses_[static_cast<size_t>(t)].size() == 1) continue;
    ++cost;
  }
  return cost;
}

std::vector<Perm> LayoutSolver::Candidates(const Region& region) const {
  std::vector<Perm> out;
  std::set<Perm> seen;
  auto add = [&](Perm p) {
    if (seen.insert(p).second) out.push_back(std::move(p));
  };
  add(IdentityPerm(region.rank));
  for (TensorId t : region.tensors) {
    const Perm inv = InversePerm(rel_[static_cast<size_t>(t)]);
    add(inv);  // the root that gives t its true layout
    if (region.rank == 4) add(ComposePerms(inv, ChannelsLast4()));
  }
  return out;
}

TensorId LayoutSolver::CloneTensor(TensorId t, const std::string& suffix) {
  Tensor copy = g_.tensor(t);
  copy.name = g_.UniqueTensorName(copy.name + suffix);
  return g_.AddTensor(std::move(copy));
}

void LayoutSolver::AppendTransposeInto(TensorId in, const Perm& perm, TensorId out,
                                       const SourceLoc& origin) {
  std::vector<int32_t> values(perm.begin(), perm.end());
  TensorId perm_id = AddInt32Vector(g_, g_.tensor(out).name + "_perm", values);
  g_.AddOp(MakeOp(OpKind::kTranspose, {in, perm_id}, {out}, origin));
}

absl::Status LayoutSolver::Materialize(const Region& region, const Perm& root) {
  std::vector<Shape> true_shape;
  for (TensorId t : region.tensors) true_shape.push_back(g_.tensor(t).shape);

  // 1. Tensors produced in a layout other than their label get a transpose.
  for (size_t i = 0; i < region.tensors.size(); ++i) {
    const TensorId t = region.tensors[i];
    const Perm l = Label(t, root);
    const int p = producer_[static_cast<size_t>(t)];
    if (p >= 0 && info(p).role == Role::kAgnostic && !Violated(p, root) &&
        op_rel_[static_cast<size_t>(p)] != rel_[static_cast<size_t>(t)]) {
      const Perm lo = OpLabel(p, root);
      TensorId written = CloneTensor(t, "_relabel");
      g_.tensor(written).shape = PermuteShape(true_shape[i], lo);
      std::replace(g_.ops()[static_cast<size_t>(p)].outputs.begin(),
                   g_.ops()[static_cast<size_t>(p)].outputs.end(), t, written);
      AppendTransposeInto(written, ComposePerms(InversePerm(lo), l), t,
                          g_.ops()[static_cast<size_t>(p)].origin);
      continue;
    }
    if (IsIdentityPerm(l) || !IsProducerAnchor(t, root)) continue;
    if (p < 0) {
      if (SoftInput(t) && l == ChannelsLast4()) {
        ctx_.Count(kPass, "inputs_made_nhwc");
        g_.tensor(t).interface_perm.assign(l.begin(), l.end());
        continue;
      }
      // Keep the interface: a new graph input in the true layout feeds a transpose.
      TensorId outer = CloneTensor(t, "_nhwc");
      std::swap(g_.tensor(outer).name, g_.tensor(t).name);
      std::replace(g_.inputs().begin(), g_.inputs().end(), t, outer);
      for (Signature& sig : g_.signatures()) {
        for (SignatureTensor& st : sig.inputs) {
          if (st.tensor == t) st.tensor = outer;
        }
      }
      AppendTransposeInto(outer, l, t, SourceLoc{g_.tensor(outer).name, "layout"});
      continue;
    }
    TensorId written = CloneTensor(t, "_nchw");
    std::replace(g_.ops()[static_cast<size_t>(p)].outputs.begin(),
                 g_.ops()[static_cast<size_t>(p)].outputs.end(), t, written);
    AppendTransposeInto(written, l, t, g_.ops()[static_cast<size_t>(p)].origin);
  }

  // 2. Stored shapes.
  for (size_t i = 0; i < region.tensors.size(); ++i) {
    Tensor& t = g_.tensor(region.tensors[i]);
    const Perm l = Label(region.tensors[i], root);
    t.shape = PermuteShape(true_shape[i], l);
    if (t.quant && t.quant->per_axis()) {
      t.quant->quantized_dimension = InversePerm(l)[static_cast<size_t>(t.quant->quantized_dimension)];
    }
  }

  // 3. Agnostic ops run on their label.
  for (int op : region.agnostic) {
    if (Violated(op, root)) continue;
    const Perm lo = OpLabel(op, root);
    for (int slot : info(op).linked_inputs) {
      TensorId in = g_.ops()[static_cast<size_t>(op)].inputs[static_cast<size_t>(slot)];
      if (rel_[static_cast<size_t>(in)] == op_rel_[static_cast<size_t>(op)]) continue;
      Perm q = ComposePerms(InversePerm(Label(in, root)), lo);
      TensorId moved = AppendTranspose(g_, in, q, g_.ops()[static_cast<size_t>(op)].origin,
                                       g_.tensor(in).name + "_relabel");
      g_.ops()[static_cast<size_t>(op)].inputs[static_cast<size_t>(slot)] = moved;
    }
    absl::Status s = ApplyLabelToOp(g_, g_.ops()[static_cast<size_t>(op)], info(op), lo);
    if (!s.ok()) return s;
  }

  // 4. Layout-fixed consumers and graph outputs read the true layout.
  for (size_t i = 0; i < region.tensors.size(); ++i) {
    const TensorId t = region.tensors[i];
    const Perm l = Label(t, root);
    if (IsIdentityPerm(l)) continue;
    std::vector<TensorUse> fixed_uses;
    for (const TensorUse& use : uses_[static_cast<size_t>(t)]) {
      if (!IsLinkedUse(use, root)) fixed_uses.push_back(use);
    }
    bool output_use = g_.IsGraphOutput(t);
    if (output_use && SoftOutput(t) && l == ChannelsLast4()) {
      ctx_.Count(kPass, "outputs_made_nhwc");
      g_.tensor(t).interface_perm.assign(l.begin(), l.end());
      output_use = false;
    }
    if (fixed_uses.empty() && !output_use) continue;
    SourceLoc origin = fixed_uses.empty()
                           ? SourceLoc{g_.tensor(t).name, "layout"}
                           : g_.ops()[static_cast<size_t>(fixed_uses[0].op_index)].origin;
    TensorId view = AppendTranspose(g_, t, InversePerm(l), origin, g_.tensor(t).name + "_nchw");
    for (const TensorUse& use : fixed_uses) {
      g_.ops()[static_cast<size_t>(use.op_index)].inputs[static_cast<size_t>(use.input_slot)] = view;
    }
    if (output_use) {
      std::replace(g_.outputs().begin(), g_.outputs().end(), t, view);
      for (Signature& sig : g_.signatures()) {
        for (SignatureTensor& st : sig.outputs) {
          if (st.tensor == t) st.tensor = view;
        }
      }
      std::swap(g_.tensor(view).name, g_.tensor(t).name);
    }
  }

  // 5. Transposes inside the region become identities (dropped later) or
  //    the residual permutation between their operands' labels.
  for (int op : region.transposes) {
    Op& o = g_.ops()[static_cast<size_t>(op)];
    const TensorId x = o.inputs[0], y = o.outputs[0];
    Perm q = ComposePerms(ComposePerms(InversePerm(Label(x, root)), info(op).perm), Label(y, root));
    if (IsIdentityPerm(q)) {
      dropped_.push_back(op);
      continue;
    }
    if (o.kind == OpKind::kReshape && PermMovesOnlyUnitDims(g_.tensor(x).shape, q)) {
      std::vector<int32_t> dims;
      for (int64_t d : g_.tensor(y).shape) dims.push_back(static_cast<int32_t>(d));
      TensorId shape_id = AddInt32Vector(g_, g_.tensor(y).name + "_shape", dims);
      g_.ops()[static_cast<size_t>(op)].inputs[1] = shape_id;
      continue;
    }
    std::vector<int32_t> values(q.begin(), q.end());
    TensorId perm_id = AddInt32Vector(g_, g_.tensor(y).name + "_perm", values);
    Op& mut = g_.ops()[static_cast<size_t>(op)];
    mut.kind = OpKind::kTranspose;
    mut.options = DefaultOptions(OpKind::kTranspose);
    mut.inputs = {mut.inputs[0], perm_id};
  }
  ctx_.Count(kPass, "regions_rewritten");
  return absl::OkStatus();
}

absl::Status LayoutSolver::Finish() {
  std::sort(dropped_.begin(), dropped_.end());
  std::vector<bool> erased(g_.ops().size(), false);
  for (int op : dropped_) {
    // Read the input live: an earlier drop may have forwarded it.
    const TensorId x = g_.ops()[static_cast<size_t>(op)].inputs[0];
    const TensorId y = g_.ops()[static_cast<size_t>(op)].outputs[0];
    if (g_.IsGraphOutput(y) && (g_.IsGraphInput(x) || g_.IsGraphOutput(x))) {
      // An output may not alias an input: keep a copy as a same-shape reshape.
      std::vector<int32_t> dims;
      int unknown = 0;
      for (int64_t d : g_.tensor(y).shape) dims.push_back(static_cast<int32_t>(d)), unknown += d < 0;
      if (unknown > 1) return absl::UnimplementedError("layout-nhwc: dynamic pass-through output");
      TensorId shape_id = AddInt32Vector(g_, g_.tensor(y).name + "_shape", dims);
      Op& mut = g_.ops()[static_cast<size_t>(op)];
      mut.kind = OpKind::kReshape;
      mut.options = DefaultOptions(OpKind::kReshape);
      mut.inputs = {x, shape_id};
      continue;
    }
    g_.ReplaceAllUses(y, x);
    erased[static_cast<size_t>(op)] = true;
  }
  return CompactGraph(g_, erased);
}

int LayoutSolver::SplitReductions() {
  int split = 0;
  for (size_t i = 0; i < num_ops_; ++i) {
    Op& op = g_.ops()[i];
    if (op.kind != OpKind::kMean && op.kind != OpKind::kSum && op.kind != OpKind::kReduceMax &&
        op.kind != OpKind::kReduceMin && op.kind != OpKind::kReduceProd) {
      continue;
    }
    if (op.opts<ReducerOptions>().keep_dims) continue;
    TensorId in = op.inputs[0];
    if (region_of_[static_cast<size_t>(in)] < 0) continue;
    auto axes = ConstInts(g_, op.inputs[1]);
    const Shape& in_shape = g_.tensor(in).shape;
    if (!axes || in_shape.size() < 2) continue;
    Shape kept = in_shape;
    bool ok = true;
    for (int64_t a : *axes) {
      auto axis = NormalizeAxis(a, static_cast<int>(in_shape.size()));
      if (!axis) ok = false; else kept[static_cast<size_t>(*axis)] = 1;
    }
    const TensorId out = op.outputs[0];
    if (!ok || std::count(g_.tensor(out).shape.begin(), g_.tensor(out).shape.end(), kUnknownDim) > 1) {
      continue;
    }
    TensorId mid = CloneTensor(out, "_keepdims");
    g_.tensor(mid).shape = kept;
    g_.ops()[i].outputs[0] = mid;
    g_.ops()[i].opts<ReducerOptions>().keep_dims = true;
    std::vector<int32_t> dims;
    for (int64_t d : g_.tensor(out).shape) dims.push_back(static_cast<int32_t>(d));
    TensorId shape_id = AddInt32Vector(g_, g_.tensor(out).name + "_shape", dims);
    g_.AddOp(MakeOp(OpKind::kReshape, {mid, shape_id}, {out}, g_.ops()[i].origin));
    ++split;
  }
  return split;
}

absl::StatusOr<bool> LayoutSolver::Run() {
  Analyze();
  BuildRegions();
  if (regions_.empty()) return false;
  if (int split = SplitReductions(); split > 0) {
    ctx_.Count(kPass, "reductions_split", split);
    absl::Status s = g_.TopologicalSort();
    if (!s.ok()) return s;
    Analyze();
    BuildRegions();
  }
  bool changed = false;
  for (const Region& region : regions_) {
    const int original = static_cast<int>(region.transposes.size());
    int best_cost = original;
    std::optional<Perm> best;
    for (const Perm& root : Candidates(region)) {
      int cost = Cost(region, root);
      if (cost < best_cost) best_cost = cost, best = root;
    }
    if (!best) continue;
    absl::Status s = Materialize(region, *best);
    if (!s.ok()) return s;
    changed = true;
  }
  if (!changed) return false;
  absl::Status s = Finish();
  if (!s.ok()) return s;
  return true;
}

}  // namespace

int CountTransposes(const Graph& graph) {
  int n = 0;
  for (const Op& op : graph.ops()) n += op.kind == OpKind::kTranspose;
  return n;
}

absl::StatusOr<bool> LayoutNhwcPass::Run(Graph& graph, PassContext& context) {
  // Work on a copy: splitting reductions is only worth keeping when a region
  // is rewritten. Constant buffers are shared, so the copy is cheap.
  Graph work = graph;
  PassContext local;
  LayoutSolver solver(work, keep_io_layout_, local);
  absl::StatusOr<bool> changed = solver.Run();
  if (!changed.ok()) return changed.status();
  if (!*changed) return false;
  const int removed = CountTransposes(graph) - CountTransposes(work);
  graph = std::move(work);
  for (const auto& [key, value] : local.counters) context.counters[key] += value;
  if (removed > 0) context.Count(kPass, "transposes_removed", removed);
  return true;
}

}  // namespace optconv
