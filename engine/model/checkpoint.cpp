#include "engine/model/checkpoint.h"

#include <filesystem>
#include <stdexcept>

#include "engine/model/json_fields.h"

namespace r1eval::engine {
namespace fs = std::filesystem;

Checkpoint::Checkpoint(const std::string& model_dir) {
  const fs::path dir(model_dir);
  const fs::path index = dir / "model.safetensors.index.json";
  const fs::path single = dir / "model.safetensors";
  if (fs::exists(index)) {
    index_path_ = index.string();
    const nlohmann::json obj = parse_config_object(read_config_text(index_path_), index_path_);
    const auto map_it = obj.find("weight_map");
    if (map_it == obj.end() || !map_it->is_object()) {
      throw std::runtime_error(index_path_ + ": field 'weight_map': expected an object of tensor -> file");
    }
    std::map<std::string, const SafetensorsFile*> by_file;
    for (const auto& [tensor, file_value] : map_it->items()) {
      if (!file_value.is_string()) {
        throw std::runtime_error(index_path_ + ": weight_map entry " + quote_name(tensor) + ": expected a file name");
      }
      const std::string file_name = file_value.get<std::string>();
      // Shards live beside the index; a path that leaves the folder is not a shard name.
      if (file_name.empty() || file_name.find('/') != std::string::npos || file_name == "." || file_name == "..") {
        throw std::runtime_error(index_path_ + ": weight_map entry " + quote_name(tensor) + ": file " +
                                 quote_name(file_name) + " is not a file name in the model folder");
      }
      auto found = by_file.find(file_name);
      if (found == by_file.end()) {
        files_.push_back(std::make_unique<SafetensorsFile>((dir / file_name).string()));
        found = by_file.emplace(file_name, files_.back().get()).first;
      }
      if (found->second->find(tensor) == nullptr) {
        throw std::runtime_error(found->second->path() + ": missing tensor " + quote_name(tensor) + " (listed in " +
                                 index_path_ + ")");
      }
      owner_.emplace(tensor, found->second);
    }
  } else if (fs::exists(single)) {
    files_.push_back(std::make_unique<SafetensorsFile>(single.string()));
    for (const TensorInfo& info : files_.back()->header().tensors) owner_.emplace(info.name, files_.back().get());
  } else {
    throw std::runtime_error(model_dir + ": no model.safetensors or model.safetensors.index.json");
  }
}

TensorView Checkpoint::require(std::string_view name) const {
  const auto it = owner_.find(name);
  if (it == owner_.end()) {
    const std::string where = index_path_.empty() ? files_.front()->path() : index_path_;
    throw std::runtime_error(where + ": missing tensor " + quote_name(name));
  }
  return it->second->view(*it->second->find(name));
}

bool Checkpoint::contains(std::string_view name) const { return owner_.find(name) != owner_.end(); }

std::vector<std::string> Checkpoint::names() const {
  std::vector<std::string> result;
  result.reserve(owner_.size());
  for (const auto& entry : owner_) result.push_back(entry.first);
  return result;
}

}  // namespace r1eval::engine
