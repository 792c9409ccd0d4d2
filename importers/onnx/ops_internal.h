#pragma once
// Sub-families of the core converters, split over files to keep each small;
// the public Register*Ops functions of op_families.h call these.
#include "importers/onnx/op_families.h"

namespace optconv::onnx_import {

void RegisterActivationOps(ConverterTable& table);  // ops_activation.cc (unary math, activations)
void RegisterErfOps(ConverterTable& table);         // ops_erf.cc
void RegisterSliceOps(ConverterTable& table);       // ops_slice.cc (Slice, Split)
void RegisterPadGatherOps(ConverterTable& table);   // ops_pad_gather.cc (Pad, Gather)

}  // namespace optconv::onnx_import
