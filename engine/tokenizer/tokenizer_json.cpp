#include "engine/tokenizer/tokenizer_json.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <unordered_map>

#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/pretokenizer.h"
#include "engine/tokenizer/utf8.h"

namespace r1eval::engine {
namespace {

using nlohmann::json;

// Context of one file: every failure names the file and the JSON path.
struct Reader {
  std::string file;

  [[noreturn]] void fail(const std::string& path, const std::string& what) const {
    throw TokenizerError(file + ": " + path + ": " + what);
  }
  const json& member(const json& obj, const std::string& key, const std::string& path) const {
    if (!obj.is_object()) fail(path, "expected an object");
    const auto it = obj.find(key);
    if (it == obj.end()) fail(path.empty() ? key : path + "." + key, "missing");
    return *it;
  }
  std::string string_at(const json& v, const std::string& path) const {
    if (!v.is_string()) fail(path, "expected a string");
    return v.get<std::string>();
  }
  bool bool_at(const json& obj, const std::string& key, const std::string& path, bool fallback) const {
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return fallback;
    if (!it->is_boolean()) fail(path + "." + key, "expected true or false");
    return it->get<bool>();
  }
  std::uint32_t id_at(const json& v, const std::string& path) const {
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 0x7FFFFFFF) fail(path, "expected a token id (non-negative integer)");
    return static_cast<std::uint32_t>(v.get<std::uint64_t>());
  }
};

json read_json(const std::filesystem::path& path) {
  std::error_code error;
  if (std::filesystem::exists(path, error) && !std::filesystem::is_regular_file(path, error))
    throw TokenizerError(path.string() + ": expected a regular file, not " +
                         (std::filesystem::is_directory(path, error) ? "a directory" : "a special file"));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError(path.string() + ": cannot open file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return json::parse(buffer.str());
  } catch (const json::exception& e) {  // also out_of_range: a number past double
    throw TokenizerError(path.string() + ": invalid JSON: " + e.what());
  }
}

std::string type_of(const Reader& r, const json& node, const std::string& path) {
  return r.string_at(r.member(node, "type", path), path + ".type");
}

// Whether the pipeline is SentencePiece-style: no ByteLevel stage, spaces spelled "▁" by a Metaspace
// pre-tokenizer or by a normalizer's Replace.
bool mentions_type(const json& node, const char* type) {
  if (node.is_object()) {
    if (const auto t = node.find("type"); t != node.end() && *t == type) return true;
    for (const auto& [key, child] : node.items())
      if (mentions_type(child, type)) return true;
  } else if (node.is_array()) {
    for (const json& child : node)
      if (mentions_type(child, type)) return true;
  }
  return false;
}

bool replaces_spaces(const json& normalizer) {
  if (normalizer.is_array()) {
    for (const json& n : normalizer)
      if (replaces_spaces(n)) return true;
    return false;
  }
  if (!normalizer.is_object()) return false;
  if (normalizer.value("type", "") == "Sequence") return replaces_spaces(normalizer.value("normalizers", json()));
  if (normalizer.value("type", "") != "Replace") return false;
  const json pattern = normalizer.value("pattern", json());
  return pattern.is_object() && pattern.value("String", "") == " ";
}

void read_model(const Reader& r, const json& root, TokenizerSpec& spec) {
  const json& model = r.member(root, "model", "");
  if (const auto t = model.find("type"); t != model.end() && *t != "BPE")
    r.fail("model.type", "unsupported model '" + t->dump() + "' (expected BPE)");
  spec.byte_fallback = r.bool_at(model, "byte_fallback", "model", false);
  if (spec.byte_fallback && !spec.sentencepiece)
    r.fail("model.byte_fallback", "true needs a SentencePiece-style pipeline (a Metaspace pre-tokenizer or a normalizer "
                                  "replacing spaces), not a ByteLevel one");
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"})
    if (const auto it = model.find(key); it != model.end() && !it->is_null() && *it != "")
      r.fail(std::string("model.") + key, "not supported (a word-piece style BPE)");
  if (const auto it = model.find("dropout"); it != model.end() && !it->is_null() && (!it->is_number() || it->get<double>() != 0.0))
    r.fail("model.dropout", "BPE dropout is not supported");
  spec.ignore_merges = r.bool_at(model, "ignore_merges", "model", false);
  spec.fuse_unk = r.bool_at(model, "fuse_unk", "model", false);

  const json& vocab = r.member(model, "vocab", "model");
  if (!vocab.is_object()) r.fail("model.vocab", "expected an object of token -> id");
  std::unordered_map<std::string, std::uint32_t> by_text;
  by_text.reserve(vocab.size());
  std::uint32_t max_id = 0;
  for (const auto& [text, id_json] : vocab.items()) max_id = std::max(max_id, r.id_at(id_json, "model.vocab[\"" + text + "\"]"));
  spec.vocab.assign(vocab.empty() ? 0 : max_id + 1, {});
  spec.non_byte_level.assign(spec.vocab.size(), {});
  std::vector<bool> seen(spec.vocab.size(), false);
  for (const auto& [text, id_json] : vocab.items()) {
    const std::uint32_t id = id_json.get<std::uint32_t>();
    if (seen[id]) r.fail("model.vocab[\"" + text + "\"]", "id " + std::to_string(id) + " is used twice");
    seen[id] = true;
    if (spec.sentencepiece) {
      if (text.empty()) r.fail("model.vocab", "an empty token");
      spec.vocab[id] = text;
    } else if (auto bytes = byte_level_to_bytes(text)) {
      spec.vocab[id] = std::move(*bytes);
    } else {
      spec.non_byte_level[id] = text;
    }
    by_text.emplace(text, id);
  }
  if (const auto unk = model.find("unk_token"); spec.sentencepiece && unk != model.end() && !unk->is_null()) {
    const std::string text = r.string_at(*unk, "model.unk_token");
    const auto it = by_text.find(text);
    if (it == by_text.end()) r.fail("model.unk_token", "token '" + text + "' is not in model.vocab");
    spec.unk_id = it->second;
  }

  const json& merges = r.member(model, "merges", "model");
  if (!merges.is_array()) r.fail("model.merges", "expected an array");
  spec.merges.reserve(merges.size());
  auto lookup = [&](const std::string& text, const std::string& path) {
    const auto it = by_text.find(text);
    if (it == by_text.end()) r.fail(path, "token '" + text + "' is not in model.vocab");
    return it->second;
  };
  for (std::size_t i = 0; i < merges.size(); ++i) {
    const std::string path = "model.merges[" + std::to_string(i) + "]";
    const json& m = merges[i];
    std::string left, right;
    if (m.is_string()) {
      const std::string s = m.get<std::string>();
      const auto space = s.find(' ');
      if (space == std::string::npos || s.find(' ', space + 1) != std::string::npos)
        r.fail(path, "expected \"left right\" (two tokens separated by one space)");
      left = s.substr(0, space);
      right = s.substr(space + 1);
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {
      left = m[0].get<std::string>();
      right = m[1].get<std::string>();
    } else {
      r.fail(path, "expected \"left right\" or [left, right]");
    }
    spec.merges.emplace_back(lookup(left, path), lookup(right, path));
    if (!by_text.contains(left + right)) r.fail(path, "the merged token '" + left + right + "' is not in model.vocab");
  }
}

void read_normalizer(const Reader& r, const json& node, const std::string& path, TokenizerSpec& spec) {
  if (node.is_null()) return;
  const std::string type = type_of(r, node, path);
  if (type == "NFC") {
    spec.normalizers.push_back({NormalizerStep::Kind::kNfc, {}, {}});
  } else if (type == "Prepend") {
    spec.normalizers.push_back({NormalizerStep::Kind::kPrepend, {}, r.string_at(r.member(node, "prepend", path), path + ".prepend")});
  } else if (type == "Replace") {
    const json& pattern = r.member(node, "pattern", path);
    if (!pattern.is_object() || !pattern.contains("String"))
      r.fail(path + ".pattern", "expected {\"String\": ...} (regex replacements are not supported)");
    std::string from = r.string_at(pattern["String"], path + ".pattern.String");
    if (from.empty()) r.fail(path + ".pattern.String", "expected a non-empty string");
    spec.normalizers.push_back({NormalizerStep::Kind::kReplace, std::move(from), r.string_at(r.member(node, "content", path), path + ".content")});
  } else if (type == "Sequence") {
    const json& list = r.member(node, "normalizers", path);
    if (!list.is_array()) r.fail(path + ".normalizers", "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) read_normalizer(r, list[i], path + ".normalizers[" + std::to_string(i) + "]", spec);
  } else {
    r.fail(path + ".type", "unsupported normalizer '" + type + "' (supported: NFC, Prepend, Replace, Sequence)");
  }
}

// A Metaspace pre-tokenizer or decoder: its replacement and prepend scheme, in the current spelling
// (prepend_scheme, split) or the one older tokenizers wrote (add_prefix_space, always splitting).
MetaspaceSpec read_metaspace(const Reader& r, const json& node, const std::string& path) {
  MetaspaceSpec m;
  m.replacement = r.string_at(r.member(node, "replacement", path), path + ".replacement");
  if (m.replacement.empty()) r.fail(path + ".replacement", "expected a character");
  if (const auto it = node.find("prepend_scheme"); it != node.end() && !it->is_null()) {
    const std::string scheme = r.string_at(*it, path + ".prepend_scheme");
    if (scheme == "always") m.prepend = MetaspaceSpec::Prepend::kAlways;
    else if (scheme == "first") m.prepend = MetaspaceSpec::Prepend::kFirst;
    else if (scheme == "never") m.prepend = MetaspaceSpec::Prepend::kNever;
    else r.fail(path + ".prepend_scheme", "expected \"always\", \"first\" or \"never\"");
  } else {
    m.prepend = r.bool_at(node, "add_prefix_space", path, true) ? MetaspaceSpec::Prepend::kAlways : MetaspaceSpec::Prepend::kNever;
  }
  m.split = r.bool_at(node, "split", path, true);
  return m;
}

// Returns whether a ByteLevel stage was seen.
bool read_pre_tokenizer(const Reader& r, const json& node, const std::string& path, TokenizerSpec& spec) {
  const std::string type = type_of(r, node, path);
  if (type == "Sequence") {
    const json& list = r.member(node, "pretokenizers", path);
    if (!list.is_array()) r.fail(path + ".pretokenizers", "expected an array");
    bool byte_level = false;
    for (std::size_t i = 0; i < list.size(); ++i)
      byte_level |= read_pre_tokenizer(r, list[i], path + ".pretokenizers[" + std::to_string(i) + "]", spec);
    return byte_level;
  }
  if (type == "Metaspace") {
    if (!spec.sentencepiece) r.fail(path, "Metaspace needs a model without a ByteLevel stage");
    if (spec.metaspace) r.fail(path, "a second Metaspace stage is not supported");
    spec.metaspace = read_metaspace(r, node, path);
    return false;
  }
  if (type == "ByteLevel") {
    if (r.bool_at(node, "add_prefix_space", path, false)) r.fail(path + ".add_prefix_space", "true is not supported");
    if (r.bool_at(node, "use_regex", path, true))
      spec.split_patterns.push_back(R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+)");
    return true;
  }
  if (type == "Split") {
    const json& pattern = r.member(node, "pattern", path);
    if (!pattern.is_object() || !pattern.contains("Regex"))
      r.fail(path + ".pattern", "expected {\"Regex\": ...} (string patterns are not supported)");
    const std::string regex = r.string_at(pattern["Regex"], path + ".pattern.Regex");
    const auto behavior = node.find("behavior");
    if (behavior == node.end() || *behavior != "Isolated") r.fail(path + ".behavior", "only \"Isolated\" is supported");
    if (r.bool_at(node, "invert", path, false)) r.fail(path + ".invert", "true is not supported");
    try {
      (void)PreTokenizer::from_regex(regex);
    } catch (const std::invalid_argument& e) {
      r.fail(path + ".pattern.Regex", e.what());
    }
    if (spec.sentencepiece) r.fail(path, "a Split stage in a SentencePiece-style pipeline is not supported");
    spec.split_patterns.push_back(regex);
    return false;
  }
  r.fail(path + ".type", "unsupported pre-tokenizer '" + type + "' (supported: Sequence, Split, ByteLevel, Metaspace)");
}

void read_decoder(const Reader& r, const json& node, const std::string& path) {
  if (node.is_null()) return;
  const std::string type = type_of(r, node, path);
  if (type == "Sequence") {
    const json& list = r.member(node, "decoders", path);
    if (!list.is_array()) r.fail(path + ".decoders", "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) read_decoder(r, list[i], path + ".decoders[" + std::to_string(i) + "]");
  } else if (type != "ByteLevel") {
    r.fail(path + ".type", "unsupported decoder '" + type + "' in a byte-level tokenizer (supported: ByteLevel)");
  }
}

// The steps of a SentencePiece-style decoder chain, in order. Only chains whose steps act on one token at a
// time before the text is fused (then stripped at its start) are read, so that streaming gives decode's text.
void read_piece_decoder(const Reader& r, const json& node, const std::string& path, PieceDecoderSpec& out, bool& fused) {
  if (node.is_null()) return;
  const std::string type = type_of(r, node, path);
  auto before_bytes = [&](const char* what) {
    if (out.byte_fallback || fused || out.strip_count > 0) r.fail(path, std::string(what) + " after ByteFallback, Fuse or Strip is not supported");
  };
  if (type == "Sequence") {
    const json& list = r.member(node, "decoders", path);
    if (!list.is_array()) r.fail(path + ".decoders", "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i) read_piece_decoder(r, list[i], path + ".decoders[" + std::to_string(i) + "]", out, fused);
  } else if (type == "Replace") {
    before_bytes("Replace");
    const json& pattern = r.member(node, "pattern", path);
    if (!pattern.is_object() || !pattern.contains("String"))
      r.fail(path + ".pattern", "expected {\"String\": ...} (regex replacements are not supported)");
    std::string from = r.string_at(pattern["String"], path + ".pattern.String");
    if (from.empty()) r.fail(path + ".pattern.String", "expected a non-empty string");
    std::string text = r.string_at(r.member(node, "content", path), path + ".content");
    out.replacements.push_back({std::move(from), text, text});
  } else if (type == "Metaspace") {
    before_bytes("Metaspace");
    const MetaspaceSpec m = read_metaspace(r, node, path);
    out.replacements.push_back({m.replacement, " ", m.prepend == MetaspaceSpec::Prepend::kNever ? " " : ""});
  } else if (type == "ByteFallback") {
    if (fused || out.strip_count > 0) r.fail(path, "ByteFallback after Fuse or Strip is not supported");
    out.byte_fallback = true;
  } else if (type == "Fuse") {
    fused = true;
  } else if (type == "Strip") {
    if (!fused) r.fail(path, "Strip before Fuse (stripping every token) is not supported");
    if (out.strip_count > 0) r.fail(path, "a second Strip is not supported");
    const json& stop = r.member(node, "stop", path);
    if (!stop.is_number_unsigned() || stop.get<std::uint64_t>() != 0) r.fail(path + ".stop", "only 0 is supported");
    out.strip = r.string_at(r.member(node, "content", path), path + ".content");
    if (utf8::code_points(out.strip) != 1 || utf8::first_invalid(out.strip) != out.strip.size()) r.fail(path + ".content", "expected one character");
    const json& start = r.member(node, "start", path);
    if (!start.is_number_unsigned() || start.get<std::uint64_t>() > 1000) r.fail(path + ".start", "expected a small count");
    out.strip_count = start.get<std::size_t>();
  } else {
    r.fail(path + ".type", "unsupported decoder '" + type +
                               "' in a SentencePiece-style tokenizer (supported: Sequence, Replace, Metaspace, ByteFallback, Fuse, Strip)");
  }
}

void read_post_processor(const Reader& r, const json& node, const std::string& path, TokenizerSpec& spec) {
  if (node.is_null()) return;
  const std::string type = type_of(r, node, path);
  if (type == "ByteLevel") return;  // changes offsets only
  if (type == "Sequence") {
    const json& list = r.member(node, "processors", path);
    if (!list.is_array()) r.fail(path + ".processors", "expected an array");
    for (std::size_t i = 0; i < list.size(); ++i)
      read_post_processor(r, list[i], path + ".processors[" + std::to_string(i) + "]", spec);
    return;
  }
  if (type != "TemplateProcessing") r.fail(path + ".type", "unsupported post-processor '" + type + "'");
  const json& single = r.member(node, "single", path);
  const json& specials = r.member(node, "special_tokens", path);
  if (!single.is_array()) r.fail(path + ".single", "expected an array");
  bool after_sequence = false;
  for (std::size_t i = 0; i < single.size(); ++i) {
    const std::string item_path = path + ".single[" + std::to_string(i) + "]";
    if (single[i].contains("Sequence")) {
      after_sequence = true;
      continue;
    }
    const json& special = r.member(single[i], "SpecialToken", item_path);
    const std::string name = r.string_at(r.member(special, "id", item_path + ".SpecialToken"), item_path + ".SpecialToken.id");
    const std::string ids_path = path + ".special_tokens[\"" + name + "\"].ids";
    const json& ids = r.member(r.member(specials, name, path + ".special_tokens"), "ids", path + ".special_tokens[\"" + name + "\"]");
    if (!ids.is_array()) r.fail(ids_path, "expected an array");
    for (std::size_t k = 0; k < ids.size(); ++k)
      (after_sequence ? spec.suffix_ids : spec.prefix_ids).push_back(r.id_at(ids[k], ids_path + "[" + std::to_string(k) + "]"));
  }
}

void read_added_tokens(const Reader& r, const json& root, TokenizerSpec& spec) {
  const auto it = root.find("added_tokens");
  if (it == root.end() || it->is_null()) return;
  if (!it->is_array()) r.fail("added_tokens", "expected an array");
  for (std::size_t i = 0; i < it->size(); ++i) {
    const std::string path = "added_tokens[" + std::to_string(i) + "]";
    const json& t = (*it)[i];
    AddedToken token;
    token.id = r.id_at(r.member(t, "id", path), path + ".id");
    token.content = r.string_at(r.member(t, "content", path), path + ".content");
    token.single_word = r.bool_at(t, "single_word", path, false);
    token.lstrip = r.bool_at(t, "lstrip", path, false);
    token.rstrip = r.bool_at(t, "rstrip", path, false);
    token.normalized = r.bool_at(t, "normalized", path, false);
    token.special = r.bool_at(t, "special", path, false);
    spec.added_tokens.push_back(std::move(token));
  }
}

std::optional<std::string> token_text(const Reader& r, const json& config, const char* key) {
  const auto it = config.find(key);
  if (it == config.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_object()) return r.string_at(r.member(*it, "content", key), std::string(key) + ".content");
  r.fail(key, "expected a string or {\"content\": ...}");
}

void read_config(const std::filesystem::path& path, TokenizerSpec& spec) {
  const Reader r{path.string()};
  const json config = read_json(path);
  if (!config.is_object()) r.fail("(root)", "expected an object");
  spec.bos_token = token_text(r, config, "bos_token");
  spec.eos_token = token_text(r, config, "eos_token");
  spec.pad_token = token_text(r, config, "pad_token");
  for (const char* key : {"unk_token", "sep_token", "cls_token", "mask_token"})
    if (auto text = token_text(r, config, key)) spec.other_special_tokens.emplace_back(key, std::move(*text));
  if (const auto it = config.find("chat_template"); it != config.end() && !it->is_null()) {
    if (it->is_string()) {
      spec.chat_template = it->get<std::string>();
    } else if (it->is_array()) {
      // Several named templates ([{"name": "default", "template": ...}, {"name": "tool_use", ...}]): the default.
      for (std::size_t i = 0; i < it->size(); ++i) {
        const json& named = (*it)[i];
        const std::string at = "chat_template[" + std::to_string(i) + "]";
        if (!named.is_object() || !named.contains("name") || !named["name"].is_string() || !named.contains("template") ||
            !named["template"].is_string())
          r.fail(at, "expected {\"name\": a string, \"template\": a string}");
        if (named["name"] == "default") spec.chat_template = named["template"].get<std::string>();
      }
    } else {
      r.fail("chat_template", "expected a string or a list of named templates");
    }
  }
  // add_bos_token / add_eos_token are left aside: transformers 5 drops them when a tokenizer.json exists and adds
  // what its post-processor adds (read_post_processor), for every tokenizer class.
}

}  // namespace

TokenizerSpec load_tokenizer_spec(const std::filesystem::path& tokenizer_json,
                                  const std::optional<std::filesystem::path>& tokenizer_config) {
  const Reader r{tokenizer_json.string()};
  const json root = read_json(tokenizer_json);
  if (!root.is_object()) r.fail("(root)", "expected an object");
  TokenizerSpec spec;
  try {
    const json pre = root.value("pre_tokenizer", json());
    const json normalizer = root.value("normalizer", json());
    spec.sentencepiece = !mentions_type(pre, "ByteLevel") && (mentions_type(pre, "Metaspace") || replaces_spaces(normalizer));
    read_normalizer(r, normalizer, "normalizer", spec);  // first: its own refusal names the step, not the model
    read_model(r, root, spec);
    const bool byte_level = !pre.is_null() && read_pre_tokenizer(r, pre, "pre_tokenizer", spec);
    if (!byte_level && !spec.sentencepiece)
      r.fail("pre_tokenizer", "expected a ByteLevel pre-tokenizer (byte-level BPE) or a Metaspace one / a normalizer "
                              "replacing spaces (SentencePiece-style BPE)");
    if (spec.sentencepiece) {
      const json decoder = root.value("decoder", json());
      if (decoder.is_null()) r.fail("decoder", "missing (HF would join the pieces with spaces); expected the chain of a SentencePiece-style tokenizer");
      bool fused = false;
      read_piece_decoder(r, decoder, "decoder", spec.piece_decoder, fused);
    } else {
      read_decoder(r, root.value("decoder", json()), "decoder");
    }
    read_added_tokens(r, root, spec);
    read_post_processor(r, root.value("post_processor", json()), "post_processor", spec);
  } catch (const json::exception& e) {  // a shape the checks above did not anticipate
    r.fail("(structure)", e.what());
  }
  if (tokenizer_config && std::filesystem::exists(*tokenizer_config)) {
    try {
      read_config(*tokenizer_config, spec);
    } catch (const json::exception& e) {
      throw TokenizerError(tokenizer_config->string() + ": " + e.what());
    }
  }
  return spec;
}

}  // namespace r1eval::engine
