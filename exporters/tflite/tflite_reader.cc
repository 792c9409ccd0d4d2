#include "exporters/tflite/tflite_reader.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "absl/strings/str_cat.h"
#include "converter/buffer.h"
#include "exporters/tflite/builtin_codes.h"
#include "flatbuffers/flatbuffers.h"
#include "schema_generated.h"

namespace optconv {
namespace {

constexpr uint32_t kMaxVerifierDepth = 128;
// Large models have a few tables per tensor; the verifier's default cap of
// one million tables is too low for them.
constexpr uint32_t kMaxVerifierTables = 1u << 30;

std::string TensorTypeName(tflite::TensorType type) {
  const char* name = tflite::EnumNameTensorType(type);
  return (name != nullptr && *name != '\0') ? std::string(name)
                                            : absl::StrCat("TYPE_", static_cast<int>(type));
}

TfliteTensorSummary SummarizeTensor(const tflite::SubGraph& subgraph, int32_t index) {
  TfliteTensorSummary out;
  const auto* tensors = subgraph.tensors();
  if (tensors == nullptr || index < 0 || static_cast<uint32_t>(index) >= tensors->size()) {
    out.name = absl::StrCat("<invalid tensor ", index, ">");
    return out;
  }
  const tflite::Tensor* t = tensors->Get(index);
  out.name = t->name() ? t->name()->str() : "";
  out.type = TensorTypeName(t->type());
  const auto* dims = t->shape_signature() ? t->shape_signature() : t->shape();
  if (dims != nullptr) out.shape_signature.assign(dims->begin(), dims->end());
  return out;
}

/// The string in a metadata buffer, up to its end or a zero byte.
std::string MetadataString(const tflite::Model& model, uint32_t buffer_index) {
  const auto* buffers = model.buffers();
  if (buffers == nullptr || buffer_index >= buffers->size()) return "";
  const auto* data = buffers->Get(buffer_index)->data();
  if (data == nullptr) return "";
  const char* chars = reinterpret_cast<const char*>(data->data());
  return std::string(chars, strnlen(chars, data->size()));
}

}  // namespace

std::string_view TfliteBuiltinName(int32_t code) {
  if (code < static_cast<int32_t>(tflite::BuiltinOperator::MIN) ||
      code > static_cast<int32_t>(tflite::BuiltinOperator::MAX)) {
    return {};
  }
  return tflite::EnumNameBuiltinOperator(static_cast<tflite::BuiltinOperator>(code));
}

absl::StatusOr<TfliteModelSummary> SummarizeTflite(absl::Span<const uint8_t> bytes,
                                                   const std::string& label) {
  if (bytes.size() < 8) {
    return absl::DataLossError(absl::StrCat(label, ": not a TFLite model: only ", bytes.size(),
                                            " bytes (truncated?)"));
  }
  // Files above 2 GiB keep their buffers after the flatbuffer, which itself
  // stays below the limit.
  const size_t fb_size = std::min<size_t>(bytes.size(), FLATBUFFERS_MAX_BUFFER_SIZE - 1);
  flatbuffers::Verifier verifier(bytes.data(), fb_size, kMaxVerifierDepth, kMaxVerifierTables);
  const bool has_identifier = tflite::ModelBufferHasIdentifier(bytes.data());
  if (!verifier.VerifyBuffer<tflite::Model>(has_identifier ? tflite::ModelIdentifier() : nullptr)) {
    return absl::DataLossError(absl::StrCat(
        label, ": not a valid TFLite flatbuffer (", bytes.size(), " bytes",
        has_identifier ? ", TFL3 identifier present: truncated or corrupt"
                       : ", no TFL3 identifier",
        ")"));
  }
  const tflite::Model& model = *tflite::GetModel(bytes.data());

  TfliteModelSummary s;
  s.file_bytes = bytes.size();
  s.schema_version = model.version();
  s.description = model.description() ? model.description()->str() : "";
  if (model.metadata() != nullptr) {
    for (const tflite::Metadata* m : *model.metadata()) {
      if (m->name() == nullptr) continue;
      if (m->name()->str() == "min_runtime_version") {
        s.min_runtime_version = MetadataString(model, m->buffer());
      } else if (m->name()->str() == "optconv_io_layout") {
        s.io_layout = MetadataString(model, m->buffer());
      }
    }
  }

  std::vector<std::string> code_names;
  if (model.operator_codes() != nullptr) {
    for (const tflite::OperatorCode* code : *model.operator_codes()) {
      TfliteOpCodeSummary c;
      const tflite::BuiltinOperator builtin = TfliteEffectiveBuiltinCode(*code);
      c.builtin_code = static_cast<int32_t>(builtin);
      c.version = code->version();
      if (builtin == tflite::BuiltinOperator::CUSTOM) {
        c.name = code->custom_code() ? code->custom_code()->str() : "CUSTOM";
      } else {
        const std::string_view name = TfliteBuiltinName(c.builtin_code);
        c.name = name.empty() ? absl::StrCat("BUILTIN_", c.builtin_code) : std::string(name);
      }
      code_names.push_back(c.name);
      s.op_codes.push_back(std::move(c));
    }
  }

  const auto* buffers = model.buffers();
  std::set<uint32_t> counted_buffers;
  if (model.subgraphs() != nullptr) {
    s.num_subgraphs = static_cast<int>(model.subgraphs()->size());
    for (const tflite::SubGraph* subgraph : *model.subgraphs()) {
      if (subgraph->operators() != nullptr) {
        for (const tflite::Operator* op : *subgraph->operators()) {
          ++s.num_ops;
          const uint32_t idx = op->opcode_index();
          ++s.op_histogram[idx < code_names.size() ? code_names[idx]
                                                   : absl::StrCat("<bad opcode ", idx, ">")];
        }
      }
      if (subgraph->tensors() == nullptr) continue;
      s.num_tensors += static_cast<int>(subgraph->tensors()->size());
      for (const tflite::Tensor* t : *subgraph->tensors()) {
        const uint32_t b = t->buffer();
        if (b == 0 || buffers == nullptr || b >= buffers->size()) continue;
        const tflite::Buffer* buffer = buffers->Get(b);
        const size_t size = buffer->data() ? buffer->data()->size()
                                           : (buffer->offset() > 1 ? buffer->size() : 0);
        if (size == 0 || !counted_buffers.insert(b).second) continue;
        s.constant_bytes += static_cast<int64_t>(size);
        int64_t elements = 1;
        if (t->shape() != nullptr) {
          for (int32_t d : *t->shape()) elements *= d;
        }
        s.num_parameters += elements;
      }
    }
    if (s.num_subgraphs > 0) {
      const tflite::SubGraph& main = *model.subgraphs()->Get(0);
      if (main.inputs() != nullptr) {
        for (int32_t i : *main.inputs()) s.inputs.push_back(SummarizeTensor(main, i));
      }
      if (main.outputs() != nullptr) {
        for (int32_t i : *main.outputs()) s.outputs.push_back(SummarizeTensor(main, i));
      }
    }
  }
  if (model.signature_defs() != nullptr) {
    for (const tflite::SignatureDef* sig : *model.signature_defs()) {
      s.signature_keys.push_back(sig->signature_key() ? sig->signature_key()->str() : "");
    }
  }
  return s;
}

absl::StatusOr<TfliteModelSummary> ReadTfliteSummary(const std::string& path) {
  absl::StatusOr<BufferPtr> file = Buffer::MapFile(path);
  if (!file.ok()) return file.status();
  return SummarizeTflite((*file)->bytes(), path);
}

}  // namespace optconv
