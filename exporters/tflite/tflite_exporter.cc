#include "exporters/tflite/tflite_exporter.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "converter/json_writer.h"
#include "converter/status_util.h"
#include "exporters/tflite/builtin_codes.h"
#include "exporters/tflite/export_checks.h"
#include "exporters/tflite/export_plan.h"
#include "exporters/tflite/op_options_writer.h"
#include "exporters/tflite/tflite_types.h"
#include "flatbuffers/flatbuffers.h"
#include "schema_generated.h"

namespace optconv {
namespace {

namespace fb = flatbuffers;

constexpr uint32_t kSchemaVersion = 3;
constexpr size_t kMinRuntimeVersionBytes = 16;
constexpr char kMinRuntimeVersionKey[] = "min_runtime_version";
constexpr char kIoLayoutKey[] = "optconv_io_layout";

/// The inputs and outputs whose layout differs from the source model's, as
/// JSON: [{"name": ..., "perm": [...]}], the .tflite value being the source
/// value transposed by perm (the --json report's "io" record). Empty when the
/// interface is the source's, so such files carry no entry.
std::string IoLayoutJson(const Graph& graph) {
  JsonWriter w(/*indent=*/0);
  w.BeginArray();
  bool any = false;
  for (const std::vector<TensorId>* list : {&graph.inputs(), &graph.outputs()}) {
    for (TensorId id : *list) {
      const Tensor& t = graph.tensor(id);
      if (t.interface_perm.empty()) continue;
      any = true;
      w.BeginObject().Key("name").String(t.name).Key("perm").BeginArray();
      for (int32_t p : t.interface_perm) w.Int(p);
      w.EndArray().EndObject();
    }
  }
  w.EndArray();
  return any ? w.str() : std::string();
}

fb::Offset<fb::Vector<int32_t>> IdVector(fb::FlatBufferBuilder& fbb,
                                         const std::vector<TensorId>& ids) {
  return fbb.CreateVector(ids.data(), ids.size());
}

fb::Offset<tflite::QuantizationParameters> WriteQuantization(fb::FlatBufferBuilder& fbb,
                                                             const QuantParams& q) {
  auto min = q.min.empty() ? 0 : fbb.CreateVector(q.min);
  auto max = q.max.empty() ? 0 : fbb.CreateVector(q.max);
  auto scale = q.scales.empty() ? 0 : fbb.CreateVector(q.scales);
  auto zero_point = q.zero_points.empty() ? 0 : fbb.CreateVector(q.zero_points);
  return tflite::CreateQuantizationParameters(fbb, min, max, scale, zero_point,
                                              tflite::QuantizationDetails::NONE, 0,
                                              q.quantized_dimension);
}

fb::Offset<tflite::Tensor> WriteTensor(fb::FlatBufferBuilder& fbb, const Tensor& t,
                                       uint32_t buffer) {
  std::vector<int32_t> shape;
  std::vector<int32_t> signature;
  bool dynamic = false;
  for (int64_t d : t.shape) {
    // Unknown dims: 1 in `shape` (the size the interpreter allocates until
    // resized) and -1 in `shape_signature`, as the TensorFlow converter does.
    dynamic |= d < 0;
    shape.push_back(d < 0 ? 1 : static_cast<int32_t>(d));
    signature.push_back(d < 0 ? -1 : static_cast<int32_t>(d));
  }
  auto shape_offset = fbb.CreateVector(shape);
  auto signature_offset = dynamic ? fbb.CreateVector(signature) : 0;
  auto name = fbb.CreateString(t.name);
  auto quant = t.quant ? WriteQuantization(fbb, *t.quant) : 0;
  return tflite::CreateTensor(fbb, shape_offset, TfliteTensorType(t.type), buffer, name, quant,
                              t.is_variable, 0, signature_offset, /*has_rank=*/true);
}

fb::Offset<fb::Vector<fb::Offset<tflite::TensorMap>>> WriteTensorMaps(
    fb::FlatBufferBuilder& fbb, const std::vector<SignatureTensor>& entries) {
  std::vector<fb::Offset<tflite::TensorMap>> maps;
  maps.reserve(entries.size());
  for (const SignatureTensor& st : entries) {
    const auto name = fbb.CreateString(st.name);
    maps.push_back(tflite::CreateTensorMap(fbb, name, static_cast<uint32_t>(st.tensor)));
  }
  return fbb.CreateVector(maps);
}

}  // namespace

absl::StatusOr<fb::DetachedBuffer> ExportTfliteConsuming(Graph&& graph,
                                                         const TfliteExportOptions& options) {
  if (absl::Status s = CheckExportable(graph); !s.ok()) return s;
  const BufferPlan buffer_plan = PlanBuffers(graph);
  const OpCodePlan code_plan = PlanOpCodes(graph);
  const size_t estimate = EstimateSize(graph, buffer_plan);
  if (estimate >= FLATBUFFERS_MAX_BUFFER_SIZE) {
    return absl::UnimplementedError(absl::StrCat(
        graph.source_path, ": the model needs about ", estimate >> 20,
        " MiB, above the 2 GiB flatbuffer limit (external TFLite buffers are not supported)"));
  }

  // The default allocator's block is uninitialised, so its pages become
  // resident only as the builder fills them; sized by the estimate, it never
  // grows (growing would copy everything once more).
  fb::FlatBufferBuilder fbb(estimate, /*allocator=*/nullptr, /*own_allocator=*/false,
                            kTfliteBufferAlignment);
  fbb.ForceDefaults(false);

  // Builtin options first: some read constant operands (e.g. RESHAPE's
  // shape), whose data is dropped below once it is in the flatbuffer.
  std::vector<WrittenOptions> op_options;
  op_options.reserve(graph.ops().size());
  for (const Op& op : graph.ops()) {
    absl::StatusOr<WrittenOptions> opts = WriteBuiltinOptions(fbb, graph, op);
    if (!opts.ok()) return opts.status();
    op_options.push_back(*opts);
  }

  // Constant data next: it lands at the end of the file, after the tables.
  std::vector<std::vector<TensorId>> buffer_users(buffer_plan.buffer_source.size());
  for (TensorId id = 0; id < graph.num_tensors(); ++id) {
    buffer_users[buffer_plan.tensor_buffer[id]].push_back(id);
  }
  std::vector<fb::Offset<tflite::Buffer>> buffers;
  buffers.reserve(buffer_plan.buffer_source.size() + 1);
  buffers.push_back(tflite::CreateBuffer(fbb));  // the empty sentinel
  for (size_t i = 1; i < buffer_plan.buffer_source.size(); ++i) {
    const TensorId source = buffer_plan.buffer_source[i];
    if (source == kNoTensor) {
      buffers.push_back(tflite::CreateBuffer(fbb));  // an activation's empty buffer
      continue;
    }
    const Buffer& data = *graph.tensor(source).data;
    fbb.ForceVectorAlignment(data.size(), sizeof(uint8_t), kTfliteBufferAlignment);
    auto vector = fbb.CreateVector(data.data(), data.size());
    buffers.push_back(tflite::CreateBuffer(fbb, vector));
    // Copied: the graph's reference goes (freeing owned memory no other
    // graph shares), and pages of a file mapping leave resident memory.
    data.ReleasePages();
    for (TensorId user : buffer_users[i]) graph.tensor(user).data.reset();
  }
  // min_runtime_version: a 16-byte, zero-padded string, as TFLite's
  // converter reserves it.
  std::vector<uint8_t> version_bytes(kMinRuntimeVersionBytes, 0);
  std::memcpy(version_bytes.data(), code_plan.min_runtime_version.data(),
              std::min(code_plan.min_runtime_version.size(), kMinRuntimeVersionBytes - 1));
  const uint32_t version_buffer = static_cast<uint32_t>(buffers.size());
  const auto version_data = fbb.CreateVector(version_bytes);
  buffers.push_back(tflite::CreateBuffer(fbb, version_data));
  const std::string io_layout = IoLayoutJson(graph);
  const uint32_t io_layout_buffer = static_cast<uint32_t>(buffers.size());
  if (!io_layout.empty()) {
    const auto io_layout_data = fbb.CreateVector(
        reinterpret_cast<const uint8_t*>(io_layout.data()), io_layout.size());
    buffers.push_back(tflite::CreateBuffer(fbb, io_layout_data));
  }
  // Tensors, indexed like the IR's TensorIds.
  std::vector<fb::Offset<tflite::Tensor>> tensors;
  tensors.reserve(graph.num_tensors());
  for (TensorId id = 0; id < graph.num_tensors(); ++id) {
    tensors.push_back(WriteTensor(fbb, graph.tensor(id), buffer_plan.tensor_buffer[id]));
  }

  // Operators.
  std::vector<fb::Offset<tflite::Operator>> operators;
  operators.reserve(graph.ops().size());
  for (size_t i = 0; i < graph.ops().size(); ++i) {
    const Op& op = graph.ops()[i];
    const WrittenOptions& opts = op_options[i];
    // Convolutions decide "has bias" from the input count, so an omitted
    // trailing bias must be dropped rather than written as -1.
    std::vector<TensorId> op_inputs = op.inputs;
    if (op.kind == OpKind::kConv2D || op.kind == OpKind::kDepthwiseConv2D ||
        op.kind == OpKind::kTransposeConv) {
      while (!op_inputs.empty() && op_inputs.back() == kNoTensor) op_inputs.pop_back();
    }
    auto inputs = IdVector(fbb, op_inputs);  // kNoTensor is already -1
    auto outputs = IdVector(fbb, op.outputs);
    operators.push_back(tflite::CreateOperator(fbb, code_plan.op_code_index[i], inputs, outputs,
                                               opts.type, opts.offset));
  }

  // Children are created in named steps rather than as call arguments:
  // argument evaluation order is unspecified, and the byte layout must not
  // depend on the compiler.
  const auto tensor_vector = fbb.CreateVector(tensors);
  const auto input_vector = IdVector(fbb, graph.inputs());
  const auto output_vector = IdVector(fbb, graph.outputs());
  const auto operator_vector = fbb.CreateVector(operators);
  const auto subgraph_name = fbb.CreateString("main");
  const auto subgraph = tflite::CreateSubGraph(fbb, tensor_vector, input_vector, output_vector,
                                               operator_vector, subgraph_name);

  std::vector<fb::Offset<tflite::OperatorCode>> op_codes;
  for (size_t i = 0; i < code_plan.codes.size(); ++i) {
    const tflite::BuiltinOperator code = code_plan.codes[i];
    op_codes.push_back(tflite::CreateOperatorCode(fbb, TfliteDeprecatedBuiltinCode(code), 0,
                                                  code_plan.versions[i], code));
  }

  std::vector<fb::Offset<tflite::SignatureDef>> signatures;
  for (const Signature& sig : graph.signatures()) {
    const auto inputs = WriteTensorMaps(fbb, sig.inputs);
    const auto outputs = WriteTensorMaps(fbb, sig.outputs);
    const auto key = fbb.CreateString(sig.key);
    signatures.push_back(
        tflite::CreateSignatureDef(fbb, inputs, outputs, key, /*subgraph_index=*/0));
  }

  const auto metadata_name = fbb.CreateString(kMinRuntimeVersionKey);
  std::vector<fb::Offset<tflite::Metadata>> metadata = {
      tflite::CreateMetadata(fbb, metadata_name, version_buffer)};
  if (!io_layout.empty()) {
    const auto io_layout_name = fbb.CreateString(kIoLayoutKey);
    metadata.push_back(tflite::CreateMetadata(fbb, io_layout_name, io_layout_buffer));
  }

  const auto op_code_vector = fbb.CreateVector(op_codes);
  const auto subgraph_vector = fbb.CreateVector(&subgraph, 1);
  const auto description = fbb.CreateString(options.description);
  const auto buffer_vector = fbb.CreateVector(buffers);
  const auto metadata_vector = fbb.CreateVector(metadata);
  const auto signature_vector =
      signatures.empty() ? fb::Offset<fb::Vector<fb::Offset<tflite::SignatureDef>>>()
                         : fbb.CreateVector(signatures);
  const auto model = tflite::CreateModel(fbb, kSchemaVersion, op_code_vector, subgraph_vector,
                                         description, buffer_vector, /*metadata_buffer=*/0,
                                         metadata_vector, signature_vector);
  tflite::FinishModelBuffer(fbb, model);
  return fbb.Release();
}

absl::StatusOr<std::vector<uint8_t>> ExportTflite(const Graph& graph,
                                                  const TfliteExportOptions& options) {
  Graph copy = graph;  // shares the constant buffers: only references are dropped
  absl::StatusOr<fb::DetachedBuffer> bytes = ExportTfliteConsuming(std::move(copy), options);
  if (!bytes.ok()) return bytes.status();
  return std::vector<uint8_t>(bytes->data(), bytes->data() + bytes->size());
}

}  // namespace optconv
