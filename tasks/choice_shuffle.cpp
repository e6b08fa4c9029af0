#include "tasks/choice_shuffle.h"

#include <stdexcept>
#include <utility>

namespace r1eval::tasks {
namespace {

constexpr std::uint64_t kGolden = 0x9E3779B97F4A7C15ULL;

class SplitMix64 {
 public:
  explicit SplitMix64(std::uint64_t state) : state_(state) {}
  std::uint64_t next() {
    state_ += kGolden;
    return splitmix64_mix(state_);
  }
  // Uniform in [0, bound) without modulo bias, so every permutation is exactly equally likely.
  std::uint64_t below(std::uint64_t bound) {
    const std::uint64_t limit = (~std::uint64_t{0} / bound) * bound;  // largest multiple that fits
    std::uint64_t draw = next();
    while (draw >= limit) draw = next();
    return draw % bound;
  }

 private:
  std::uint64_t state_;
};

}  // namespace

std::uint64_t splitmix64_mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xCBF29CE484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001B3ULL;
  }
  return h;
}

std::vector<int> choice_permutation(int n, std::uint64_t run_seed, std::string_view problem_id,
                                    int sample_index) {
  if (n < 1) throw std::invalid_argument("choice_permutation: n must be at least 1");
  const std::uint64_t sample_key = splitmix64_mix(static_cast<std::uint64_t>(sample_index) + kGolden);
  const std::uint64_t state = splitmix64_mix(run_seed ^ splitmix64_mix(fnv1a64(problem_id) ^ sample_key));
  SplitMix64 rng(state);
  std::vector<int> order(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  for (int i = n - 1; i >= 1; --i) {
    const auto j = rng.below(static_cast<std::uint64_t>(i) + 1);
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

}  // namespace r1eval::tasks
