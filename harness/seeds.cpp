#include "harness/seeds.h"

namespace r1eval::harness {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  // A separator byte keeps ("ab","c") and ("a","bc") apart.
  h ^= 0xFF;
  return h * 0x100000001B3ull;
}

}  // namespace

std::uint64_t sample_seed(std::uint64_t run_seed, std::string_view task, std::string_view problem_id,
                          int sample_index) {
  std::uint64_t h = 0xCBF29CE484222325ull;
  h = fnv1a(h, task);
  h = fnv1a(h, problem_id);
  h = splitmix64(h ^ static_cast<std::uint64_t>(sample_index));
  return splitmix64(h ^ splitmix64(run_seed));
}

}  // namespace r1eval::harness
