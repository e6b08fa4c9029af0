// The mixed corpus (tools/tokenizer_corpus/mixed.jsonl + the benchmark problems) against Hugging Face
// `tokenizers`' ids for the same tokenizer.json files, recorded by tools/tokenizer_corpus/make_expected.py
// as a count and a hash per document.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/tokenizer/normalizer.h"
#include "tokenizer_test_files.h"

namespace r1eval::engine {
namespace {

struct Document {
  std::string key, text;
};

// Same order as tools/tokenizer_corpus/corpus.py.
std::vector<Document> corpus_documents() {
  std::vector<Document> docs;
  const std::filesystem::path corpus_dir = std::filesystem::path(R1EVAL_SOURCE_DIR) / "tools" / "tokenizer_corpus";
  std::istringstream mixed(test::read_text_file(corpus_dir / "mixed.jsonl"));
  std::string line;
  for (int i = 0; std::getline(mixed, line); ++i) docs.push_back({"mixed:" + std::to_string(i), nlohmann::json::parse(line).get<std::string>()});
  const std::vector<std::pair<std::string, std::vector<std::string>>> sources = {
      {"aime24/test.jsonl", {"problem", "solution"}}, {"aime25/test.jsonl", {"problem"}}, {"math500/test.jsonl", {"problem", "solution"}}};
  for (const auto& [path, fields] : sources) {
    std::istringstream in(test::read_text_file(std::filesystem::path(R1EVAL_SHARED_DATA) / path));
    for (int i = 0; std::getline(in, line); ++i) {
      const auto record = nlohmann::json::parse(line);
      for (const auto& field : fields) docs.push_back({path + ":" + std::to_string(i) + ":" + field, record.at(field).get<std::string>()});
    }
  }
  return docs;
}

std::string fnv1a64_hex(const std::vector<std::uint32_t>& ids) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  auto mix = [&](char c) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  };
  for (std::size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) mix(' ');
    for (char c : std::to_string(ids[i])) mix(c);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

struct Expected {
  std::string key;
  std::size_t count[2];
  std::string hash[2];
};

std::vector<Expected> expected_rows() {
  std::istringstream in(test::read_text_file(std::filesystem::path(R1EVAL_SOURCE_DIR) / "tools" / "tokenizer_corpus" / "expected.tsv"));
  std::vector<Expected> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    Expected e;
    std::getline(fields, e.key, '\t');
    fields >> e.count[0] >> e.hash[0] >> e.count[1] >> e.hash[1];
    rows.push_back(e);
  }
  return rows;
}

void compare_family(int family, const Tokenizer& tokenizer, bool nfc_text) {
  const auto docs = corpus_documents();
  const auto rows = expected_rows();
  ASSERT_EQ(docs.size(), rows.size()) << "tools/tokenizer_corpus/expected.tsv is out of date: rerun make_expected.py";
  std::size_t tokens = 0, mismatches = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    ASSERT_EQ(docs[i].key, rows[i].key);
    const auto ids = tokenizer.encode(docs[i].text, false);
    tokens += ids.size();
    const bool same = ids.size() == rows[i].count[family] && fnv1a64_hex(ids) == rows[i].hash[family];
    mismatches += !same;
    EXPECT_TRUE(same) << docs[i].key << ": " << ids.size() << " ids, HF has " << rows[i].count[family] << "; text: " << docs[i].text;
    EXPECT_EQ(tokenizer.decode(ids), nfc_text ? nfc(docs[i].text) : docs[i].text) << docs[i].key;
  }
  std::printf("corpus: %zu documents, %zu tokens compared, %zu mismatches\n", docs.size(), tokens, mismatches);
  EXPECT_EQ(mismatches, 0u);
}

TEST(TokenizerCorpus, QwenMatchesHuggingFace) { compare_family(0, test::qwen_tokenizer(), true); }

TEST(TokenizerCorpus, LlamaMatchesHuggingFace) { compare_family(1, test::llama_tokenizer(), false); }

}  // namespace
}  // namespace r1eval::engine
