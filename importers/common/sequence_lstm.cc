#include "importers/common/sequence_lstm.h"

#include "absl/strings/str_cat.h"

namespace optconv::importer {

absl::StatusOr<TensorId> EmitSequenceLstm(GraphBuilder& builder, const SourceLoc& origin,
                                          const std::string& base, TensorId x,
                                          const LstmGateWeights& p,
                                          const SequenceLstmShape& shape) {
  const int64_t h = shape.hidden, in = shape.input_size;
  static const char* kGate[4] = {"input", "forget", "cell", "output"};
  // The op's 24 inputs: x, 4 input weights, 4 recurrent weights, 3 peepholes,
  // 4 gate biases, projection weights/bias, output/cell state, 4 layer norms.
  std::vector<TensorId> inputs(24, kNoTensor);
  inputs[0] = x;
  for (int g = 0; g < 4; ++g) {
    inputs[1 + g] = builder.AddConstFloats(absl::StrCat(base, "/input_to_", kGate[g], "_weights"),
                                           p.w[g], {h, in});
    inputs[5 + g] = builder.AddConstFloats(
        absl::StrCat(base, "/recurrent_to_", kGate[g], "_weights"), p.r[g], {h, h});
    inputs[12 + g] = builder.AddConstFloats(absl::StrCat(base, "/", kGate[g], "_gate_bias"),
                                            p.bias[g], {h});
  }
  if (!p.peephole[0].empty()) {
    static const char* kPeep[3] = {"input", "forget", "output"};
    for (int g = 0; g < 3; ++g) {
      inputs[9 + g] = builder.AddConstFloats(
          absl::StrCat(base, "/cell_to_", kPeep[g], "_weights"), p.peephole[g], {h});
    }
  }
  // The op keeps its state in variable tensors it updates in place.
  for (int i : {18, 19}) {
    Tensor state;
    state.name = builder.UniqueName(absl::StrCat(base, i == 18 ? "/output_state" : "/cell_state"));
    state.type = DataType::kFloat32;
    state.shape = {shape.batch, h};
    state.is_variable = true;
    inputs[i] = builder.graph().AddTensor(std::move(state));
  }
  SequenceLstmOptions o;
  o.activation = Activation::kTanh;
  o.time_major = shape.time_major;
  return builder.Emit(origin, OpKind::kUnidirectionalSequenceLstm, std::move(inputs), o,
                      builder.type(x));
}

}  // namespace optconv::importer
