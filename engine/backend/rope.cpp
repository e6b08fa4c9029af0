#include "engine/backend/rope.h"

#include <cmath>
#include <numbers>

namespace r1eval::engine {

std::vector<float> rope_inverse_frequencies(const ModelConfig& config) {
  const auto half = static_cast<std::size_t>(config.head_dim / 2);
  const auto dim = static_cast<float>(config.head_dim);
  const auto base = static_cast<float>(config.rope_theta);
  std::vector<float> inv_freq(half);
  for (std::size_t i = 0; i < half; ++i) {
    inv_freq[i] = 1.0f / std::pow(base, static_cast<float>(2 * i) / dim);
  }
  const RopeScaling& scaling = config.rope_scaling;
  if (scaling.type == RopeScaling::Type::kLinear) {
    for (float& f : inv_freq) f /= static_cast<float>(scaling.factor);
  } else if (scaling.type == RopeScaling::Type::kLlama3) {
    // Long wavelengths are slowed by `factor`, short ones kept, the band between blended smoothly.
    const auto factor = static_cast<float>(scaling.factor);
    const auto low = static_cast<float>(scaling.low_freq_factor);
    const auto high = static_cast<float>(scaling.high_freq_factor);
    const auto old_context = static_cast<float>(scaling.original_max_position_embeddings);
    const float low_freq_wavelen = old_context / low;
    const float high_freq_wavelen = old_context / high;
    for (float& f : inv_freq) {
      const float wavelen = 2.0f * std::numbers::pi_v<float> / f;
      const float slowed = wavelen > low_freq_wavelen ? f / factor : f;
      if (wavelen < high_freq_wavelen || wavelen > low_freq_wavelen) {
        f = slowed;
      } else {
        const float smooth = (old_context / wavelen - low) / (high - low);
        f = (1.0f - smooth) * slowed / factor + smooth * slowed;
      }
    }
  }
  return inv_freq;
}

void apply_rope(float* x, int heads, int head_dim, int position, const std::vector<float>& inv_freq) {
  const int half = head_dim / 2;
  const auto pos = static_cast<float>(position);
  for (int i = 0; i < half; ++i) {
    const float angle = pos * inv_freq[static_cast<std::size_t>(i)];
    const float c = std::cos(angle);
    const float s = std::sin(angle);
    for (int h = 0; h < heads; ++h) {
      float* v = x + h * head_dim;
      const float a = v[i];
      const float b = v[i + half];
      v[i] = a * c - b * s;
      v[i + half] = b * c + a * s;
    }
  }
}

}  // namespace r1eval::engine
