"""Recurrent TensorFlow test models: Keras LSTM / GRU text classifiers.

One function per model; each writes a SavedModel directory at `out`.
Weights come from fixed seeds. Keras 3 (`keras`) exports through `model.export`, whose graph runs the RNN as a While loop over
TensorLists without api_implements; tf_keras (Keras 2) saves the layer as a
call of an api_implements function ("lstm_<uuid>", "gru_<uuid>") that holds a
StatelessWhile loop. Registered in gen_tf_models.py.

Input: int32 token ids [batch, SEQ_LEN]; gen_tf_models.py feeds ids in [0, 100).
"""
VOCAB = 1000
SEQ_LEN = 20
EMBED = 16
UNITS = 32
CLASSES = 4


def _seed(keras_module, seed):
    keras_module.utils.set_random_seed(seed)


def _text_classifier(keras, rnn_layers, seed):
    """Embedding -> recurrent layers -> Dense softmax, built with `keras`."""
    _seed(keras, seed)
    tokens = keras.Input((SEQ_LEN,), dtype="int32", name="tokens")
    x = keras.layers.Embedding(VOCAB, EMBED)(tokens)
    for layer in rnn_layers(keras):
        x = layer(x)
    probs = keras.layers.Dense(CLASSES, activation="softmax")(x)
    return keras.Model(tokens, probs)


def _save_keras3(model, path):
    model.export(str(path), verbose=False)


def _save_tf_keras(model, path):
    model.save(str(path), save_format="tf")


def _lstm(keras):
    return [keras.layers.LSTM(UNITS)]


def _gru(keras):
    return [keras.layers.GRU(UNITS)]


def _stacked_bidirectional_lstm(keras):
    # The backward direction runs with go_backwards=True (not fusable: unrolled).
    return [keras.layers.Bidirectional(keras.layers.LSTM(UNITS // 2, return_sequences=True)),
            keras.layers.LSTM(UNITS)]


def lstm_text_keras3(out):
    import keras
    _save_keras3(_text_classifier(keras, _lstm, 11), out)


def lstm_text_tf_keras(out):
    import tf_keras
    _save_tf_keras(_text_classifier(tf_keras, _lstm, 12), out)


def gru_text_keras3(out):
    import keras
    _save_keras3(_text_classifier(keras, _gru, 13), out)


def gru_text_tf_keras(out):
    import tf_keras
    _save_tf_keras(_text_classifier(tf_keras, _gru, 14), out)


def stacked_bilstm_text_tf_keras(out):
    import tf_keras
    _save_tf_keras(_text_classifier(tf_keras, _stacked_bidirectional_lstm, 15), out)


# gen_tf_models.py registers these under its own names.
MODELS = {
    "k3_lstm_text": lstm_text_keras3,
    "k2_lstm_text": lstm_text_tf_keras,
    "k3_gru_text": gru_text_keras3,
    "k2_gru_text": gru_text_tf_keras,
    "k2_stacked_bilstm_text": stacked_bilstm_text_tf_keras,
}
