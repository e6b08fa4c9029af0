#pragma once
// The tokenizer comparison corpus, in the order of tools/tokenizer_corpus/corpus.py (mixed.jsonl, then the
// benchmark problems from shared data), every code point, and the recorded expectations: one row per
// document, (count, hash) column pairs.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/tokenizer/utf8.h"
#include "tokenizer_test_files.h"

namespace r1eval::engine::test {

struct CorpusDocument {
  std::string key, text;
};

inline std::filesystem::path corpus_dir() { return std::filesystem::path(R1EVAL_SOURCE_DIR) / "tools" / "tokenizer_corpus"; }

inline std::vector<CorpusDocument> corpus_documents() {
  std::vector<CorpusDocument> docs;
  std::istringstream mixed(read_text_file(corpus_dir() / "mixed.jsonl"));
  std::string line;
  for (int i = 0; std::getline(mixed, line); ++i) docs.push_back({"mixed:" + std::to_string(i), nlohmann::json::parse(line).get<std::string>()});
  const std::vector<std::pair<std::string, std::vector<std::string>>> sources = {
      {"aime24/test.jsonl", {"problem", "solution"}}, {"aime25/test.jsonl", {"problem"}}, {"math500/test.jsonl", {"problem", "solution"}}};
  for (const auto& [path, fields] : sources) {
    std::istringstream in(read_text_file(std::filesystem::path(R1EVAL_SHARED_DATA) / path));
    for (int i = 0; std::getline(in, line); ++i) {
      const auto record = nlohmann::json::parse(line);
      for (const auto& field : fields) docs.push_back({path + ":" + std::to_string(i) + ":" + field, record.at(field).get<std::string>()});
    }
  }
  return docs;
}

// Same as corpus.codepoint_documents(): every scalar value from U+0080 in blocks of 4096, each as
// " " + c + "x" + c + "1 ".
inline std::vector<CorpusDocument> codepoint_documents() {
  std::vector<CorpusDocument> docs;
  for (char32_t start = 0x80; start < 0x110000; start += 4096) {
    char key[16];
    std::snprintf(key, sizeof key, "U+%04X", static_cast<unsigned>(start));
    CorpusDocument d{key, {}};
    for (char32_t cp = start; cp < std::min<char32_t>(start + 4096, 0x110000); ++cp) {
      if (cp >= 0xD800 && cp <= 0xDFFF) continue;
      d.text += ' ';
      utf8::append(d.text, cp);
      d.text += 'x';
      utf8::append(d.text, cp);
      d.text += "1 ";
    }
    docs.push_back(std::move(d));
  }
  return docs;
}

// FNV-1a 64 of `bytes`, as 16 hex digits (corpus.fnv1a64 hashes an id sequence's decimal text this way).
inline std::string fnv1a64_hex(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

// corpus.fnv1a64: the ids as decimal text joined by single spaces.
inline std::string fnv1a64_hex(const std::vector<std::uint32_t>& ids) {
  std::string text;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) text += ' ';
    text += std::to_string(ids[i]);
  }
  return fnv1a64_hex(std::string_view(text));
}

struct ExpectedRow {
  std::string key;
  std::vector<std::pair<std::size_t, std::string>> columns;  // (count, hash) pairs
};

inline std::vector<ExpectedRow> expected_rows(const char* file) {
  std::istringstream in(read_text_file(corpus_dir() / file));
  std::vector<ExpectedRow> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    ExpectedRow e;
    std::getline(fields, e.key, '\t');
    std::size_t count = 0;
    std::string hash;
    while (fields >> count >> hash) e.columns.emplace_back(count, hash);
    rows.push_back(e);
  }
  return rows;
}

}  // namespace r1eval::engine::test
