#include "cli/model_import.h"

#include <filesystem>
#include <fstream>
#include <string_view>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/cli_util.h"
#include "importers/onnx/onnx_importer.h"
#include "importers/savedmodel/tf_importer.h"

namespace optconv::cli {
namespace {

bool HasTfliteIdentifier(const std::string& path) {
  char header[8] = {};
  std::ifstream file(path, std::ios::binary);
  return file.read(header, sizeof(header)) && std::string_view(header + 4, 4) == "TFL3";
}

}  // namespace

absl::StatusOr<ModelKind> DetectModelKind(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    return absl::NotFoundError(absl::StrCat(path, ": no such file or directory"));
  }
  if (std::filesystem::is_directory(status)) {
    if (std::filesystem::exists(std::filesystem::path(path) / "saved_model.pb", ec)) {
      return ModelKind::kSavedModel;
    }
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": is a directory without saved_model.pb (expected a SavedModel directory, "
              "a frozen GraphDef .pb or an .onnx file)"));
  }
  if (HasTfliteIdentifier(path)) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": is already a TFLite model (expected an .onnx, .pb or SavedModel directory; "
              "`optconv inspect` describes it)"));
  }
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".pb" || ext == ".graphdef") {
    // saved_model.pb given directly means its directory.
    if (std::filesystem::path(path).filename() == "saved_model.pb") return ModelKind::kSavedModel;
    return ModelKind::kGraphDef;
  }
  return ModelKind::kOnnx;
}

std::string TfFlagsUsageError(const std::string& path, ModelKind kind, const TfFlags& tf) {
  const bool graphdef_flags = !tf.inputs.empty() || !tf.outputs.empty();
  const TfFlags defaults;
  const bool savedmodel_flags = tf.tags != defaults.tags || tf.signature != defaults.signature;
  switch (kind) {
    case ModelKind::kOnnx:
      if (graphdef_flags || savedmodel_flags) {
        return absl::StrCat(path,
                            ": --tags/--signature/--inputs/--outputs apply to TensorFlow models only");
      }
      return "";
    case ModelKind::kSavedModel:
      if (!tf.outputs.empty()) {
        return absl::StrCat(path,
                            ": --outputs applies to frozen GraphDefs (a SavedModel's signature "
                            "names its outputs; choose one with --signature)");
      }
      return "";
    case ModelKind::kGraphDef:
      if (savedmodel_flags) {
        return absl::StrCat(path, ": --tags/--signature apply to SavedModel directories only");
      }
      return "";
  }
  return "";
}

absl::StatusOr<Graph> ImportModel(const std::string& path, ModelKind kind, const TfFlags& tf,
                                  int64_t fold_max_bytes) {
  switch (kind) {
    case ModelKind::kOnnx: {
      OnnxImportOptions options;
      options.fold_max_bytes = fold_max_bytes;
      return ImportOnnx(path, options);
    }
    case ModelKind::kSavedModel: {
      tf_import::SavedModelOptions options;
      options.tags = tf.tags;
      options.signature = tf.signature;
      std::string dir = path;
      if (std::filesystem::path(path).filename() == "saved_model.pb") {
        dir = std::filesystem::path(path).parent_path().string();
        if (dir.empty()) dir = ".";
      }
      // --inputs KEY:SHAPE gives shapes the signature leaves unknown.
      TfImportOptions import_options;
      import_options.fold_max_bytes = fold_max_bytes;
      for (const std::string& item : tf.inputs) {
        absl::StatusOr<tf_import::GraphDefTensorSpec> spec = tf_import::ParseGraphDefInput(item);
        if (!spec.ok()) return spec.status();
        if (!spec->has_shape) {
          return absl::InvalidArgumentError(absl::StrCat(
              "--inputs ", item, ": a SavedModel input needs a shape (expected KEY:SHAPE)"));
        }
        import_options.input_shapes[spec->name] = spec->shape;
      }
      return ImportSavedModel(dir, options, import_options);
    }
    case ModelKind::kGraphDef: {
      tf_import::GraphDefOptions options;
      for (const std::string& item : tf.inputs) {
        absl::StatusOr<tf_import::GraphDefTensorSpec> spec = tf_import::ParseGraphDefInput(item);
        if (!spec.ok()) return spec.status();
        options.inputs.push_back(*std::move(spec));
      }
      options.outputs = tf.outputs;
      TfImportOptions import_options;
      import_options.fold_max_bytes = fold_max_bytes;
      return ImportGraphDef(path, options, import_options);
    }
  }
  return absl::InternalError("unknown model kind");
}

std::string DefaultTfliteOutput(const std::string& input) {
  std::error_code ec;
  if (std::filesystem::is_directory(input, ec)) {
    std::string dir = input;
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    return dir + ".tflite";
  }
  return DefaultOutputPath(input);
}

}  // namespace optconv::cli
