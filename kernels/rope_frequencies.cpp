#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "kernels/rope.h"

namespace r1eval::kernels {

void validate_rotary(const char* what, const Rotary& rotary, int head_dim) {
  if (rotary.inv_freq == nullptr && rotary.pairs > 0)
    throw std::invalid_argument(std::string(what) + ": rotary.inv_freq must not be null");
  if (rotary.pairs < 0 || rotary.pairs > head_dim / 2)
    throw std::invalid_argument(std::string(what) + ": rotary.pairs must be in 1.." + std::to_string(head_dim / 2) +
                                " for head_dim " + std::to_string(head_dim) + ", got " + std::to_string(rotary.pairs));
}

std::vector<float> rope_inverse_frequencies(const RopeConfig& config, int head_dim) {
  if (head_dim <= 0 || head_dim % 2 != 0)
    throw std::invalid_argument("rope: head_dim must be positive and even, got " + std::to_string(head_dim));
  if (!(config.theta > 0.0f)) throw std::invalid_argument("rope_theta must be > 0, got " + std::to_string(config.theta));
  std::vector<float> inv_freq(static_cast<std::size_t>(head_dim / 2));
  for (int i = 0; i < head_dim / 2; ++i) {
    // transformers evaluates theta ** (2i / d) in fp32; so do we.
    const float exponent = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    inv_freq[static_cast<std::size_t>(i)] = 1.0f / std::pow(config.theta, exponent);
  }
  if (config.scaling == RopeConfig::Scaling::kNone) return inv_freq;

  if (!(config.factor > 0.0f))
    throw std::invalid_argument("rope_scaling.factor must be > 0, got " + std::to_string(config.factor));
  if (config.scaling == RopeConfig::Scaling::kLinear) {
    for (float& f : inv_freq) f /= config.factor;
    return inv_freq;
  }
  if (config.original_max_position <= 0)
    throw std::invalid_argument("rope_scaling.original_max_position_embeddings must be > 0, got " +
                                std::to_string(config.original_max_position));
  if (!(config.high_freq_factor > config.low_freq_factor) || !(config.low_freq_factor > 0.0f))
    throw std::invalid_argument("rope_scaling: need 0 < low_freq_factor < high_freq_factor, got " +
                                std::to_string(config.low_freq_factor) + " and " +
                                std::to_string(config.high_freq_factor));
  const float old_context = static_cast<float>(config.original_max_position);
  const float low_freq_wavelength = old_context / config.low_freq_factor;
  const float high_freq_wavelength = old_context / config.high_freq_factor;
  for (float& f : inv_freq) {
    const float wavelength = 2.0f * std::numbers::pi_v<float> / f;
    if (wavelength < high_freq_wavelength) continue;  // short wavelengths stay as trained
    if (wavelength > low_freq_wavelength) {
      f = f / config.factor;
      continue;
    }
    // Between the two bands the frequency is blended smoothly from scaled to unscaled.
    const float smooth = (old_context / wavelength - config.low_freq_factor) /
                         (config.high_freq_factor - config.low_freq_factor);
    f = (1.0f - smooth) * f / config.factor + smooth * f;
  }
  return inv_freq;
}

}  // namespace r1eval::kernels
