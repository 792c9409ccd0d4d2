// ParseGraphDefInput: one "--inputs" item, "NAME" or "NAME:SHAPE".
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "importers/savedmodel/tf_loader.h"

namespace optconv::tf_import {
namespace {

absl::Status Malformed(const std::string& item, const std::string& why) {
  return absl::InvalidArgumentError(absl::StrCat("--inputs '", item, "': ", why,
                                                 " (expected NAME, NAME:[d0,d1,...] or NAME:d0,d1,...)"));
}

bool IsOutputIndex(absl::string_view text) {
  int index = 0;
  return !text.empty() && absl::ascii_isdigit(text[0]) && absl::SimpleAtoi(text, &index);
}

}  // namespace

absl::StatusOr<GraphDefTensorSpec> ParseGraphDefInput(const std::string& item) {
  GraphDefTensorSpec spec;
  std::string name = item;
  std::string shape;
  // The shape is the part after the last ':' when bracketed or holding a
  // comma; a bare number there is an output index ("x:5").
  size_t colon = item.rfind(':');
  if (colon != std::string::npos) {
    absl::string_view suffix = absl::string_view(item).substr(colon + 1);
    if (absl::StartsWith(suffix, "[") || absl::StrContains(suffix, ',')) {
      name = item.substr(0, colon);
      shape = std::string(suffix);
      spec.has_shape = true;
    }
  }
  if (name.empty()) return Malformed(item, "empty tensor name");
  size_t name_colon = name.find(':');
  if (name_colon != std::string::npos &&
      (name_colon == 0 || !IsOutputIndex(absl::string_view(name).substr(name_colon + 1)))) {
    return Malformed(item, absl::StrCat("'", name, "' is neither a node name nor node:output_index"));
  }
  spec.name = name;
  if (!spec.has_shape) return spec;
  absl::string_view dims = shape;
  if (absl::ConsumePrefix(&dims, "[") != absl::ConsumeSuffix(&dims, "]")) {
    return Malformed(item, "unbalanced brackets in the shape");
  }
  dims = absl::StripAsciiWhitespace(dims);
  if (dims.empty()) return spec;  // "x:[]" is a scalar
  for (absl::string_view dim : absl::StrSplit(dims, ',')) {
    dim = absl::StripAsciiWhitespace(dim);
    int64_t size = 0;
    if (dim == "?" || dim == "-1") {
      size = -1;
    } else if (!absl::SimpleAtoi(dim, &size) || size < 0) {
      return Malformed(item, absl::StrCat("bad dimension '", dim, "'"));
    }
    spec.shape.push_back(size);
  }
  return spec;
}

}  // namespace optconv::tf_import
