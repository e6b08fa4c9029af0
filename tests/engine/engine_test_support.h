// Shared helpers of the engine tests: fixture paths, scratch copies of model folders, hand-built
// safetensors images, and a single-sequence driver of a Backend.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/backend/backend.h"

namespace r1eval::engine::testing {

inline std::filesystem::path fixture_dir(const std::string& model) {
  return std::filesystem::path(R1EVAL_SOURCE_DIR) / "tests" / "fixtures" / "engine" / model;
}

// A fresh copy of a fixture model folder under the test scratch folder, to corrupt freely.
inline std::filesystem::path scratch_copy(const std::string& model, const std::string& tag) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "engine" / (model + "-" + tag);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir.parent_path());
  std::filesystem::copy(fixture_dir(model), dir);
  return dir;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A safetensors image: 8-byte little-endian length, `header` text, then `data_bytes` zero bytes.
inline std::string safetensors_image(const std::string& header, std::size_t data_bytes) {
  std::string image(8, '\0');
  std::uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) image[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return image + header + std::string(data_bytes, '\0');
}

// Rewrites a safetensors file's header JSON (the data region is kept as is).
inline void rewrite_header(const std::filesystem::path& path, const nlohmann::json& header) {
  const std::string bytes = read_file(path);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  write_file(path, safetensors_image(header.dump(), 0) + bytes.substr(8 + n));
}

inline nlohmann::json read_header(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  std::uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
  return nlohmann::json::parse(bytes.substr(8, n));
}

// Runs sequences through `backend` with a contiguous block layout (sequence s owns blocks
// [s * blocks_per_seq, (s + 1) * blocks_per_seq)): one step per call, logits for every token.
class SequenceDriver {
 public:
  SequenceDriver(Backend& backend, std::int32_t blocks_per_seq) : backend_(backend), blocks_per_seq_(blocks_per_seq) {}

  // Appends `chunks[s]` to sequence s (positions continue from what earlier steps wrote) and returns
  // the logits of every new token, [sum of chunk sizes, vocab]. Sequences with an empty chunk sit out.
  std::vector<float> step(const std::vector<std::vector<std::int32_t>>& chunks) { return backend_.forward(next_batch(chunks)); }

  // The batch step(chunks) would run, without running it (the sequences' lengths advance all the same).
  ForwardBatch next_batch(const std::vector<std::vector<std::int32_t>>& chunks) {
    ForwardBatch batch;
    batch.seq_starts.push_back(0);
    batch.max_blocks_per_seq = blocks_per_seq_;
    if (lengths_.size() < chunks.size()) lengths_.resize(chunks.size(), 0);
    const std::int32_t block_size = backend_.kv_block_size();
    for (std::size_t s = 0; s < chunks.size(); ++s) {
      if (chunks[s].empty()) continue;
      for (const std::int32_t id : chunks[s]) {
        const std::int32_t pos = lengths_[s]++;
        batch.logit_rows.push_back(static_cast<std::int32_t>(batch.token_ids.size()));
        batch.token_ids.push_back(id);
        batch.positions.push_back(pos);
        batch.slot_mapping.push_back((static_cast<std::int64_t>(s) * blocks_per_seq_ + pos / block_size) * block_size +
                                     pos % block_size);
      }
      batch.seq_starts.push_back(static_cast<std::int32_t>(batch.token_ids.size()));
      for (std::int32_t b = 0; b < blocks_per_seq_; ++b) {
        batch.block_tables.push_back(static_cast<std::int32_t>(s) * blocks_per_seq_ + b);
      }
    }
    return batch;
  }

 private:
  Backend& backend_;
  std::int32_t blocks_per_seq_;
  std::vector<std::int32_t> lengths_;
};

}  // namespace r1eval::engine::testing
