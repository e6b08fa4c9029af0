// A Jinja template as transformers' apply_chat_template renders it: jinja2's sandboxed environment with
// trim_blocks and lstrip_blocks, the loop-control extension, raise_exception(), strftime_now(), a tojson
// filter that is json.dumps(ensure_ascii=False), and {% generation %} blocks rendered in place. The subset
// covers what chat templates use (parser.h, builtins.h); anything else is refused with one line.
#pragma once
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/tokenizer/jinja/ast.h"

namespace r1eval::engine::jinja {

struct RenderOptions {
  std::optional<std::time_t> now;  // strftime_now's clock (local time); the current time when absent
};

class Template {
 public:
  // Throws JinjaError ("line N: ...") when the source does not parse.
  explicit Template(std::string_view source);

  // The text for `context` (an object: messages, add_generation_prompt, bos_token, ...; its key order is
  // kept, as Python's). Throws JinjaError ("line N: ...") on a render error, raise_exception() included.
  std::string render(const nlohmann::ordered_json& context, const RenderOptions& options = {}) const;

 private:
  std::shared_ptr<const Body> body_;
};

}  // namespace r1eval::engine::jinja
