// The model's MLP activation (ModelConfig::activation) as the kernels name it, for every backend.
#pragma once
#include "engine/model/model_config.h"
#include "kernels/activation.h"

namespace r1eval::engine {

inline kernels::GateActivation gate_activation_of(Activation activation) {
  switch (activation) {
    case Activation::kGeluTanh: return kernels::GateActivation::gelu_tanh;
    case Activation::kGelu: return kernels::GateActivation::gelu;
    case Activation::kSilu: break;
  }
  return kernels::GateActivation::silu;
}

}  // namespace r1eval::engine
