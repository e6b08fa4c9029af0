#include "engine/backend/rope.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace r1eval::engine {

std::vector<float> rope_inverse_frequencies(const ModelConfig& config) {
  const auto half = static_cast<std::size_t>((config.rotated_dims() + 1) / 2);  // arange(0, dims, 2)
  const auto dim = static_cast<float>(config.rotated_dims());
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
  } else if (scaling.type == RopeScaling::Type::kYarn) {
    // Dimensions that turn more than beta_fast times over the original context keep their frequency,
    // those under beta_slow times are divided by factor, a linear ramp between; the range is computed in
    // double and the blend in fp32, as transformers does.
    const double two_pi = 2.0 * std::numbers::pi;
    const double log_base = 2.0 * std::log(config.rope_theta);
    const auto original = static_cast<double>(scaling.original_max_position_embeddings);
    const auto correction_dim = [&](double rotations) {
      return static_cast<double>(config.rotated_dims()) * std::log(original / (rotations * two_pi)) / log_base;
    };
    double low = correction_dim(scaling.beta_fast), high = correction_dim(scaling.beta_slow);
    if (scaling.truncate) {
      low = std::floor(low);
      high = std::ceil(high);
    }
    low = std::max(low, 0.0);
    high = std::min(high, static_cast<double>(config.rotated_dims() - 1));
    if (low == high) high += 0.001;  // no zero-width ramp
    const auto factor = static_cast<float>(scaling.factor);
    const auto ramp_width = static_cast<float>(high - low);
    for (std::size_t i = 0; i < half; ++i) {
      const float position_frequency = std::pow(base, static_cast<float>(2 * i) / dim);
      const float kept = 1.0f / position_frequency;
      const float divided = 1.0f / (factor * position_frequency);
      const float ramp = std::clamp((static_cast<float>(i) - static_cast<float>(low)) / ramp_width, 0.0f, 1.0f);
      const float keep_weight = 1.0f - ramp;
      inv_freq[i] = divided * (1.0f - keep_weight) + kept * keep_weight;
    }
  } else if (scaling.type == RopeScaling::Type::kLongRope) {
    const std::vector<float>& ext = scaling.long_factors ? scaling.long_factor : scaling.short_factor;
    for (std::size_t i = 0; i < half; ++i)
      inv_freq[i] = 1.0f / (ext[i] * std::pow(base, static_cast<float>(2 * i) / dim));
  }
  return inv_freq;
}

float attention_logit_scale(const ModelConfig& config) {
  if (config.attention_multiplier) return static_cast<float>(*config.attention_multiplier);
  if (config.query_pre_attn_scalar) return static_cast<float>(std::pow(*config.query_pre_attn_scalar, -0.5));
  return 1.0f / std::sqrt(static_cast<float>(config.head_dim));
}

ModelConfig layer_rope_config(const ModelConfig& config, std::int64_t layer) {
  ModelConfig local = config;
  const auto index = static_cast<std::size_t>(layer);
  if (config.sliding_rope && layer >= 0 && index < config.sliding_rope->layers.size() && config.sliding_rope->layers[index]) {
    local.rope_theta = config.sliding_rope->theta;
    local.rope_scaling = config.sliding_rope->scaling;
  }
  return local;
}

float rotary_scale(const ModelConfig& config) {
  const RopeScaling::Type type = config.rope_scaling.type;
  if (type != RopeScaling::Type::kYarn && type != RopeScaling::Type::kLongRope) return 1.0f;
  return static_cast<float>(config.rope_scaling.attention_factor);
}

void apply_rope(float* x, int heads, int head_dim, int position, const std::vector<float>& inv_freq, float scale) {
  const int pairs = static_cast<int>(inv_freq.size());
  const auto pos = static_cast<float>(position);
  for (int i = 0; i < pairs; ++i) {
    const float angle = pos * inv_freq[static_cast<std::size_t>(i)];
    const float c = std::cos(angle) * scale;
    const float s = std::sin(angle) * scale;
    for (int h = 0; h < heads; ++h) {
      float* v = x + h * head_dim;
      const float a = v[i];
      const float b = v[i + pairs];
      v[i] = a * c - b * s;
      v[i + pairs] = b * c + a * s;
    }
  }
}

}  // namespace r1eval::engine
