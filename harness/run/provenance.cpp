#include "harness/run/provenance.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "engine/backend/factory/backend_factory.h"
#include "engine/model/checkpoint.h"
#include "git_hash.h"  // generated at build time (cmake/GitHash.cmake)

namespace r1eval::harness::run {
namespace {

struct Fnv1a {
  std::uint64_t h = 0xCBF29CE484222325ull;
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 0x100000001B3ull;
    }
  }
  // Length-prefixed fields keep ("ab","c") and ("a","bc") apart.
  void field(std::string_view bytes) {
    add(std::to_string(bytes.size()) + ":");
    add(bytes);
  }
  std::string hex() const {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return std::string("fnv1a64:") + buf;
  }
};

}  // namespace

std::string content_hash(std::string_view bytes) {
  Fnv1a f;
  f.add(bytes);
  return f.hex();
}

namespace {

// 16 windows of 64 KiB spread evenly over the file, its header and its end among them: different weights
// (a fine-tune, another step of training) give another digest, and 1 MiB read per file keeps it instant
// whatever the checkpoint's size.
std::string sampled_digest(const std::filesystem::path& file, std::uintmax_t size) {
  constexpr std::uintmax_t kWindow = 64 * 1024, kWindows = 16;
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::invalid_argument(file.string() + ": cannot read the weights");
  Fnv1a f;
  std::string window(static_cast<std::size_t>(kWindow), '\0');
  for (std::uintmax_t i = 0; i < kWindows; ++i) {
    const std::uintmax_t start = size <= kWindow ? 0 : (size - kWindow) * i / (kWindows - 1);
    const std::uintmax_t length = std::min(kWindow, size - start);
    in.seekg(static_cast<std::streamoff>(start));
    in.read(window.data(), static_cast<std::streamsize>(length));
    if (static_cast<std::uintmax_t>(in.gcount()) != length)
      throw std::invalid_argument(file.string() + ": cannot read the weights");
    f.field(std::string_view(window.data(), static_cast<std::size_t>(length)));
    if (size <= kWindow) break;
  }
  return f.hex();
}

}  // namespace

nlohmann::json model_fingerprint(const std::filesystem::path& model_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(model_dir, ec))
    throw std::invalid_argument("--model " + model_dir.string() + ": not a folder");
  const auto config = model_dir / "config.json";
  std::ifstream in(config, std::ios::binary);
  if (!in) throw std::invalid_argument(config.string() + ": cannot read the model's config.json");
  std::stringstream ss;
  ss << in.rdbuf();
  // The files the weights are read from (the index's shards, or model.safetensors), not every
  // .safetensors beside them: a reference_logits.safetensors dropped into the folder is not the model.
  std::vector<std::filesystem::path> weights;
  try {
    const engine::Checkpoint checkpoint(model_dir.string());
    for (const auto& file : checkpoint.files()) weights.emplace_back(file->path());
  } catch (const std::exception&) {
    // Not a checkpoint r1eval can open: the load that follows names the fault; fingerprint what is there.
    for (const auto& entry : std::filesystem::directory_iterator(model_dir))
      if (entry.is_regular_file() && entry.path().extension() == ".safetensors") weights.push_back(entry.path());
  }
  std::sort(weights.begin(), weights.end());
  nlohmann::json files = nlohmann::json::array();
  for (const auto& w : weights) {
    const auto mtime = std::chrono::file_clock::to_sys(std::filesystem::last_write_time(w));
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(mtime.time_since_epoch()).count();
    const std::uintmax_t bytes = std::filesystem::file_size(w);
    files.push_back({{"name", w.filename().string()},
                     {"bytes", bytes},
                     {"sampled", sampled_digest(w, bytes)},
                     {"mtime", seconds}});
  }
  return {{"config_json", content_hash(ss.str())}, {"weights", files}};
}

std::string dataset_hash(const std::vector<tasks::Problem>& problems) {
  Fnv1a f;
  for (const tasks::Problem& p : problems) {
    f.field(p.id);
    f.field(p.question);
    f.field(p.answer);
    for (const auto& d : p.distractors) f.field(d);
    f.field("|");
    for (const auto& [k, v] : p.attributes) {
      f.field(k);
      f.field(v);
    }
    if (p.code) {  // a code problem is its tests and limits as much as its statement
      for (const tasks::CodeTest& t : p.code->tests) {
        f.field(t.input);
        f.field(t.output);
      }
      f.field(std::to_string(p.code->time_limit_ms) + "ms " + std::to_string(p.code->memory_limit_mb) + "MB");
      f.field(p.code->checker);
    }
    f.field("||");
  }
  return f.hex();
}

nlohmann::json build_description() {
#ifdef R1EVAL_GIT_HASH
  const nlohmann::json git = R1EVAL_GIT_HASH;
#else
  const nlohmann::json git = nullptr;
#endif
  return {{"r1eval_version", R1EVAL_VERSION}, {"git_hash", git}};
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

nlohmann::json machine_description() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  std::string cpu;
  std::ifstream info("/proc/cpuinfo");
  for (std::string line; std::getline(info, line);) {
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) cpu = line.substr(colon + 1 + (colon + 1 < line.size() && line[colon + 1] == ' '));
      break;
    }
  }
  return {{"hostname", std::string(host)}, {"cpu_model", cpu}, {"cores", std::thread::hardware_concurrency()},
          {"gpus", engine::cuda_device_names()}};
}

}  // namespace r1eval::harness::run
