#include <cmath>
#include <stdexcept>
#include <string>

#include "results/metrics.h"

namespace r1eval::results {

double pass_at_k(int n, int c, int k) {
  if (n < 1 || c < 0 || c > n || k < 1 || k > n) {
    throw std::invalid_argument("pass_at_k: need 0 <= c <= n and 1 <= k <= n, got n=" + std::to_string(n) +
                                " c=" + std::to_string(c) + " k=" + std::to_string(k));
  }
  if (n - c < k) return 1.0;  // every k-subset holds a correct sample
  // C(n-c, k) / C(n, k) as a product of min(c, k) factors, each in (0, 1]. Summing logs and finishing
  // with expm1 keeps full relative precision both for tiny values (few correct) and near 1 (binomials
  // themselves would overflow a double long before n reaches the thousands).
  double log_fail = 0;
  if (k <= c) {
    for (int j = 0; j < k; ++j) log_fail += std::log1p(-static_cast<double>(c) / (n - j));
  } else {
    for (int i = n - c + 1; i <= n; ++i) log_fail += std::log1p(-static_cast<double>(k) / i);
  }
  return -std::expm1(log_fail);
}

}  // namespace r1eval::results
