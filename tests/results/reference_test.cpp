#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>
#include <tuple>

#include "results/reference.h"

namespace r1eval::results {
namespace {

const ReferenceValue* find(const ReferenceTable& t, const std::string& model, const std::string& task,
                           const std::string& metric) {
  const ReferenceValue* found = nullptr;
  for (const ReferenceValue& v : t.values) {
    if (v.model == model && v.task == task && v.metric == metric) {
      EXPECT_EQ(found, nullptr) << "duplicate " << model << " " << task << " " << metric;
      found = &v;
    }
  }
  return found;
}

double value_of(const ReferenceTable& t, const std::string& model, const std::string& task,
                const std::string& metric) {
  const ReferenceValue* v = find(t, model, task, metric);
  if (v == nullptr) {
    ADD_FAILURE() << "missing " << model << " " << task << " " << metric;
    return -1;
  }
  return v->value;
}

TEST(ReferenceTables, BuiltInTablesParseAndNameThemselves) {
  const std::vector<std::string> names = reference_table_names();
  EXPECT_EQ(names, (std::vector<std::string>{"open-r1", "r1-paper"}));
  for (const std::string& name : names) {
    const ReferenceTable& t = reference_table(name);
    EXPECT_EQ(t.name, name);
    EXPECT_FALSE(t.description.empty());
    const std::set<std::string> tasks = {"aime24", "math500", "gpqa_diamond", "codeforces", "livecodebench"};
    std::set<std::tuple<std::string, std::string, std::string>> seen;
    for (const ReferenceValue& v : t.values) {
      EXPECT_TRUE(tasks.count(v.task)) << v.task;
      EXPECT_FALSE(v.source.empty()) << v.model << " " << v.task << " " << v.metric;
      EXPECT_TRUE(seen.insert({v.model, v.task, v.metric}).second) << "duplicate " << v.model << " " << v.metric;
      if (v.metric == "rating") {
        EXPECT_GT(v.value, 500);
        EXPECT_LT(v.value, 3000);
      } else {
        EXPECT_GE(v.value, 0);
        EXPECT_LE(v.value, 100);
      }
    }
  }
}

TEST(ReferenceTables, PaperTablesTwoFourAndFive) {
  const ReferenceTable& t = reference_table("r1-paper");
  // Table 5, one row per distill: AIME pass@1, cons@64, MATH-500, GPQA, LiveCodeBench, Codeforces rating.
  struct Row {
    const char* model;
    double aime, cons, math, gpqa, lcb, rating;
  };
  const Row table5[] = {
      {"DeepSeek-R1-Distill-Qwen-1.5B", 28.9, 52.7, 83.9, 33.8, 16.9, 954},
      {"DeepSeek-R1-Distill-Qwen-7B", 55.5, 83.3, 92.8, 49.1, 37.6, 1189},
      {"DeepSeek-R1-Distill-Qwen-14B", 69.7, 80.0, 93.9, 59.1, 53.1, 1481},
      {"DeepSeek-R1-Distill-Qwen-32B", 72.6, 83.3, 94.3, 62.1, 57.2, 1691},
      {"DeepSeek-R1-Distill-Llama-8B", 50.4, 80.0, 89.1, 49.0, 39.6, 1205},
      {"DeepSeek-R1-Distill-Llama-70B", 70.0, 86.7, 94.5, 65.2, 57.5, 1633},
      {"GPT-4o-0513", 9.3, 13.4, 74.6, 49.9, 32.9, 759},
      {"Claude-3.5-Sonnet-1022", 16.0, 26.7, 78.3, 65.0, 38.9, 717},
      {"OpenAI-o1-mini", 63.6, 80.0, 90.0, 60.0, 53.8, 1820},
      {"QwQ-32B-Preview", 50.0, 60.0, 90.6, 54.5, 41.9, 1316},
      // Table 2
      {"DeepSeek-R1-Zero", 71.0, 86.7, 95.9, 73.3, 50.0, 1444},
      {"OpenAI-o1-0912", 74.4, 83.3, 94.8, 77.3, 63.4, 1843},
  };
  for (const Row& r : table5) {
    SCOPED_TRACE(r.model);
    EXPECT_EQ(value_of(t, r.model, "aime24", "pass@1"), r.aime);
    EXPECT_EQ(value_of(t, r.model, "aime24", "cons@64"), r.cons);
    EXPECT_EQ(value_of(t, r.model, "math500", "pass@1"), r.math);
    EXPECT_EQ(value_of(t, r.model, "gpqa_diamond", "pass@1"), r.gpqa);
    EXPECT_EQ(value_of(t, r.model, "livecodebench", "pass@1"), r.lcb);
    EXPECT_EQ(value_of(t, r.model, "codeforces", "rating"), r.rating);
  }
  // Table 4: DeepSeek-R1, o1-1217 and DeepSeek-V3 (no cons@64 there), with Codeforces percentiles.
  EXPECT_EQ(value_of(t, "DeepSeek-R1", "aime24", "pass@1"), 79.8);
  EXPECT_EQ(value_of(t, "DeepSeek-R1", "math500", "pass@1"), 97.3);
  EXPECT_EQ(value_of(t, "DeepSeek-R1", "gpqa_diamond", "pass@1"), 71.5);
  EXPECT_EQ(value_of(t, "DeepSeek-R1", "livecodebench", "pass@1"), 65.9);
  EXPECT_EQ(value_of(t, "DeepSeek-R1", "codeforces", "percentile"), 96.3);
  EXPECT_EQ(value_of(t, "DeepSeek-R1", "codeforces", "rating"), 2029);
  EXPECT_EQ(value_of(t, "OpenAI-o1-1217", "aime24", "pass@1"), 79.2);
  EXPECT_EQ(value_of(t, "OpenAI-o1-1217", "codeforces", "rating"), 2061);
  EXPECT_EQ(value_of(t, "OpenAI-o1-1217", "codeforces", "percentile"), 96.6);
  EXPECT_EQ(value_of(t, "DeepSeek-V3", "aime24", "pass@1"), 39.2);
  EXPECT_EQ(value_of(t, "DeepSeek-V3", "codeforces", "rating"), 1134);
  EXPECT_EQ(value_of(t, "OpenAI-o1-mini", "codeforces", "percentile"), 93.4);
  EXPECT_EQ(find(t, "DeepSeek-R1", "aime24", "cons@64"), nullptr);
}

TEST(ReferenceTables, OpenR1Reproductions) {
  const ReferenceTable& t = reference_table("open-r1");
  EXPECT_EQ(t.values.size(), 24u);  // six distills x four benchmarks
  EXPECT_EQ(value_of(t, "DeepSeek-R1-Distill-Qwen-1.5B", "aime24", "pass@1"), 26.7);
  EXPECT_EQ(value_of(t, "DeepSeek-R1-Distill-Qwen-32B", "math500", "pass@1"), 96.6);
  EXPECT_EQ(value_of(t, "DeepSeek-R1-Distill-Llama-70B", "gpqa_diamond", "pass@1"), 67.2);
  EXPECT_EQ(value_of(t, "DeepSeek-R1-Distill-Llama-8B", "livecodebench", "pass@1"), 37.0);
}

TEST(ReferenceTables, UnknownNameListsTheKnownOnes) {
  try {
    reference_table("r2-paper");
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("known: open-r1, r1-paper"), std::string::npos) << e.what();
  }
}

std::string parse_error(const std::string& text) {
  try {
    parse_reference_table(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ReferenceTables, ParseErrorsNameTheField) {
  EXPECT_NE(parse_error("{").find("reference table"), std::string::npos);
  EXPECT_NE(parse_error(R"({"description":"d","values":[]})").find("missing field 'name'"), std::string::npos);
  EXPECT_NE(parse_error(R"({"name":"t","description":"d","values":{}})").find("field 'values' must be an array"),
            std::string::npos);
  const std::string bad_value =
      R"({"name":"t","description":"d","values":[{"model":"m","task":"aime24","metric":"pass@1","value":1,"source":"s"},
         {"model":"m","task":"aime24","metric":"pass@1","value":"71.0","source":"s"}]})";
  const std::string message = parse_error(bad_value);
  EXPECT_NE(message.find("reference table 't' values[1]: field 'value' must be a number"), std::string::npos)
      << message;
  const ReferenceTable ok = parse_reference_table(
      R"({"name":"t","description":"d","values":[{"model":"m","task":"aime24","metric":"cons@64","value":80,"source":"s","note":"extra"}]})");
  ASSERT_EQ(ok.values.size(), 1u);
  EXPECT_EQ(ok.values[0].metric, "cons@64");
  EXPECT_EQ(ok.values[0].value, 80.0);
}

}  // namespace
}  // namespace r1eval::results
