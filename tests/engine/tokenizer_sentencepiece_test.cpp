// SentencePiece-style BPE (Llama 2, Mistral 7B v0.1-v0.3, Gemma): the fixture tokenizer of
// tools/make_sentencepiece_tokenizer.py through each pipeline those checkpoints' tokenizer.json files use, against
// the ids and texts Hugging Face `tokenizers` gives (tools/tokenizer_corpus/expected_sentencepiece.tsv,
// codepoints_sentencepiece.tsv, sentencepiece_cases.json).
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "engine/tokenizer/streaming_decoder.h"
#include "engine/tokenizer/utf8.h"
#include "tokenizer_corpus.h"
#include "tokenizer_test_files.h"

namespace r1eval::engine {
namespace {

using nlohmann::json;

const std::filesystem::path kFixture = std::filesystem::path(R1EVAL_SOURCE_DIR) / "tests" / "fixtures" / "tokenizer" / "sentencepiece_bpe";

const json& cases_file() {
  static const json j = json::parse(test::read_text_file(test::corpus_dir() / "sentencepiece_cases.json"));
  return j;
}

// The fixture folder with pipeline `index` of sentencepiece_cases.json in place of its own.
std::filesystem::path pipeline_dir(std::size_t index) {
  const json& pipeline = cases_file().at("pipelines").at(index);
  json j = json::parse(test::read_text_file(kFixture / "tokenizer.json"));
  for (const char* part : {"normalizer", "pre_tokenizer", "decoder"}) j[part] = pipeline.at(part);
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizers" /
                   ("sentencepiece-" + pipeline.at("name").get<std::string>() + "-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "tokenizer.json", std::ios::trunc) << j.dump();
  std::filesystem::copy_file(kFixture / "tokenizer_config.json", dir / "tokenizer_config.json",
                             std::filesystem::copy_options::overwrite_existing);
  return dir;
}

std::size_t pipeline_count() { return cases_file().at("pipelines").size(); }

std::string streamed(const Tokenizer& tokenizer, const std::vector<std::uint32_t>& ids, bool skip_special) {
  StreamingDecoder decoder(tokenizer, skip_special);
  std::string text;
  for (std::uint32_t id : ids) text += decoder.push(id);
  return text + decoder.finish();
}

// Columns per pipeline: id count, id hash, decoded byte length, decoded hash.
void compare_documents(const std::vector<test::CorpusDocument>& docs, const char* expected_file) {
  const auto rows = test::expected_rows(expected_file);
  ASSERT_EQ(docs.size(), rows.size()) << expected_file << " is out of date: rerun tools/make_sentencepiece_tokenizer.py";
  for (std::size_t p = 0; p < pipeline_count(); ++p) {
    const Tokenizer tokenizer = Tokenizer::from_folder(pipeline_dir(p));
    std::size_t mismatches = 0, tokens = 0;
    for (std::size_t i = 0; i < docs.size(); ++i) {
      ASSERT_EQ(docs[i].key, rows[i].key);
      ASSERT_EQ(rows[i].columns.size(), 2 * pipeline_count()) << expected_file << " line " << i + 1;
      const auto ids = tokenizer.encode(docs[i].text, false);
      const std::string text = tokenizer.decode(ids);
      tokens += ids.size();
      const auto& [count, hash] = rows[i].columns[2 * p];
      const auto& [length, text_hash] = rows[i].columns[2 * p + 1];
      const bool same = ids.size() == count && test::fnv1a64_hex(ids) == hash && text.size() == length &&
                        test::fnv1a64_hex(text) == text_hash;
      mismatches += !same;
      EXPECT_TRUE(same) << cases_file()["pipelines"][p]["name"] << " " << docs[i].key << ": " << ids.size() << " ids (HF "
                        << count << "), decoded " << text.size() << " bytes (HF " << length << ")";
      if (i % 16 == 0) {
        EXPECT_EQ(streamed(tokenizer, ids, false), text) << docs[i].key;
      }
    }
    std::printf("%s: %zu documents, %zu tokens, %zu mismatches\n",
                cases_file()["pipelines"][p]["name"].get<std::string>().c_str(), docs.size(), tokens, mismatches);
  }
}

TEST(TokenizerSentencePiece, CorpusMatchesHuggingFace) {
  compare_documents(test::corpus_documents(), "expected_sentencepiece.tsv");
}

// Characters the fixture's 5,000 pieces lack go to byte fallback: every code point pins it.
TEST(TokenizerSentencePiece, EveryCodePointMatchesHuggingFace) {
  compare_documents(test::codepoint_documents(), "codepoints_sentencepiece.tsv");
}

// Added tokens split the text first: the legacy normalizer prefixes "▁" to every chunk, Metaspace "first" only
// to the chunk at the very start; BOS from tokenizer_config.json; byte runs that are not UTF-8 decode to one
// U+FFFD per byte; Strip and the Metaspace decoder act on the start of the text only.
TEST(TokenizerSentencePiece, AddedTokensAndDecodingMatchHuggingFace) {
  std::vector<Tokenizer> tokenizers;
  for (std::size_t p = 0; p < pipeline_count(); ++p) tokenizers.push_back(Tokenizer::from_folder(pipeline_dir(p)));
  const json& pipelines = cases_file().at("pipelines");
  std::size_t checked = 0;
  for (const json& c : cases_file().at("cases")) {
    std::size_t p = 0;
    while (pipelines[p]["name"] != c["pipeline"]) ++p;
    const Tokenizer& tokenizer = tokenizers[p];
    const auto ids = c["ids"].get<std::vector<std::uint32_t>>();
    const std::string label = c["pipeline"].get<std::string>() + " " + c.value("text", c["ids"].dump());
    if (c.contains("text")) {
      EXPECT_EQ(tokenizer.encode(c["text"].get<std::string>(), true), ids) << label;
    }
    EXPECT_EQ(tokenizer.decode(ids, false), c["decoded"].get<std::string>()) << label;
    EXPECT_EQ(tokenizer.decode(ids, true), c["decoded_skipping_special"].get<std::string>()) << label;
    EXPECT_EQ(streamed(tokenizer, ids, false), c["decoded"].get<std::string>()) << label;
    EXPECT_EQ(streamed(tokenizer, ids, true), c["decoded_skipping_special"].get<std::string>()) << label;
    ++checked;
  }
  EXPECT_GT(checked, 60u);
}

// Added tokens marked normalized are matched, and decoded, in their normalized form ("[INST]" is "▁[INST]" under the
// Llama 2 normalizer); single_word tokens only next to characters outside Rust regex's \w.
TEST(TokenizerSentencePiece, NormalizedAndSingleWordAddedTokensMatchHuggingFace) {
  const json base = json::parse(test::read_text_file(kFixture / "tokenizer.json"));
  const json& file = cases_file();
  std::size_t checked = 0;
  for (const json& pipeline : file.at("flag_pipelines")) {
    json j = base;
    for (json& t : j["added_tokens"])
      if (t["content"] == "[INST]") t["normalized"] = true;
    for (const json& extra : file.at("extra_tokens")) {
      json t = {{"single_word", false}, {"lstrip", false}, {"rstrip", false}};
      t.update(extra);
      j["added_tokens"].push_back(t);
    }
    for (const char* part : {"normalizer", "pre_tokenizer", "decoder"}) j[part] = pipeline.at(part);
    const std::string name = pipeline.at("name").get<std::string>();
    const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizers" / ("sentencepiece-flags-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "tokenizer.json", std::ios::trunc) << j.dump();
    const Tokenizer tokenizer = Tokenizer::from_folder(dir);
    for (const json& c : file.at("flag_cases")) {
      if (c.at("pipeline") != name) continue;
      const auto ids = c.at("ids").get<std::vector<std::uint32_t>>();
      const std::string label = name + " " + c.value("text", c.at("ids").dump());
      if (c.contains("text")) {
        EXPECT_EQ(tokenizer.encode(c.at("text").get<std::string>(), false), ids) << label;
      }
      EXPECT_EQ(tokenizer.decode(ids), c.at("decoded").get<std::string>()) << label;
      ++checked;
    }
  }
  EXPECT_GT(checked, 60u);
}

// A byte run is held back until a piece ends it; a stray continuation byte spoils the whole run as in HF.
TEST(TokenizerSentencePiece, StreamingHoldsByteRuns) {
  const Tokenizer tokenizer = Tokenizer::from_folder(pipeline_dir(0));
  const auto e2 = *tokenizer.token_to_id("<0xE2>"), x82 = *tokenizer.token_to_id("<0x82>"), xac = *tokenizer.token_to_id("<0xAC>");
  const auto word = *tokenizer.token_to_id("\u2581x");
  StreamingDecoder decoder(tokenizer);
  EXPECT_EQ(decoder.push(e2), "");
  EXPECT_EQ(decoder.push(x82), "");
  EXPECT_EQ(decoder.push(xac), "");
  EXPECT_EQ(decoder.pending_bytes(), 3u);
  EXPECT_EQ(decoder.push(word), "\u20ac x");
  EXPECT_EQ(decoder.push(e2), "");
  EXPECT_EQ(decoder.finish(), "\xEF\xBF\xBD");
  EXPECT_EQ(tokenizer.token_bytes(word), " x");
  EXPECT_EQ(tokenizer.token_bytes(e2), "\xE2");
}

// What cannot be reproduced exactly is refused with the JSON path.
TEST(TokenizerSentencePiece, RefusesWhatItCannotReproduce) {
  const json base = json::parse(test::read_text_file(kFixture / "tokenizer.json"));
  auto refused = [&](const std::function<void(json&)>& change, const std::string& expected) {
    json j = base;
    change(j);
    const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "tokenizers" / ("sentencepiece-refused-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "tokenizer.json", std::ios::trunc) << j.dump();
    try {
      (void)Tokenizer::from_folder(dir);
      ADD_FAILURE() << "accepted; expected: " << expected;
    } catch (const TokenizerError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  refused([](json& j) { j["normalizer"]["normalizers"].push_back({{"type", "Replace"}, {"pattern", {{"Regex", " {2,}"}}}, {"content", " "}}); },
          "normalizer.normalizers[2].pattern: expected {\"String\": ...}");
  refused([](json& j) { j["normalizer"]["normalizers"].push_back({{"type", "NFKC"}}); }, "unsupported normalizer 'NFKC'");
  refused([](json& j) {
    auto& steps = j["decoder"]["decoders"];
    steps.insert(steps.begin(), json::object({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}));
  },
          "Strip before Fuse");
  refused([](json& j) { j["decoder"]["decoders"].push_back({{"type", "Replace"}, {"pattern", {{"String", "a"}}}, {"content", "b"}}); },
          "Replace after ByteFallback");
  refused([](json& j) { j["decoder"] = {{"type", "ByteLevel"}}; }, "unsupported decoder 'ByteLevel' in a SentencePiece-style tokenizer");
  refused([](json& j) { j["normalizer"] = nullptr; }, "model.byte_fallback: true needs a SentencePiece-style pipeline");
  refused([](json& j) {
    j["normalizer"] = nullptr;
    j["model"]["byte_fallback"] = false;
  }, "expected a ByteLevel pre-tokenizer (byte-level BPE) or a Metaspace one");
  refused([](json& j) { j["model"]["unk_token"] = "<nope>"; }, "model.unk_token: token '<nope>' is not in model.vocab");
  refused([](json& j) { j["decoder"] = nullptr; }, "decoder: missing (HF would join the pieces with spaces)");
  refused([](json& j) { j["normalizer"]["normalizers"][1]["pattern"] = {{"Regex", " "}}; },
          "normalizer.normalizers[1].pattern: expected {\"String\": ...}");
}

}  // namespace
}  // namespace r1eval::engine
