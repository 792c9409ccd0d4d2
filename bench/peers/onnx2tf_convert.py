"""Runs onnx2tf on one ONNX model, as one process the harness measures.

Usage: onnx2tf_convert.py MODEL.onnx OUT_DIR [--quant CALIB.npy]
Without --quant: onnx2tf's float invocation, which writes both
model_float32.tflite and model_float16.tflite. With --quant: the same plus
its dynamic-range and integer (per-channel, float I/O) outputs, calibrated on
CALIB.npy (N samples of the model's real input distribution, already in
the layout onnx2tf gives the converted model's input).

Prints one JSON line: import and convert seconds and the files written, so
the harness can tell the converter's own time from interpreter start-up.
"""
import json
import sys
import time

T0 = time.perf_counter()


def main():
    model, out_dir = sys.argv[1], sys.argv[2]
    quant = len(sys.argv) > 3 and sys.argv[3] == "--quant"
    import numpy as np
    import onnx
    import onnx2tf
    t_import = time.perf_counter()
    kwargs = dict(input_onnx_file_path=model, output_folder_path=out_dir,
                  copy_onnx_input_output_names_to_tflite=True, non_verbose=True)
    if quant:
        name = onnx.load(model, load_external_data=False).graph.input[0].name
        # The calibration samples are already the model's input distribution,
        # so onnx2tf's (x - mean) / std is made the identity.
        kwargs.update(output_dynamic_range_quantized_tflite=True,
                      output_integer_quantized_tflite=True,
                      quant_type="per-channel", input_quant_dtype="float32",
                      output_quant_dtype="float32",
                      custom_input_op_name_np_data_path=[
                          [name, sys.argv[4], np.array(0.0, np.float32),
                           np.array(1.0, np.float32)]])
    onnx2tf.convert(**kwargs)
    t_done = time.perf_counter()
    import os
    print(json.dumps({"import_s": t_import - T0, "convert_s": t_done - t_import,
                      "files": sorted(f for f in os.listdir(out_dir) if f.endswith(".tflite"))}))


if __name__ == "__main__":
    main()
