// Safetensors files: a strict header validator and mmap'd tensor views.
// Layout: 8-byte little-endian header length N, N bytes of JSON, then the data region that the
// header's data_offsets index into.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/model/dtype.h"
#include "engine/model/mapped_file.h"

namespace r1eval::engine {

// One tensor as the header describes it; offsets are relative to the start of the data region.
struct TensorInfo {
  std::string name;
  DType dtype = DType::kF32;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;

  std::uint64_t numel() const;
};

struct SafetensorsHeader {
  std::uint64_t data_start = 0;  // byte offset of the data region in the file
  std::vector<TensorInfo> tensors;  // in data order
  std::map<std::string, std::string> metadata;  // string values of __metadata__
};

// Validates and parses the header of a safetensors image of `size` bytes at `bytes`. Promises: never
// reads outside [bytes, bytes + size); on success every tensor has a loaded dtype, a shape whose byte
// size equals its offset range, lies inside the data region, and overlaps no other tensor. Otherwise
// throws std::runtime_error with one line "<label>: ..." naming the tensor where there is one.
SafetensorsHeader parse_safetensors_header(const std::byte* bytes, std::size_t size, std::string_view label);

// A read-only view of one tensor's bytes inside a mapped file.
struct TensorView {
  const TensorInfo* info = nullptr;
  const std::string* file = nullptr;  // path of the file holding it, for error messages
  const std::byte* data = nullptr;

  std::uint64_t numel() const { return info->numel(); }
  // Widens elements [first, first + count) to fp32 into `dst`. Precondition: the range is inside.
  void to_float(std::uint64_t first, std::uint64_t count, float* dst) const;
};

// Quotes a name for a one-line error message: control and non-ASCII bytes escaped, long names cut.
std::string quote_name(std::string_view name);

// One mmap'd safetensors file with its validated header.
class SafetensorsFile {
 public:
  // Maps and validates `path`. Throws std::runtime_error (one line naming the path and tensor).
  explicit SafetensorsFile(const std::string& path);

  const std::string& path() const { return file_.path(); }
  const SafetensorsHeader& header() const { return header_; }
  // The tensor called `name`, or nullptr.
  const TensorInfo* find(std::string_view name) const;
  // A view of a tensor of this file (from find or header().tensors).
  TensorView view(const TensorInfo& info) const;

 private:
  MappedFile file_;
  SafetensorsHeader header_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

}  // namespace r1eval::engine
