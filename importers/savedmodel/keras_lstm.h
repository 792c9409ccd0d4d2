#pragma once
// Keras LSTM layers as TFLite's fused UNIDIRECTIONAL_SEQUENCE_LSTM.
//
// tf_keras (Keras 2) computes an LSTM layer in a function carrying
// api_implements = "lstm_<uuid>" with inputs (x, init_h, init_c, kernel,
// recurrent_kernel, bias) and outputs (last_output, outputs, h, c, runtime).
// The loader keeps its call; when the call fits the fused op (zero initial
// states, constant weights, no mask, the final cell state unused; go_backwards
// runs on the reversed sequence)
// the loop lowering leaves it alone and ConvertKerasLstm emits one op.
// Anything else is unrolled from the function body instead.
#include <vector>

#include "importers/savedmodel/tf_context.h"
#include "importers/savedmodel/while_lowering.h"

namespace optconv::tf_import {

/// Whether `call` of the Keras LSTM function `fn` can become one fused op.
bool IsFusableKerasLstmCall(const tensorflow::NodeDef& call, const tensorflow::FunctionDef& fn,
                            const std::vector<bool>& outputs_used, const TfNodeLookup& producer);

/// The converter for kept "lstm_*" call nodes.
absl::Status ConvertKerasLstm(TfContext& ctx, const tensorflow::NodeDef& node);

}  // namespace optconv::tf_import
