// Philox4x32-10 (Salmon et al., SC'11): a counter-based random generator. The same (key, counter) gives
// the same four 32-bit words on the host and on the device, which is what makes sampling batch-invariant:
// the engine keys it by (seed, request, sample) and counts by position.
#pragma once
#include <cstdint>

#include "kernels/host_device.h"

namespace r1eval::kernels {

struct PhiloxCounter {
  std::uint32_t v[4];
};
struct PhiloxKey {
  std::uint32_t v[2];
};

R1EVAL_HOST_DEVICE void philox_mulhilo(std::uint32_t a, std::uint32_t b, std::uint32_t& hi, std::uint32_t& lo) {
  const std::uint64_t product = static_cast<std::uint64_t>(a) * b;
  hi = static_cast<std::uint32_t>(product >> 32);
  lo = static_cast<std::uint32_t>(product);
}

// Ten rounds of Philox4x32 on `counter` under `key`.
R1EVAL_HOST_DEVICE PhiloxCounter philox4x32_10(PhiloxCounter counter, PhiloxKey key) {
  constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    std::uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(kMul0, counter.v[0], hi0, lo0);
    philox_mulhilo(kMul1, counter.v[2], hi1, lo1);
    counter = PhiloxCounter{{hi1 ^ counter.v[1] ^ key.v[0], lo1, hi0 ^ counter.v[3] ^ key.v[1], lo0}};
    key.v[0] += kWeyl0;
    key.v[1] += kWeyl1;
  }
  return counter;
}

// A float in [0, 1) from the top 24 bits of a word: exactly representable, identical on host and device.
R1EVAL_HOST_DEVICE float philox_uniform(std::uint32_t word) {
  return static_cast<float>(word >> 8) * (1.0f / 16777216.0f);
}

}  // namespace r1eval::kernels
