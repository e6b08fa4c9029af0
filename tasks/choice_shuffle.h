// Deterministic shuffling of multiple-choice options.
//
// The permutation for (run_seed, problem_id, sample_index) is computed as follows, so that any
// other implementation can reproduce it:
//   h     = FNV-1a 64-bit hash of the bytes of problem_id
//   state = mix(run_seed ^ mix(h ^ mix(sample_index + 0x9E3779B97F4A7C15)))
// where mix is the SplitMix64 finaliser. Draws come from a SplitMix64 generator started at
// `state` (each draw adds 0x9E3779B97F4A7C15 to the state and returns mix(state)). The
// permutation starts as the identity [0, 1, ..., n-1] and is shuffled by Fisher-Yates from the
// last position down: for i = n-1 .. 1, j is drawn uniformly in [0, i] by rejection sampling
// (draws >= the largest multiple of i+1 that fits in 2^64 are discarded, then j = draw % (i+1)),
// and positions i and j are swapped.
#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

namespace r1eval::tasks {

// The SplitMix64 finaliser: a bijection of 64-bit words with good avalanche.
std::uint64_t splitmix64_mix(std::uint64_t x);

// FNV-1a, 64-bit: a stable hash of a byte string (the same on every platform and release).
std::uint64_t fnv1a64(std::string_view bytes);

// A permutation of [0, n) that is a pure function of its arguments (see the top of this file).
// Element i is the index of the original option shown in position i. Throws std::invalid_argument
// when n < 1.
std::vector<int> choice_permutation(int n, std::uint64_t run_seed, std::string_view problem_id,
                                    int sample_index);

}  // namespace r1eval::tasks
