// What a run folder records so the run can be reproduced and recognised: model folder fingerprint,
// dataset content hashes, the machine. Hashes are FNV-1a 64 (identification, not security).
#pragma once
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tasks/task.h"

namespace r1eval::harness::run {

// "fnv1a64:<16 hex digits>" of `bytes`.
std::string content_hash(std::string_view bytes);

// {"config_json": hash of config.json's bytes, "weights": [{name, bytes, mtime}] for every *.safetensors
// file (sorted by name)}. Throws std::invalid_argument naming the folder when it is not a folder or has
// no config.json.
nlohmann::json model_fingerprint(const std::filesystem::path& model_dir);

// Content hash of a task's problems (every field, in data order): changes whenever the data does.
std::string dataset_hash(const std::vector<tasks::Problem>& problems);

// {"r1eval_version", "git_hash" (null when the build does not know it)}.
nlohmann::json build_description();

// The current time in UTC, "2026-11-29T14:05:00Z".
std::string utc_timestamp();

// {"hostname", "cpu_model", "cores", "gpus" (the visible CUDA devices, named; [] without CUDA or a device)}.
nlohmann::json machine_description();

}  // namespace r1eval::harness::run
