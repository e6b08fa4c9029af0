#include "kernels/elementwise.h"

namespace r1eval::kernels::cpu {

template <typename T>
void scale_values(T* x, std::size_t count, float factor, Stream) {
  validate_elementwise("scale_values", x, count, factor, false);
  for (std::size_t i = 0; i < count; ++i) x[i] = store_from_float<T>(load_as_float(x[i]) * factor);
}

template <typename T>
void soft_cap_values(T* x, std::size_t count, float cap, Stream) {
  validate_elementwise("soft_cap_values", x, count, cap, true);
  for (std::size_t i = 0; i < count; ++i) x[i] = store_from_float<T>(soft_cap_value(load_as_float(x[i]), cap));
}

template void scale_values<float>(float*, std::size_t, float, Stream);
template void scale_values<bf16>(bf16*, std::size_t, float, Stream);
template void soft_cap_values<float>(float*, std::size_t, float, Stream);
template void soft_cap_values<bf16>(bf16*, std::size_t, float, Stream);

}  // namespace r1eval::kernels::cpu
