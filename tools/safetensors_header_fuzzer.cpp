// libFuzzer target: the safetensors header parser must never read outside the bytes it is given,
// whatever they hold; it either returns a consistent header or throws std::runtime_error.
// Built and run by tools/fuzz_safetensors_header.sh (not part of the default build).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>

#include "engine/model/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // A copy of exactly `size` bytes, so AddressSanitizer flags any read past the end.
  std::unique_ptr<std::byte[]> bytes(new std::byte[size]);
  if (size > 0) std::memcpy(bytes.get(), data, size);
  try {
    const auto header = r1eval::engine::parse_safetensors_header(bytes.get(), size, "fuzz");
    for (const auto& tensor : header.tensors) {
      // What the parser promises: every tensor lies inside the data region.
      if (tensor.end > size - header.data_start || tensor.begin > tensor.end) std::abort();
      if (tensor.numel() * r1eval::engine::dtype_size(tensor.dtype) != tensor.end - tensor.begin) std::abort();
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
