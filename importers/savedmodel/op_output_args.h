#pragma once
// Function bodies name tensors "node:out_arg:index"; the flat graph names
// them "node:N". N = the index plus the sizes of the op's output args before
// out_arg, which come from the op's OpDef (MetaInfoDef.stripped_op_list when
// it lists the op; older exports list only top-level ops), else from a small
// table of the multi-output ops Keras/TF graphs use.
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "importers/savedmodel/proto/function.pb.h"
#include "importers/savedmodel/proto/node_def.pb.h"
#include "importers/savedmodel/proto/op_def.pb.h"

namespace optconv::tf_import {

class OpOutputArgs {
 public:
  /// `ops`: the MetaGraph's stripped_op_list (may be empty); `library`: the
  /// function library (calls by function name use the function's signature).
  OpOutputArgs(const tensorflow::OpList& ops, const tensorflow::FunctionDefLibrary& library);

  /// Flat output index of `node`'s output `out_arg`:`index`; nullopt when
  /// `out_arg` is not an output arg of the op or an arg size is unknown.
  /// Ops neither in the OpDefs nor the table are taken to have one output arg
  /// (index is the flat index), which holds for every unlisted TF op.
  std::optional<int> FlatIndex(const tensorflow::NodeDef& node, const std::string& out_arg, int index) const;

 private:
  absl::flat_hash_map<std::string, const tensorflow::OpDef*> op_defs_;
};

}  // namespace optconv::tf_import
