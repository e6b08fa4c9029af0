// The weights of a Hugging Face model folder: model.safetensors, or the shards that
// model.safetensors.index.json maps tensor names to. All files are mmap'd and validated on open.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/safetensors.h"

namespace r1eval::engine {

class Checkpoint {
 public:
  // Opens the weights of `model_dir`. Throws std::runtime_error (one line naming the file and tensor)
  // for a missing file, a corrupt header, or an index naming a tensor its shard lacks.
  explicit Checkpoint(const std::string& model_dir);

  // The tensor called `name`. Throws "<file>: missing tensor '<name>'" naming the file that should
  // hold it (the shard from the index, or model.safetensors).
  TensorView require(std::string_view name) const;
  bool contains(std::string_view name) const;
  // Every tensor name, sorted.
  std::vector<std::string> names() const;
  // The files opened, in name order.
  const std::vector<std::unique_ptr<SafetensorsFile>>& files() const { return files_; }

 private:
  std::string index_path_;  // empty for a single-file checkpoint
  std::vector<std::unique_ptr<SafetensorsFile>> files_;
  std::map<std::string, const SafetensorsFile*, std::less<>> owner_;
};

}  // namespace r1eval::engine
