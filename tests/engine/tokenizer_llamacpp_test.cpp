// The llama.cpp tokenizer test vectors (shared/data/models/tokenizer_tests): each *.inp case,
// encoded without special tokens, must give exactly the ids on the same line of *.out.
#include <gtest/gtest.h>

#include <sstream>

#include "tokenizer_test_files.h"

namespace r1eval::engine {
namespace {

struct VectorCase {
  std::string text;
  std::vector<std::uint32_t> ids;
};

std::vector<VectorCase> load_vectors(const std::string& stem) {
  const auto dir = test::shared_models_dir() / "tokenizer_tests";
  const std::string inp = test::read_text_file(dir / (stem + ".inp"));
  const std::string out = test::read_text_file(dir / (stem + ".out"));
  const std::string separator = "\n__ggml_vocab_test__\n";
  std::vector<VectorCase> cases;
  for (std::size_t start = 0; start < inp.size();) {
    const std::size_t end = inp.find(separator, start);
    if (end == std::string::npos) break;
    cases.push_back({inp.substr(start, end - start), {}});
    start = end + separator.size();
  }
  std::istringstream lines(out);
  std::string line;
  std::size_t i = 0;
  while (std::getline(lines, line)) {
    if (i >= cases.size()) ADD_FAILURE() << stem << ".out has more lines than cases";
    std::istringstream ids(line);
    for (std::uint32_t id; ids >> id;) cases[i].ids.push_back(id);
    ++i;
  }
  EXPECT_EQ(i, cases.size()) << stem;
  return cases;
}

void expect_all_pass(const std::string& stem, const Tokenizer& tokenizer) {
  const auto cases = load_vectors(stem);
  // The files hold 46 cases each (models/README.md says 47; the .out files have 46 lines).
  ASSERT_EQ(cases.size(), 46u) << stem;
  int passed = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto ids = tokenizer.encode(cases[i].text, false);
    EXPECT_EQ(ids, cases[i].ids) << stem << " case " << i << ": '" << cases[i].text << "'";
    passed += ids == cases[i].ids;
    // Decoding gives the text back (these inputs are already NFC).
    EXPECT_EQ(tokenizer.decode(ids), cases[i].text) << stem << " case " << i;
  }
  EXPECT_EQ(passed, 46) << stem;
}

TEST(TokenizerLlamaCppVectors, Qwen2) { expect_all_pass("ggml-vocab-qwen2.gguf", test::qwen_tokenizer()); }

TEST(TokenizerLlamaCppVectors, DeepSeekR1Qwen) {
  expect_all_pass("ggml-vocab-deepseek-r1-qwen.gguf", test::qwen_tokenizer());
}

TEST(TokenizerLlamaCppVectors, LlamaBpe) { expect_all_pass("ggml-vocab-llama-bpe.gguf", test::llama_tokenizer()); }

}  // namespace
}  // namespace r1eval::engine
