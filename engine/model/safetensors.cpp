#include "engine/model/safetensors.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace r1eval::engine {
namespace {

// Real headers are a few MB at most; the cap keeps a hostile length from driving a huge parse.
constexpr std::uint64_t kMaxHeaderBytes = 100ull << 20;

[[noreturn]] void fail(std::string_view label, const std::string& what) {
  throw std::runtime_error(std::string(label) + ": " + what);
}

[[noreturn]] void fail_tensor(std::string_view label, std::string_view name, const std::string& what) {
  fail(label, "tensor " + quote_name(name) + ": " + what);
}

TensorInfo parse_entry(std::string_view label, const std::string& name, const nlohmann::json& entry,
                       std::uint64_t data_size) {
  if (!entry.is_object()) fail_tensor(label, name, "expected an object with dtype, shape and data_offsets");
  TensorInfo info;
  info.name = name;
  const auto dtype_it = entry.find("dtype");
  if (dtype_it == entry.end() || !dtype_it->is_string()) fail_tensor(label, name, "missing string field dtype");
  const auto dtype = parse_safetensors_dtype(dtype_it->get_ref<const std::string&>());
  if (!dtype) {
    fail_tensor(label, name, "dtype " + quote_name(dtype_it->get_ref<const std::string&>()) +
                                 " is not one of BF16, F16, F32, U8, F8_E4M3, I8, I32, I64");
  }
  info.dtype = *dtype;

  const auto shape_it = entry.find("shape");
  if (shape_it == entry.end() || !shape_it->is_array()) fail_tensor(label, name, "missing array field shape");
  std::uint64_t numel = 1;
  bool overflow = false;
  for (const auto& dim : *shape_it) {
    if (!dim.is_number_unsigned()) fail_tensor(label, name, "shape entries must be non-negative integers");
    const std::uint64_t d = dim.get<std::uint64_t>();
    if (d > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail_tensor(label, name, "shape entry too large");
    }
    if (d != 0 && numel > std::numeric_limits<std::uint64_t>::max() / d) overflow = true;
    numel *= d;
    info.shape.push_back(static_cast<std::int64_t>(d));
  }

  const auto offsets_it = entry.find("data_offsets");
  if (offsets_it == entry.end() || !offsets_it->is_array() || offsets_it->size() != 2 ||
      !(*offsets_it)[0].is_number_unsigned() || !(*offsets_it)[1].is_number_unsigned()) {
    fail_tensor(label, name, "data_offsets must be two non-negative integers");
  }
  info.begin = (*offsets_it)[0].get<std::uint64_t>();
  info.end = (*offsets_it)[1].get<std::uint64_t>();
  if (info.begin > info.end) fail_tensor(label, name, "data_offsets begin after end");
  if (info.end > data_size) {
    fail_tensor(label, name,
                "data_offsets end " + std::to_string(info.end) + " beyond the data region of " +
                    std::to_string(data_size) + " bytes (file truncated?)");
  }
  const std::uint64_t element_size = dtype_size(info.dtype);
  if (overflow || (numel != 0 && numel > std::numeric_limits<std::uint64_t>::max() / element_size) ||
      numel * element_size != info.end - info.begin) {
    fail_tensor(label, name,
                "shape and dtype " + std::string(dtype_name(info.dtype)) + " need a different byte length than " +
                    "data_offsets give (" + std::to_string(info.end - info.begin) + " bytes)");
  }
  for (const auto& [key, value] : entry.items()) {
    if (key != "dtype" && key != "shape" && key != "data_offsets") {
      fail_tensor(label, name, "unknown field " + quote_name(key));
    }
    (void)value;
  }
  return info;
}

}  // namespace

std::uint64_t TensorInfo::numel() const {
  std::uint64_t n = 1;
  for (const std::int64_t d : shape) n *= static_cast<std::uint64_t>(d);
  return n;
}

std::string quote_name(std::string_view name) {
  constexpr std::size_t kMaxShown = 200;
  std::string out = "'";
  for (std::size_t i = 0; i < name.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (c >= 0x20 && c < 0x7F && c != '\\' && c != '\'') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  if (name.size() > kMaxShown) out += "...";
  out += "'";
  return out;
}

SafetensorsHeader parse_safetensors_header(const std::byte* bytes, std::size_t size, std::string_view label) {
  if (size < 8) fail(label, "truncated: " + std::to_string(size) + " bytes, shorter than the 8-byte header length");
  std::uint64_t header_len = 0;
  for (int i = 7; i >= 0; --i) header_len = (header_len << 8) | static_cast<std::uint8_t>(bytes[i]);
  if (header_len > size - 8) {
    fail(label, "header length " + std::to_string(header_len) + " runs beyond the end of the file (" +
                    std::to_string(size) + " bytes; file truncated?)");
  }
  if (header_len > kMaxHeaderBytes) fail(label, "header length " + std::to_string(header_len) + " exceeds 100 MiB");
  const char* text = reinterpret_cast<const char*>(bytes + 8);
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, text + header_len);
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    fail(label, "header is not valid JSON: " + what);
  }
  if (!header.is_object()) fail(label, "header must be a JSON object");

  SafetensorsHeader result;
  result.data_start = 8 + header_len;
  const std::uint64_t data_size = size - result.data_start;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) fail(label, "__metadata__ must be an object");
      for (const auto& [key, value] : entry.items()) {
        // A map of strings to strings, as the safetensors library (what transformers loads with) reads it.
        if (!value.is_string()) fail(label, "__metadata__ value of " + quote_name(key) + " must be a string");
        result.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    result.tensors.push_back(parse_entry(label, name, entry, data_size));
  }
  std::sort(result.tensors.begin(), result.tensors.end(), [](const TensorInfo& a, const TensorInfo& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
  });
  // In offset order the tensors must tile the data region exactly, as the safetensors library requires: no
  // overlap, no gap, nothing after the last one (a file padded or cut and patched is refused, not half-read).
  const TensorInfo* previous = nullptr;
  std::uint64_t covered = 0;
  for (const TensorInfo& info : result.tensors) {
    const std::string range = "bytes [" + std::to_string(info.begin) + ", " + std::to_string(info.end) + ")";
    if (info.begin < covered)
      fail_tensor(label, info.name, range + " overlap tensor " + quote_name(previous->name));
    if (info.begin > covered)
      fail_tensor(label, info.name, range + " leave a gap of " + std::to_string(info.begin - covered) + " bytes after " +
                                        (previous != nullptr ? "tensor " + quote_name(previous->name) : "the header") +
                                        " (the tensors must cover the data region exactly)");
    covered = info.end;
    previous = &info;
  }
  if (covered != data_size)
    fail(label, "the tensors cover " + std::to_string(covered) + " of the data region's " + std::to_string(data_size) +
                    " bytes (they must cover it exactly)");
  return result;
}

void TensorView::to_float(std::uint64_t first, std::uint64_t count, float* dst) const {
  convert_to_float(info->dtype, data + first * dtype_size(info->dtype), count, dst);
  // A NaN or an infinity in the weights spreads to every logit, and the sampler then emits token 0 for
  // ever: a broken checkpoint would be graded as a model. (Trained weights are finite.)
  for (std::uint64_t i = 0; i < count; ++i) {
    if (!std::isfinite(dst[i])) {
      const std::string where = file != nullptr ? *file + ": " : std::string();
      throw std::invalid_argument(where + "tensor " + quote_name(info->name) + " holds a non-finite value (" +
                                  (std::isnan(dst[i]) ? "NaN" : "infinity") + ") at element " +
                                  std::to_string(first + i) + ": the checkpoint is broken");
    }
  }
}

SafetensorsFile::SafetensorsFile(const std::string& path)
    : file_(path), header_(parse_safetensors_header(file_.data(), file_.size(), path)) {
  for (std::size_t i = 0; i < header_.tensors.size(); ++i) index_.emplace(header_.tensors[i].name, i);
}

const TensorInfo* SafetensorsFile::find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &header_.tensors[it->second];
}

TensorView SafetensorsFile::view(const TensorInfo& info) const {
  return TensorView{&info, &file_.path(), file_.data() + header_.data_start + info.begin};
}

}  // namespace r1eval::engine
