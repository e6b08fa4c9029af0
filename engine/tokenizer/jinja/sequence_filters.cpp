// batch, slice and truncate: jinja2's filters that cut a sequence or a text into pieces (the first two give
// generators, as jinja2's).
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/tokenizer/jinja/builtins.h"
#include "engine/tokenizer/jinja/call_arguments.h"

namespace r1eval::engine::jinja {
namespace {

[[noreturn]] void fail(const std::string& what) { throw JinjaError(what); }

}  // namespace

std::optional<Value> apply_sequence_filter(const std::string& name, const Value& input, Arguments& args, Keywords& keywords) {
  const std::string what = "filter '" + name + "'";
  if (name == "batch") {  // lists of `linecount` items; the last one padded with fill_with when given
    const std::int64_t size = int_argument(argument(args, keywords, 0, "linecount"), 0, what);
    if (size <= 0) fail(what + ": the batch size must be positive");
    if (static_cast<std::uint64_t>(size) > kMaxListItems) fail(what + ": a batch over " + std::to_string(kMaxListItems) + " items");
    const Value* fill = argument(args, keywords, 1, "fill_with");
    List out, batch;
    for (const Value& item : iterate(input, what)) {
      batch.push_back(item);
      if (static_cast<std::int64_t>(batch.size()) == size) out.emplace_back(std::exchange(batch, List{}));
    }
    if (!batch.empty()) {
      if (fill && !fill->is_none())
        while (static_cast<std::int64_t>(batch.size()) < size) batch.push_back(*fill);
      out.emplace_back(std::move(batch));
    }
    return Value::iterator(std::move(out));
  }
  if (name == "slice") {  // `slices` columns, the first ones one item longer; the shorter ones padded with fill_with
    const std::int64_t slices = int_argument(argument(args, keywords, 0, "slices"), 0, what);
    if (slices <= 0) fail(what + ": the number of slices must be positive");
    if (static_cast<std::uint64_t>(slices) > kMaxListItems) fail(what + ": over " + std::to_string(kMaxListItems) + " slices");
    const Value* fill = argument(args, keywords, 1, "fill_with");
    const List items = iterate(input, what);
    const auto n = static_cast<std::int64_t>(items.size());
    const std::int64_t per_slice = n / slices, with_extra = n % slices;
    List out;
    std::int64_t offset = 0;
    for (std::int64_t k = 0; k < slices; ++k) {
      const std::int64_t start = offset + k * per_slice;
      if (k < with_extra) ++offset;
      const std::int64_t end = offset + (k + 1) * per_slice;
      List column(items.begin() + start, items.begin() + end);
      if (fill && !fill->is_none() && k >= with_extra) column.push_back(*fill);
      out.emplace_back(std::move(column));
    }
    return Value::iterator(std::move(out));
  }
  if (name == "truncate") {  // at a word boundary (or within a word: killwords), with `end`; a little leeway
    const std::int64_t length = int_argument(argument(args, keywords, 0, "length"), 255, what);
    const Value* killwords = argument(args, keywords, 1, "killwords");
    const Value* end_text = argument(args, keywords, 2, "end");
    const std::int64_t leeway = int_argument(argument(args, keywords, 3, "leeway"), 5, what);
    if (!input.is_string()) fail(what + ": object of type '" + input.type_name() + "' has no len()");
    const std::string end = end_text ? end_text->str() : "...";
    const auto end_length = static_cast<std::int64_t>(code_points(end));
    if (length < end_length) fail(what + ": expected length >= " + std::to_string(end_length) + ", got " + std::to_string(length));
    const std::vector<std::string> chars = utf8_characters(input.str());
    if (static_cast<std::int64_t>(chars.size()) <= length + leeway) return Value(input.str());
    const std::int64_t keep = length - end_length;
    std::string head;
    for (std::int64_t k = 0; k < keep && k < static_cast<std::int64_t>(chars.size()); ++k) head += chars[static_cast<std::size_t>(k)];
    if (!(killwords && killwords->truthy())) {
      const std::size_t space = head.rfind(' ');
      if (space != std::string::npos) head.resize(space);
    }
    return Value(head + end);
  }
  return std::nullopt;
}

}  // namespace r1eval::engine::jinja
