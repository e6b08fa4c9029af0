#include "harness/run/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace r1eval::harness::run {

bool is_retryable(long status) { return status == 0 || status == 408 || status == 429 || status >= 500; }

double retry_delay_s(const RetryPolicy& policy, int retry, std::optional<double> retry_after, double jitter) {
  if (retry_after) return std::min(*retry_after, 10 * policy.max_delay_s);
  const double full = std::min(policy.max_delay_s, policy.base_delay_s * std::ldexp(1.0, std::min(retry, 60)));
  return full * (0.5 + 0.5 * std::clamp(jitter, 0.0, 1.0));
}

}  // namespace r1eval::harness::run
