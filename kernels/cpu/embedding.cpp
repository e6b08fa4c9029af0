#include "kernels/embedding.h"

#include <cstddef>
#include <stdexcept>
#include <string>

namespace r1eval::kernels::cpu {

template <typename T>
void embedding_gather(const std::int32_t* token_ids, int count, const bf16* table, int vocab, int dim, T* output,
                      Stream) {
  if (count < 0) throw std::invalid_argument("embedding_gather: count must be >= 0, got " + std::to_string(count));
  if (vocab <= 0 || dim <= 0)
    throw std::invalid_argument("embedding_gather: vocab and dim must be > 0, got " + std::to_string(vocab) + " x " +
                                std::to_string(dim));
  for (int i = 0; i < count; ++i) {
    const std::int32_t id = token_ids[i];
    if (id < 0 || id >= vocab)
      throw std::out_of_range("embedding_gather: token_ids[" + std::to_string(i) + "] = " + std::to_string(id) +
                              " is outside the vocabulary [0, " + std::to_string(vocab) + ")");
    const bf16* row = table + static_cast<std::size_t>(id) * dim;
    T* out = output + static_cast<std::size_t>(i) * dim;
    for (int d = 0; d < dim; ++d) out[d] = store_from_float<T>(to_float(row[d]));
  }
}

template void embedding_gather<float>(const std::int32_t*, int, const bf16*, int, int, float*, Stream);
template void embedding_gather<bf16>(const std::int32_t*, int, const bf16*, int, int, bf16*, Stream);

}  // namespace r1eval::kernels::cpu
