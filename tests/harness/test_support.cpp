#include "test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace r1eval::harness::testing {

std::filesystem::path scratch_dir(const std::string& name) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "harness" / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

pid_t spawn_r1eval(const std::string& args) {
  std::vector<std::string> words{std::string(R1EVAL_BINARY_DIR) + "/r1eval"};
  std::istringstream in(args);
  for (std::string w; in >> w;) words.push_back(w);
  const pid_t pid = ::fork();
  if (pid == 0) {
    FILE* null = std::fopen("/dev/null", "w");
    if (null) {
      ::dup2(::fileno(null), 1);
      ::dup2(::fileno(null), 2);
    }
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

CommandResult run_r1eval(const std::string& args, const std::string& stdin_text) {
  const auto dir = std::filesystem::path(R1EVAL_TEST_TMP) / "harness" / "cmd";
  std::filesystem::create_directories(dir);
  // Separate files per call so parallel test processes do not collide.
  const std::string tag = std::to_string(::getpid());
  const auto in = dir / ("stdin." + tag), out = dir / ("stdout." + tag), err = dir / ("stderr." + tag);
  write_text(in, stdin_text);
  const std::string command = std::string(R1EVAL_BINARY_DIR) + "/r1eval " + args + " < '" + in.string() +
                              "' > '" + out.string() + "' 2> '" + err.string() + "'";
  const int status = std::system(command.c_str());
  CommandResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  result.out = read_text(out);
  result.err = read_text(err);
  return result;
}

std::string shared_data() { return R1EVAL_SHARED_DATA; }

namespace {

// GPT-2's byte -> printable code point map, which byte-level BPE vocabularies are written in.
std::string byte_token(int b) {
  const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  int code = b;
  if (!printable) {
    int n = 0;
    for (int x = 0; x < b; ++x)
      if (!((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || (x >= 174 && x <= 255))) ++n;
    code = 256 + n;
  }
  std::string utf8;
  if (code < 0x80) {
    utf8 += static_cast<char>(code);
  } else {
    utf8 += static_cast<char>(0xC0 | (code >> 6));
    utf8 += static_cast<char>(0x80 | (code & 0x3F));
  }
  return utf8;
}

}  // namespace

std::filesystem::path tiny_model(const std::string& name) {
  const auto dir = scratch_dir("tiny_model_" + name);
  const auto fixture = std::filesystem::path(R1EVAL_SOURCE_DIR) / "tests/fixtures/engine/qwen2_fp32";
  for (const auto& entry : std::filesystem::directory_iterator(fixture))
    std::filesystem::copy_file(entry.path(), dir / entry.path().filename());
  nlohmann::json vocab = nlohmann::json::object();
  for (int b = 0; b < 256; ++b) vocab[byte_token(b)] = b;
  const nlohmann::json byte_level = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", true}};
  const nlohmann::json tokenizer = {
      {"version", "1.0"}, {"added_tokens", nlohmann::json::array()}, {"normalizer", nullptr},
      {"pre_tokenizer", byte_level}, {"post_processor", nullptr}, {"decoder", byte_level},
      {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
                 {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false},
                 {"ignore_merges", false}, {"vocab", vocab}, {"merges", nlohmann::json::array()}}}};
  write_text(dir / "tokenizer.json", tokenizer.dump());
  return dir;
}

}  // namespace r1eval::harness::testing
