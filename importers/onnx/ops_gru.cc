// GRU (forward, reverse, bidirectional; layouts 0 and 1; both
// linear_before_reset forms). TFLite has no GRU builtin, so the recurrence is
// unrolled over the static sequence length: one FULLY_CONNECTED projects every
// step's input at once, then per step FULLY_CONNECTED of the hidden state,
// SPLIT, LOGISTIC, TANH, MUL, ADD, SUB.
//
// ONNX packs gates as z, r, h: W [dirs,3H,I], R [dirs,3H,H], B [dirs,6H] = Wb ++ Rb.
//   z = s(x Wz + h Rz + Wbz + Rbz)     r = s(x Wr + h Rr + Wbr + Rbr)
//   h~ = tanh(x Wh + (r*h) Rh + Rbh + Wbh)        (linear_before_reset = 0)
//   h~ = tanh(x Wh + r*(h Rh + Rbh) + Wbh)        (linear_before_reset = 1)
//   h' = h~ + z*(h - h~)
#include "absl/strings/str_cat.h"
#include "importers/onnx/rnn_util.h"

namespace optconv::onnx_import {
namespace {

struct GruDirection {
  std::vector<float> w;        // [3H, I]  z, r, h
  std::vector<float> r_all;    // [3H, H]
  std::vector<float> bias_x;   // [3H]: Wb (+ Rb for z, r; + Rbh unless linear_before_reset)
  std::vector<float> rb_h;     // [H]: Rbh (used inside the reset product when lbr = 1)
};

absl::StatusOr<DirectionResult> EmitGruDirection(OnnxContext& ctx, const onnx::NodeProto& node,
                                                 const RnnNode& n, const GruDirection& p, int d,
                                                 bool lbr) {
  const std::string base = absl::StrCat(NodeBaseName(node), d == 0 ? "/fw" : "/bw");
  const int64_t h = n.hidden, in = n.input_size, steps = n.seq;
  const DataType t = ctx.type(n.x);
  TensorId w_id = ctx.AddConstFloats(base + "/w_all", p.w, {3 * h, in});
  TensorId bx_id = ctx.AddConstFloats(base + "/b_x", p.bias_x, {3 * h});
  const bool rbh_zero = AllZero(p.rb_h);
  // Hidden-state weights: all three gates when lbr (h~ uses h Rh + Rbh
  // directly), else z and r only (h~ uses (r*h) Rh).
  TensorId r_id, rh_id = kNoTensor;
  if (lbr) {
    std::vector<float> bias(2 * h, 0.0f);
    bias.insert(bias.end(), p.rb_h.begin(), p.rb_h.end());
    r_id = ctx.AddConstFloats(base + "/r_all", p.r_all, {3 * h, h});
    rh_id = ctx.AddConstFloats(base + "/b_h", bias, {3 * h});  // bias of the FC
  } else {
    r_id = ctx.AddConstFloats(base + "/r_zr", Block(p.r_all, 0, 2 * h * h), {2 * h, h});
    rh_id = ctx.AddConstFloats(base + "/r_h", Block(p.r_all, 2 * h * h, h * h), {h, h});
  }

  NN_ASSIGN_OR_RETURN(std::vector<TensorId> xw_steps,
                      ProjectInputSteps(ctx, node, n, w_id, bx_id, steps));
  NN_ASSIGN_OR_RETURN(TensorId h_prev, DirectionState(ctx, node, n, n.initial_h, d));
  TensorId axis = AxisConst(ctx, node, "gate_axis", 1);
  TensorId rbh_const = kNoTensor;
  std::vector<TensorId> hs(steps);
  for (int64_t k = 0; k < steps; ++k) {
    const int64_t step = n.reverse[d] ? steps - 1 - k : k;
    NN_ASSIGN_OR_RETURN(std::vector<TensorId> xg, ctx.EmitMulti(node, OpKind::kSplit,
                                                                {axis, xw_steps[step]},
                                                                SplitOptions{3}, t, 3));
    TensorId zp = xg[0], rp = xg[1], hp = xg[2];
    TensorId hh = kNoTensor;  // lbr: h Rh + Rbh
    if (h_prev != kNoTensor) {
      std::vector<TensorId> fc_in = {h_prev, r_id};
      if (lbr) fc_in.push_back(rh_id);
      NN_ASSIGN_OR_RETURN(TensorId hr, ctx.Emit(node, OpKind::kFullyConnected, fc_in,
                                                FullyConnectedOptions{}, t));
      const int parts = lbr ? 3 : 2;
      NN_ASSIGN_OR_RETURN(std::vector<TensorId> hg, ctx.EmitMulti(node, OpKind::kSplit, {axis, hr},
                                                                  SplitOptions{parts}, t, parts));
      NN_ASSIGN_OR_RETURN(zp, EmitBinary(ctx, node, OpKind::kAdd, zp, hg[0]));
      NN_ASSIGN_OR_RETURN(rp, EmitBinary(ctx, node, OpKind::kAdd, rp, hg[1]));
      if (lbr) hh = hg[2];
    } else if (lbr && !rbh_zero) {
      if (rbh_const == kNoTensor) rbh_const = ctx.AddConstFloats(base + "/rb_h", p.rb_h, {h});
      hh = rbh_const;  // h = 0: h Rh + Rbh = Rbh
    }
    NN_ASSIGN_OR_RETURN(TensorId z, EmitUnary(ctx, node, OpKind::kLogistic, zp));
    if (hh != kNoTensor) {
      NN_ASSIGN_OR_RETURN(TensorId r, EmitUnary(ctx, node, OpKind::kLogistic, rp));
      NN_ASSIGN_OR_RETURN(TensorId rh, EmitBinary(ctx, node, OpKind::kMul, r, hh));
      NN_ASSIGN_OR_RETURN(hp, EmitBinary(ctx, node, OpKind::kAdd, hp, rh));
    } else if (!lbr && h_prev != kNoTensor) {
      NN_ASSIGN_OR_RETURN(TensorId r, EmitUnary(ctx, node, OpKind::kLogistic, rp));
      NN_ASSIGN_OR_RETURN(TensorId rh, EmitBinary(ctx, node, OpKind::kMul, r, h_prev));
      NN_ASSIGN_OR_RETURN(TensorId rhr, ctx.Emit(node, OpKind::kFullyConnected, {rh, rh_id},
                                                 FullyConnectedOptions{}, t));
      NN_ASSIGN_OR_RETURN(hp, EmitBinary(ctx, node, OpKind::kAdd, hp, rhr));
    }
    NN_ASSIGN_OR_RETURN(TensorId cand, EmitUnary(ctx, node, OpKind::kTanh, hp));
    // h' = h~ + z*(h - h~); with h = 0: h~ - z*h~.
    TensorId next;
    if (h_prev != kNoTensor) {
      NN_ASSIGN_OR_RETURN(TensorId diff, EmitBinary(ctx, node, OpKind::kSub, h_prev, cand));
      NN_ASSIGN_OR_RETURN(TensorId zd, EmitBinary(ctx, node, OpKind::kMul, z, diff));
      NN_ASSIGN_OR_RETURN(next, EmitBinary(ctx, node, OpKind::kAdd, cand, zd));
    } else {
      NN_ASSIGN_OR_RETURN(TensorId zc, EmitBinary(ctx, node, OpKind::kMul, z, cand));
      NN_ASSIGN_OR_RETURN(next, EmitBinary(ctx, node, OpKind::kSub, cand, zc));
    }
    h_prev = next;
    hs[step] = next;
  }
  DirectionResult res;
  PackOptions po;  // Y stacks the steps back along the time axis
  po.axis = n.time_axis();
  po.values_count = static_cast<int32_t>(steps);
  NN_ASSIGN_OR_RETURN(res.y, ctx.Emit(node, OpKind::kPack, hs, po, t));
  NN_ASSIGN_OR_RETURN(res.y_h, ExpandAxis(ctx, node, h_prev, n.layout == 0 ? 0 : 1));
  return res;
}

}  // namespace

absl::Status ConvertGru(OnnxContext& ctx, const onnx::NodeProto& node) {
  NN_ASSIGN_OR_RETURN(RnnNode n, ReadRnnNode(ctx, node, 3, {"Sigmoid", "Tanh"}));
  if (n.seq < 0) {
    return ctx.Unsupported(node, "GRU with a dynamic sequence length (it is unrolled)",
                           "a static sequence length");
  }
  const bool lbr = OnnxContext::AttrInt(node, "linear_before_reset", 0) != 0;
  const int64_t dirs = n.num_directions(), h = n.hidden, in = n.input_size;
  NN_ASSIGN_OR_RETURN(std::vector<float> w, ConstRnnInput(ctx, node, 1, "W", dirs * 3 * h * in));
  NN_ASSIGN_OR_RETURN(std::vector<float> r, ConstRnnInput(ctx, node, 2, "R", dirs * 3 * h * h));
  std::vector<float> b(dirs * 6 * h, 0.0f);
  if (OnnxContext::HasInput(node, 3)) {
    NN_ASSIGN_OR_RETURN(b, ConstRnnInput(ctx, node, 3, "B", dirs * 6 * h));
  }
  std::vector<DirectionResult> res;
  for (int64_t d = 0; d < dirs; ++d) {
    GruDirection p;
    p.w = Block(w, d * 3 * h * in, 3 * h * in);
    p.r_all = Block(r, d * 3 * h * h, 3 * h * h);
    p.bias_x = Block(b, d * 6 * h, 3 * h);
    p.rb_h = Block(b, d * 6 * h + 5 * h, h);
    for (int64_t i = 0; i < 2 * h; ++i) p.bias_x[i] += b[d * 6 * h + 3 * h + i];
    if (!lbr) {
      for (int64_t i = 0; i < h; ++i) p.bias_x[2 * h + i] += p.rb_h[i];
    }
    NN_ASSIGN_OR_RETURN(DirectionResult dr,
                        EmitGruDirection(ctx, node, n, p, static_cast<int>(d), lbr));
    res.push_back(dr);
  }
  return BindRnnOutputs(ctx, node, n, res);
}

}  // namespace optconv::onnx_import
