#include "engine/tokenizer/tokenizer_recipes.h"

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/tokenizer_json.h"

namespace r1eval::engine {
namespace {

using ojson = nlohmann::json;

constexpr const char* kBos = "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";  // <｜begin▁of▁sentence｜>
constexpr const char* kEos = "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";    // <｜end▁of▁sentence｜>
constexpr const char* kUser = "<\xEF\xBD\x9CUser\xEF\xBD\x9C>";
constexpr const char* kAssistant = "<\xEF\xBD\x9C" "Assistant\xEF\xBD\x9C>";

TokenizerRecipe make_qwen() {
  TokenizerRecipe r;
  r.name = "DeepSeek-R1-Distill-Qwen";
  r.ranks_file = "DeepSeek-R1-Distill-Qwen/qwen.tiktoken";
  r.chat_template_file = "DeepSeek-R1-Distill-Qwen/chat_template.jinja";
  r.pattern = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  r.nfc = true;
  r.ignore_merges = false;
  r.derivation = MergeDerivation::kReplayBpe;
  // Ids 151643.. as listed in shared/data/models/README.md.
  r.added = {{kEos, true},
             {kUser, false},
             {kAssistant, false},
             {kBos, true},
             {"<|EOT|>", false},
             {"<think>", false},
             {"</think>", false},
             {"<|quad_start|>", true},
             {"<|quad_end|>", true},
             {"<|vision_start|>", true},
             {"<|vision_end|>", true},
             {"<|vision_pad|>", true},
             {"<|image_pad|>", true},
             {"<|video_pad|>", true},
             {"<tool_call>", false},
             {"</tool_call>", false},
             {"<|fim_prefix|>", false},
             {"<|fim_middle|>", false},
             {"<|fim_suffix|>", false},
             {"<|fim_pad|>", false},
             {"<|repo_name|>", false},
             {"<|file_sep|>", false}};
  r.bos = kBos;
  r.eos = kEos;
  r.pad = kEos;
  return r;
}

TokenizerRecipe make_llama() {
  TokenizerRecipe r;
  r.name = "DeepSeek-R1-Distill-Llama";
  r.ranks_file = "DeepSeek-R1-Distill-Llama/llama3_tokenizer.model";
  r.chat_template_file = "DeepSeek-R1-Distill-Llama/chat_template.jinja";
  r.pattern = R"((?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
  r.nfc = false;
  r.ignore_merges = true;
  r.derivation = MergeDerivation::kAllSplits;
  // Ids 128000..128255: Llama-3.1's special tokens with the R1 distill renames (bos, eos, User,
  // Assistant, think, /think, pad at 128011..128015). The renamed ids are an assumption from public
  // copies of the model's tokenizer_config.json (see models/README.md); the rest keep Llama-3.1 names.
  r.added = {{kBos, true},
             {kEos, true},
             {"<|reserved_special_token_0|>", true},
             {"<|reserved_special_token_1|>", true},
             {"<|finetune_right_pad_id|>", true},
             {"<|reserved_special_token_2|>", true},
             {"<|start_header_id|>", true},
             {"<|end_header_id|>", true},
             {"<|eom_id|>", true},
             {"<|eot_id|>", true},
             {"<|python_tag|>", true},
             {kUser, false},
             {kAssistant, false},
             {"<think>", false},
             {"</think>", false},
             {"<\xEF\xBD\x9C\xE2\x96\x81pad\xE2\x96\x81\xEF\xBD\x9C>", true}};  // <｜▁pad▁｜>
  for (int id = 128016; id <= 128255; ++id)
    r.added.push_back({"<|reserved_special_token_" + std::to_string(id - 128008) + "|>", true});
  r.bos = kBos;
  r.eos = kEos;
  r.pad = kEos;
  return r;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TokenizerError(path.string() + ": cannot open file");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_atomically(const std::filesystem::path& path, const std::string& content) {
  static std::atomic<unsigned> counter{0};
  std::filesystem::path tmp = path;
  tmp += ".tmp." + std::to_string(std::hash<std::thread::id>{}(std::this_thread::get_id())) + "." + std::to_string(counter++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    out.flush();
    if (!out) throw TokenizerError(tmp.string() + ": cannot write file");
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

const TokenizerRecipe& r1_distill_qwen_recipe() {
  static const TokenizerRecipe r = make_qwen();
  return r;
}

const TokenizerRecipe& r1_distill_llama_recipe() {
  static const TokenizerRecipe r = make_llama();
  return r;
}

ojson make_tokenizer_json(const std::vector<std::string>& ranks, const TokenizerRecipe& recipe) {
  std::vector<std::string> text(ranks.size());
  for (std::size_t r = 0; r < ranks.size(); ++r) text[r] = bytes_to_byte_level(ranks[r]);

  ojson added = ojson::array();
  for (std::size_t i = 0; i < recipe.added.size(); ++i)
    added.push_back({{"id", ranks.size() + i},
                     {"content", recipe.added[i].content},
                     {"single_word", false},
                     {"lstrip", false},
                     {"rstrip", false},
                     {"normalized", false},
                     {"special", recipe.added[i].special}});

  const ojson byte_level_off = {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", false}, {"use_regex", false}};
  const std::size_t bos_id = ranks.size() + static_cast<std::size_t>(std::find_if(recipe.added.begin(), recipe.added.end(), [&](const auto& a) {
                                                return a.content == recipe.bos;
                                              }) - recipe.added.begin());
  auto special = [](const std::string& name) { return ojson{{"SpecialToken", {{"id", name}, {"type_id", 0}}}}; };
  auto sequence = [](const char* name, int type_id) { return ojson{{"Sequence", {{"id", name}, {"type_id", type_id}}}}; };
  const ojson templ = {{"type", "TemplateProcessing"},
                       {"single", {special(recipe.bos), sequence("A", 0)}},
                       {"pair", {special(recipe.bos), sequence("A", 0), special(recipe.bos), sequence("B", 0)}},
                       {"special_tokens", {{recipe.bos, {{"id", recipe.bos}, {"ids", {bos_id}}, {"tokens", {recipe.bos}}}}}}};

  ojson vocab = ojson::object();
  for (std::size_t r = 0; r < text.size(); ++r) vocab[text[r]] = r;
  ojson merges = ojson::array();
  for (const auto& [left, right] : derive_merges(ranks, recipe.derivation)) merges.push_back({text[left], text[right]});

  ojson root;
  root["version"] = "1.0";
  root["truncation"] = nullptr;
  root["padding"] = nullptr;
  root["added_tokens"] = std::move(added);
  root["normalizer"] = recipe.nfc ? ojson{{"type", "NFC"}} : ojson();
  root["pre_tokenizer"] = {{"type", "Sequence"},
                           {"pretokenizers",
                            {{{"type", "Split"}, {"pattern", {{"Regex", recipe.pattern}}}, {"behavior", "Isolated"}, {"invert", false}},
                             byte_level_off}}};
  root["post_processor"] = {{"type", "Sequence"}, {"processors", {byte_level_off, templ}}};
  root["decoder"] = {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}};
  root["model"] = {{"type", "BPE"},
                   {"dropout", nullptr},
                   {"unk_token", nullptr},
                   {"continuing_subword_prefix", nullptr},
                   {"end_of_word_suffix", nullptr},
                   {"fuse_unk", false},
                   {"byte_fallback", false},
                   {"ignore_merges", recipe.ignore_merges},
                   {"vocab", std::move(vocab)},
                   {"merges", std::move(merges)}};
  return root;
}

ojson make_tokenizer_config(const TokenizerRecipe& recipe, const std::string& chat_template) {
  ojson c;
  c["add_bos_token"] = true;
  c["add_eos_token"] = false;
  c["bos_token"] = recipe.bos;
  c["eos_token"] = recipe.eos;
  c["pad_token"] = recipe.pad;
  c["unk_token"] = nullptr;  // as the distills' config: transformers 5 would add its class's default unknown token
  c["clean_up_tokenization_spaces"] = false;
  c["legacy"] = true;
  c["model_max_length"] = recipe.model_max_length;
  c["tokenizer_class"] = "LlamaTokenizerFast";
  c["chat_template"] = chat_template;
  return c;
}

void write_tokenizer_folder(const TokenizerRecipe& recipe, const std::filesystem::path& models_dir,
                            const std::filesystem::path& out_dir) {
  const std::vector<std::string> ranks = load_tiktoken_ranks(models_dir / recipe.ranks_file);
  const std::string chat_template = read_file(models_dir / recipe.chat_template_file);
  std::filesystem::create_directories(out_dir);
  write_atomically(out_dir / "tokenizer_config.json", make_tokenizer_config(recipe, chat_template).dump(2));
  write_atomically(out_dir / "tokenizer.json", make_tokenizer_json(ranks, recipe).dump(2));
}

}  // namespace r1eval::engine
