// Per-sample seeds: a pure function of the run seed and the sample's identity, so a resumed or sharded run
// draws exactly what an uninterrupted one would.
#pragma once
#include <cstdint>
#include <string_view>

namespace r1eval::harness {

// SplitMix64 over an FNV-1a hash of (task, problem id, sample index), keyed by run_seed.
std::uint64_t sample_seed(std::uint64_t run_seed, std::string_view task, std::string_view problem_id,
                          int sample_index);

}  // namespace r1eval::harness
