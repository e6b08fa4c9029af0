#include "harness/run/shard.h"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

namespace r1eval::harness::run {
namespace {

std::optional<long long> parse_integer(std::string_view text) {
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

Shard parse_shard(std::string_view text) {
  const auto bad = [&] {
    return std::invalid_argument("--shard '" + std::string(text) +
                                 "': expected i/N with 0 <= i < N (0-based shard index i of N shards)");
  };
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) throw bad();
  const auto index = parse_integer(text.substr(0, slash));
  const auto count = parse_integer(text.substr(slash + 1));
  if (!index || !count || *count < 1 || *index < 0 || *index >= *count || *count > 1'000'000) throw bad();
  return {static_cast<int>(*index), static_cast<int>(*count)};
}

std::string shard_text(const Shard& shard) { return std::to_string(shard.index) + "/" + std::to_string(shard.count); }

std::string shard_folder_name(const Shard& shard) {
  return "shard-" + std::to_string(shard.index) + "-of-" + std::to_string(shard.count);
}

int shard_of_problem(std::string_view task, std::size_t problem_index, int shard_count) {
  // FNV-1a of the name: a fixed function, so the split never changes between builds or machines.
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : task) h = (h ^ c) * 0x100000001b3ull;
  const auto n = static_cast<std::uint64_t>(shard_count);
  return static_cast<int>((h % n + problem_index % n) % n);
}

std::optional<Shard> shard_from_slurm(const std::function<std::optional<std::string>(const char*)>& env) {
  const auto id_text = env("SLURM_ARRAY_TASK_ID");
  if (!id_text) return std::nullopt;
  const auto number = [&](const char* name, std::optional<long long> fallback) -> long long {
    const auto text = env(name);
    if (!text) {
      if (fallback) return *fallback;
      throw std::invalid_argument(std::string(name) + " is unset but SLURM_ARRAY_TASK_ID is set; expected a Slurm "
                                  "job array (sbatch --array), or pass --shard i/N");
    }
    const auto value = parse_integer(*text);
    if (!value) throw std::invalid_argument(std::string(name) + "='" + *text + "': expected an integer");
    return *value;
  };
  const long long id = number("SLURM_ARRAY_TASK_ID", std::nullopt);
  const long long min = number("SLURM_ARRAY_TASK_MIN", std::nullopt);
  const long long step = number("SLURM_ARRAY_TASK_STEP", 1);
  const long long count = number("SLURM_ARRAY_TASK_COUNT", std::nullopt);
  if (step < 1) throw std::invalid_argument("SLURM_ARRAY_TASK_STEP=" + std::to_string(step) + ": expected >= 1");
  if (count < 1 || count > 1'000'000)
    throw std::invalid_argument("SLURM_ARRAY_TASK_COUNT=" + std::to_string(count) + ": expected 1..1000000");
  if (id < min || (id - min) % step != 0 || (id - min) / step >= count)
    throw std::invalid_argument("SLURM_ARRAY_TASK_ID=" + std::to_string(id) + ": expected one of " +
                                std::to_string(min) + ", " + std::to_string(min + step) + ", ... (" +
                                std::to_string(count) + " tasks); use a contiguous --array range, or --shard i/N");
  return Shard{static_cast<int>((id - min) / step), static_cast<int>(count)};
}

std::optional<std::string> process_env(const char* name) {
  const char* value = std::getenv(name);
  if (!value) return std::nullopt;
  return std::string(value);
}

}  // namespace r1eval::harness::run
