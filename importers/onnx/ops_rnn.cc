// LSTM (forward, reverse, bidirectional; layouts 0 and 1).
//
// Preferred form: one UNIDIRECTIONAL_SEQUENCE_LSTM per direction (reverse
// directions run on a time-reversed sequence), with the state in zero-
// initialised variable tensors. When the fused op cannot express the node
// (Y_c wanted, non-zero or run-time initial states, clip, input_forget), the
// recurrence is unrolled over the static sequence length with
// FULLY_CONNECTED / ADD / SPLIT / LOGISTIC / TANH / MUL.
//
// ONNX packs gates as i, o, f, c (W [dirs,4H,I], R [dirs,4H,H], B [dirs,8H]
// = Wb ++ Rb, P [dirs,3H] = i, o, f); TFLite wants separate i, f, c, o.
#include "absl/strings/str_cat.h"
#include "importers/common/sequence_lstm.h"
#include "importers/onnx/op_families.h"
#include "importers/onnx/rnn_util.h"

namespace optconv::onnx_import {
namespace {

constexpr int kOnnxGateOfTflite[4] = {0, 2, 3, 1};  // TFLite i,f,c,o -> ONNX block
constexpr int kOnnxPeepholeOfTflite[3] = {0, 2, 1};  // TFLite i,f,o -> ONNX P block

// One direction's parameters, split per gate in TFLite order (i, f, c, o);
// bias = Wb + Rb; peepholes empty when absent or zero.
using DirectionParams = importer::LstmGateWeights;

struct LstmNode : RnnNode {
  std::vector<DirectionParams> dirs;
  TensorId initial_c = kNoTensor;  // as given (any layout)
  bool zero_initial_state = true;
};

absl::StatusOr<LstmNode> ReadLstm(OnnxContext& ctx, const onnx::NodeProto& node) {
  LstmNode n;
  NN_ASSIGN_OR_RETURN(static_cast<RnnNode&>(n),
                      ReadRnnNode(ctx, node, 4, {"Sigmoid", "Tanh", "Tanh"}));
  if (OnnxContext::AttrInt(node, "input_forget", 0) != 0) {
    return ctx.Unsupported(node, "input_forget = 1", "input_forget = 0");
  }
  const int64_t dirs = n.num_directions();
  const int64_t h = n.hidden, in = n.input_size;
  NN_ASSIGN_OR_RETURN(std::vector<float> w, ConstRnnInput(ctx, node, 1, "W", dirs * 4 * h * in));
  NN_ASSIGN_OR_RETURN(std::vector<float> r, ConstRnnInput(ctx, node, 2, "R", dirs * 4 * h * h));
  std::vector<float> b(dirs * 8 * h, 0.0f), p;
  if (OnnxContext::HasInput(node, 3)) {
    NN_ASSIGN_OR_RETURN(b, ConstRnnInput(ctx, node, 3, "B", dirs * 8 * h));
  }
  if (OnnxContext::HasInput(node, 7)) {
    NN_ASSIGN_OR_RETURN(p, ConstRnnInput(ctx, node, 7, "P", dirs * 3 * h));
  }
  n.dirs.resize(dirs);
  for (int64_t d = 0; d < dirs; ++d) {
    DirectionParams& dp = n.dirs[d];
    for (int g = 0; g < 4; ++g) {
      const int64_t og = kOnnxGateOfTflite[g];
      dp.w[g] = Block(w, (d * 4 + og) * h * in, h * in);
      dp.r[g] = Block(r, (d * 4 + og) * h * h, h * h);
      dp.bias[g] = Block(b, d * 8 * h + og * h, h);
      const std::vector<float> rb = Block(b, d * 8 * h + (4 + og) * h, h);
      for (int64_t i = 0; i < h; ++i) dp.bias[g][i] += rb[i];
    }
    if (!p.empty()) {
      bool any = false;
      for (int g = 0; g < 3; ++g) {
        dp.peephole[g] = Block(p, d * 3 * h + kOnnxPeepholeOfTflite[g] * h, h);
        any = any || !AllZero(dp.peephole[g]);
      }
      if (!any) {
        for (auto& v : dp.peephole) v.clear();
      }
    }
  }
  if (OnnxContext::HasInput(node, 6)) {
    NN_ASSIGN_OR_RETURN(n.initial_c, ctx.Input(node, 6));
  }
  n.zero_initial_state = IsZeroState(ctx, n.initial_h) && IsZeroState(ctx, n.initial_c);
  return n;
}

// ---------------------------------------------------------------- fused

absl::StatusOr<DirectionResult> EmitFusedDirection(OnnxContext& ctx, const onnx::NodeProto& node,
                                                   const LstmNode& n, int d) {
  const std::string base = absl::StrCat(NodeBaseName(node), d == 0 ? "/fw" : "/bw");
  TensorId x = n.x;
  if (n.reverse[d]) {
    NN_ASSIGN_OR_RETURN(x, ReverseTime(ctx, node, x, n.time_axis()));
  }
  importer::SequenceLstmShape shape;
  shape.batch = n.batch;
  shape.hidden = n.hidden;
  shape.input_size = n.input_size;
  shape.time_major = n.layout == 0;
  DirectionResult r;
  NN_ASSIGN_OR_RETURN(r.y, importer::EmitSequenceLstm(ctx, OnnxContext::Origin(node), base, x,
                                                      n.dirs[d], shape));
  // The last step's hidden state: last row of y (first after un-reversing).
  NN_ASSIGN_OR_RETURN(r.y_h, SliceOne(ctx, node, r.y, n.time_axis(), -1));
  if (n.reverse[d]) {
    NN_ASSIGN_OR_RETURN(r.y, ReverseTime(ctx, node, r.y, n.time_axis()));
  }
  return r;
}

// ---------------------------------------------------------------- unrolled

absl::StatusOr<DirectionResult> EmitUnrolledDirection(OnnxContext& ctx,
                                                      const onnx::NodeProto& node,
                                                      const LstmNode& n, int d) {
  const DirectionParams& p = n.dirs[d];
  const std::string base = absl::StrCat(NodeBaseName(node), d == 0 ? "/fw" : "/bw");
  const int64_t h = n.hidden, in = n.input_size, steps = n.seq;
  const DataType t = ctx.type(n.x);
  // Gate blocks stacked in TFLite order i, f, c, o: W [4H, I], R [4H, H], b [4H].
  std::vector<float> w, r, b;
  for (int g = 0; g < 4; ++g) {
    w.insert(w.end(), p.w[g].begin(), p.w[g].end());
    r.insert(r.end(), p.r[g].begin(), p.r[g].end());
    b.insert(b.end(), p.bias[g].begin(), p.bias[g].end());
  }
  TensorId w_id = ctx.AddConstFloats(base + "/w_all", w, {4 * h, in});
  TensorId r_id = ctx.AddConstFloats(base + "/r_all", r, {4 * h, h});
  TensorId b_id = ctx.AddConstFloats(base + "/b_all", b, {4 * h});
  TensorId peep[3] = {kNoTensor, kNoTensor, kNoTensor};
  if (!p.peephole[0].empty()) {
    for (int g = 0; g < 3; ++g) {
      peep[g] = ctx.AddConstFloats(absl::StrCat(base, "/peephole_", g), p.peephole[g], {h});
    }
  }
  // Input projection of every step at once: [T,B,4H] / [B,T,4H].
  NN_ASSIGN_OR_RETURN(std::vector<TensorId> xw_steps,
                      ProjectInputSteps(ctx, node, n, w_id, b_id, steps));
  NN_ASSIGN_OR_RETURN(TensorId h_prev, DirectionState(ctx, node, n, n.initial_h, d));
  NN_ASSIGN_OR_RETURN(TensorId c_prev, DirectionState(ctx, node, n, n.initial_c, d));
  TensorId split_axis = AxisConst(ctx, node, "gate_axis", 1);
  std::vector<TensorId> hs(steps);
  for (int64_t k = 0; k < steps; ++k) {
    const int64_t step = n.reverse[d] ? steps - 1 - k : k;
    TensorId gates = xw_steps[step];
    if (h_prev != kNoTensor) {
      NN_ASSIGN_OR_RETURN(TensorId hr, ctx.Emit(node, OpKind::kFullyConnected, {h_prev, r_id},
                                                FullyConnectedOptions{}, t));
      NN_ASSIGN_OR_RETURN(gates, EmitBinary(ctx, node, OpKind::kAdd, gates, hr));
    }
    NN_ASSIGN_OR_RETURN(std::vector<TensorId> g,
                        ctx.EmitMulti(node, OpKind::kSplit, {split_axis, gates},
                                      SplitOptions{4}, t, 4));
    // g: i, f, c~, o pre-activations.
    if (c_prev != kNoTensor && peep[0] != kNoTensor) {
      for (int gi : {0, 1}) {
        NN_ASSIGN_OR_RETURN(TensorId pc, EmitBinary(ctx, node, OpKind::kMul, c_prev, peep[gi]));
        NN_ASSIGN_OR_RETURN(g[gi], EmitBinary(ctx, node, OpKind::kAdd, g[gi], pc));
      }
    }
    NN_ASSIGN_OR_RETURN(TensorId gi, EmitUnary(ctx, node, OpKind::kLogistic, g[0]));
    NN_ASSIGN_OR_RETURN(TensorId gc, EmitUnary(ctx, node, OpKind::kTanh, g[2]));
    NN_ASSIGN_OR_RETURN(TensorId c, EmitBinary(ctx, node, OpKind::kMul, gi, gc));
    if (c_prev != kNoTensor) {
      NN_ASSIGN_OR_RETURN(TensorId gf, EmitUnary(ctx, node, OpKind::kLogistic, g[1]));
      NN_ASSIGN_OR_RETURN(TensorId fc, EmitBinary(ctx, node, OpKind::kMul, gf, c_prev));
      NN_ASSIGN_OR_RETURN(c, EmitBinary(ctx, node, OpKind::kAdd, fc, c));
    }
    TensorId go_pre = g[3];
    if (peep[2] != kNoTensor) {
      NN_ASSIGN_OR_RETURN(TensorId pc, EmitBinary(ctx, node, OpKind::kMul, c, peep[2]));
      NN_ASSIGN_OR_RETURN(go_pre, EmitBinary(ctx, node, OpKind::kAdd, go_pre, pc));
    }
    NN_ASSIGN_OR_RETURN(TensorId go, EmitUnary(ctx, node, OpKind::kLogistic, go_pre));
    NN_ASSIGN_OR_RETURN(TensorId tc, EmitUnary(ctx, node, OpKind::kTanh, c));
    NN_ASSIGN_OR_RETURN(h_prev, EmitBinary(ctx, node, OpKind::kMul, go, tc));
    c_prev = c;
    hs[step] = h_prev;
  }
  DirectionResult res;
  PackOptions pk;
  pk.axis = n.time_axis();
  pk.values_count = static_cast<int32_t>(steps);
  NN_ASSIGN_OR_RETURN(res.y, ctx.Emit(node, OpKind::kPack, hs, pk, t));
  const int state_axis = n.layout == 0 ? 0 : 1;
  NN_ASSIGN_OR_RETURN(res.y_h, ExpandAxis(ctx, node, h_prev, state_axis));
  NN_ASSIGN_OR_RETURN(res.y_c, ExpandAxis(ctx, node, c_prev, state_axis));
  return res;
}

absl::Status ConvertLstm(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(LstmNode n, ReadLstm(ctx, node));
  const bool y_c_used = OutputUsed(ctx, node, 2);
  const bool fused = !y_c_used && n.zero_initial_state && n.batch >= 0 &&
                     ctx.type(n.x) == DataType::kFloat32;
  if (!fused && n.seq < 0) {
    return ctx.Unsupported(node,
                           "an LSTM needing an unrolled form (Y_c output, non-zero initial state "
                           "or dynamic batch) with a dynamic sequence length",
                           "a static sequence length");
  }
  std::vector<DirectionResult> res;
  for (int d = 0; d < static_cast<int>(n.dirs.size()); ++d) {
    DirectionResult r;
    if (fused) {
      NN_ASSIGN_OR_RETURN(r, EmitFusedDirection(ctx, node, n, d));
    } else {
      NN_ASSIGN_OR_RETURN(r, EmitUnrolledDirection(ctx, node, n, d));
    }
    res.push_back(r);
  }
  return BindRnnOutputs(ctx, node, n, res);
}

}  // namespace

void RegisterRnnOps(ConverterTable& table) {
  table["LSTM"] = &ConvertLstm;
  table["GRU"] = &ConvertGru;
}

}  // namespace optconv::onnx_import
