// When the endpoint generator tries a request again, and how long it waits first.
#pragma once
#include <cstdint>
#include <optional>

namespace r1eval::harness::run {

struct RetryPolicy {
  int max_retries = 6;             // tries after the first; then the run stops with an error
  double base_delay_s = 1.0;       // the first wait; each further one doubles
  double max_delay_s = 60.0;       // cap of the doubling (a Retry-After above it is capped at 10x this)
};

// True for the answers worth another try: no response (connection refused, reset, timeout), 408, 429 and
// any 5xx. Other statuses are final: 2xx succeeded, the remaining 4xx will fail the same way again.
bool is_retryable(long status);

// Seconds to wait before retry number `retry` (0 for the first): the server's Retry-After when it gave one,
// else base * 2^retry capped at max, scaled by `jitter` in [0, 1) into [half, full] so that many workers
// refused at once do not come back in step.
double retry_delay_s(const RetryPolicy& policy, int retry, std::optional<double> retry_after, double jitter);

}  // namespace r1eval::harness::run
