// The Jinja subset against jinja2: the R1 distill templates (tools/tokenizer_corpus/chat_template_cases.json)
// and a corpus of chat templates of other families and of single features
// (tools/tokenizer_corpus/jinja_cases.json, made by tools/tokenizer_corpus/make_jinja_cases.py).
#include "engine/tokenizer/jinja/template.h"

#include <gtest/gtest.h>

#include <cstdio>

#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "tokenizer_test_files.h"

namespace r1eval::engine::jinja {
namespace {

std::string render(const std::string& source, const nlohmann::ordered_json& context = nlohmann::ordered_json::object()) {
  return Template(source).render(context);
}

TEST(JinjaTemplate, RendersTheR1DistillTemplatesAsJinja2Does) {
  const auto cases = nlohmann::ordered_json::parse(test::read_text_file(std::filesystem::path(R1EVAL_SOURCE_DIR) / "tools" /
                                                                       "tokenizer_corpus" / "chat_template_cases.json"));
  for (const char* family : {"DeepSeek-R1-Distill-Qwen", "DeepSeek-R1-Distill-Llama"}) {
    const Template t(test::read_text_file(test::shared_models_dir() / family / "chat_template.jinja"));
    for (const auto& c : cases) {
      nlohmann::ordered_json context = {{"messages", c.at("messages")},
                                        {"add_generation_prompt", c.at("add_generation_prompt")},
                                        {"bos_token", "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>"}};
      EXPECT_EQ(t.render(context), c.at("rendered").get<std::string>()) << family << " " << c.dump();
    }
  }
}

// Each case rendered by jinja2 as transformers sets it up; errors must be errors here too.
TEST(JinjaTemplate, MatchesJinja2OnTheCorpus) {
  const auto corpus = nlohmann::ordered_json::parse(test::read_text_file(std::filesystem::path(R1EVAL_SOURCE_DIR) / "tools" /
                                                                        "tokenizer_corpus" / "jinja_cases.json"));
  std::tm when{};
  when.tm_year = 2025 - 1900;
  when.tm_mon = 0;
  when.tm_mday = 22;
  when.tm_isdst = -1;
  RenderOptions options;
  options.now = std::mktime(&when);  // the corpus's strftime_now_date, 00:00 local time
  ASSERT_EQ(corpus.at("strftime_now_date"), "2025-01-22");
  std::size_t checked = 0;
  std::vector<std::string> refused;
  for (const auto& c : corpus.at("cases")) {
    const std::string name = c.at("name").get<std::string>();
    std::string got, error;
    try {
      got = Template(c.at("template").get<std::string>()).render(c.at("context"), options);
    } catch (const JinjaError& e) {
      error = e.what();
    }
    const bool realistic = name.rfind("chat/", 0) == 0;  // a whole chat template of a model family
    if (name == "loop/range_print") continue;  // range() is a list here: it prints as [0, 1, 2], not range(0, 3)
    if (c.contains("error")) {
      EXPECT_FALSE(error.empty()) << name << ": jinja2 refuses it, we rendered " << nlohmann::json(got).dump();
    } else if (realistic || error.empty()) {
      EXPECT_TRUE(error.empty()) << name << ": " << error;
      EXPECT_EQ(got, c.at("expected").get<std::string>()) << name;
    } else {
      // A feature outside the subset (integers past 64 bits, 'is filter' / 'is test', ...) is refused
      // with one line, never rendered differently.
      refused.push_back(name);
      EXPECT_EQ(error.find('\n'), std::string::npos) << name;
    }
    ++checked;
  }
  EXPECT_GE(checked, 400u);
  std::printf("jinja corpus: %zu cases, %zu refused: %s\n", checked, refused.size(), nlohmann::json(refused).dump().c_str());
  EXPECT_LE(refused.size(), 2u) << "more features refused than before: " << nlohmann::json(refused).dump();
}

TEST(JinjaTemplate, PythonValuesPrintAsPythonPrintsThem) {
  EXPECT_EQ(render("{{ 7 / 2 }} {{ 4 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 1e-5 }} {{ 1e16 }} {{ 0.1 + 0.2 }}"),
            "3.5 2.0 3 -4 2 1e-05 1e+16 0.30000000000000004");
  EXPECT_EQ(render("{{ none }} {{ true }} {{ [1, 'a', none] }} {{ {'k': 1.0} }} {{ undefined_name }}|"),
            "None True [1, 'a', None] {'k': 1.0} |");
  EXPECT_EQ(render("{{ \"it's\" }} {{ [\"it's\"] }} {{ ['a\\nb'] }}"), "it's [\"it's\"] ['a\\nb']");
}

TEST(JinjaTemplate, WhitespaceControlAndTrimBlocks) {
  EXPECT_EQ(render("a\n  {% if true %}\n  b\n  {% endif %}\nc"), "a\n  b\nc");
  EXPECT_EQ(render("a  {%- if true -%}  b  {%- endif %} c"), "ab c");
  EXPECT_EQ(render("{# note #}\nx {{- ' y' }}"), "x y");
  EXPECT_EQ(render("  {%+ if true %}k{% endif %}"), "  k");
}

TEST(JinjaTemplate, LoopsScopesAndNamespaces) {
  const nlohmann::ordered_json ctx = {{"xs", {"a", "b", "c"}}};
  EXPECT_EQ(render("{% for x in xs %}{{ loop.index0 }}{{ x }}{% if not loop.last %},{% endif %}{% endfor %}", ctx), "0a,1b,2c");
  EXPECT_EQ(render("{% set n = 0 %}{% for x in xs %}{% set n = n + 1 %}{% endfor %}{{ n }}", ctx), "0");
  EXPECT_EQ(render("{% set ns = namespace(n=0) %}{% for x in xs %}{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}", ctx), "3");
  EXPECT_EQ(render("{% for x in xs if x != 'b' %}{{ x }}{{ loop.length }}{% else %}none{% endfor %}", ctx), "a2c2");
  EXPECT_EQ(render("{% for x in [] %}{{ x }}{% else %}none{% endfor %}"), "none");
  EXPECT_EQ(render("{% for x in xs %}{% if x == 'b' %}{% break %}{% endif %}{{ x }}{% endfor %}", ctx), "a");
  EXPECT_EQ(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"), "a=1;b=2;");
}

TEST(JinjaTemplate, FiltersTestsAndMethods) {
  const nlohmann::ordered_json ctx = {{"messages", {{{"role", "user"}, {"content", "  hi </think> there "}}, {{"role", "assistant"}, {"content", "ok"}}}}};
  EXPECT_EQ(render("{{ messages[0].content | trim }}|{{ messages[0]['content'].split('</think>')[-1].lstrip() }}", ctx),
            "hi </think> there|there ");
  EXPECT_EQ(render("{{ messages | selectattr('role', 'equalto', 'user') | list | length }}", ctx), "1");
  EXPECT_EQ(render("{{ messages | map(attribute='role') | join(', ') }}", ctx), "user, assistant");
  EXPECT_EQ(render("{{ {'b': [1, 'é'], 'a': none} | tojson }}"), "{\"b\": [1, \"é\"], \"a\": null}");
  EXPECT_EQ(render("{{ x is defined }} {{ none is none }} {{ 'a' is string }} {{ 3 is divisibleby 3 }}"), "False True True True");
  EXPECT_EQ(render("{{ messages[5] is defined }} {{ 'abc'[::-1] }} {{ 'a-b-c'.split('-', 1) }}", ctx), "False cba ['a', 'b-c']");
  EXPECT_EQ(render("{{ missing | default('d') }} {{ '' | default('e', true) }}"), "d e");
}

// Cases a differential fuzz against jinja2 found.
TEST(JinjaTemplate, PythonSemanticsFoundByFuzzing) {
  EXPECT_EQ(render("{{ 1 < 3 < 2 }} {{ 'a' == 'a' == 'a' }} {{ 0 < 5 <= 5 }}"), "False True True");
  EXPECT_EQ(render("{% macro m() %}[{{ message }}]{% endmacro %}{% for message in [1] %}{{ m() }}{% endfor %}"), "[]");
  EXPECT_EQ(render("{% set x = 1 %}{% macro m() %}{{ x }}{% endmacro %}{% for i in [1] %}{% set x = 2 %}{{ m() }}{% endfor %}"), "1");
  EXPECT_EQ(render("{{ tools | selectattr('type') | list | length }} {{ none | map(attribute='a') | list }}", {{"tools", nullptr}}), "0 []");
  EXPECT_EQ(render("{{ '\u00c9COLE' | lower }} {{ 'stra\u00dfe' | upper }} {{ '\u00e9'.isalpha() }}"), "\u00e9cole STRASSE True");
  EXPECT_EQ(render("{{ \"it's\" | title }} {{ \"it's\".title() }} {{ '' is lower }}"), "It's It'S False");
  EXPECT_EQ(render("{{ 'a\\rb\\r\\nc'.splitlines() }}|{{ 'a\\nb' | indent(2, true) }}|{{ '' | indent(2, true) }}"), "['a', 'b', 'c']|  a\n  b|  ");
  EXPECT_EQ(render("{{ '12abc' | int }} {{ '1_000' | int }} {{ '3.7' | int }} {{ 1 // 0.1 }} {{ '%s' | format([1, 2]) }}"), "0 1000 3 9.0 [1, 2]");
  EXPECT_EQ(render("{{ (1, 2) == [1, 2] }} {{ {}[:2] is defined }} {{ '\\101\\N{BULLET}' }}"), "False False A\u2022");
}

TEST(JinjaTemplate, MacrosAndBlockSet) {
  EXPECT_EQ(render("{% macro m(x, y='!') %}<{{ x }}{{ y }}>{% endmacro %}{{ m('a') }}{{ m('b', y='?') }}"), "<a!><b?>");
  EXPECT_EQ(render("{% set block %}x{{ 1 + 1 }}{% endset %}[{{ block }}]"), "[x2]");
}

TEST(JinjaTemplate, StrftimeNowUsesTheGivenClock) {
  std::tm when{};
  when.tm_year = 2025 - 1900;
  when.tm_mon = 0;
  when.tm_mday = 22;
  when.tm_hour = 12;
  RenderOptions options;
  options.now = timegm(&when);
  EXPECT_EQ(Template("{{ strftime_now('%d %b %Y') }}").render(nlohmann::ordered_json::object(), options), "22 Jan 2025");
}

TEST(JinjaTemplate, ErrorsAreOneLineWithTheLine) {
  const auto error = [](const std::string& source) {
    try {
      render(source, {{"messages", nlohmann::ordered_json::array()}});
    } catch (const JinjaError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error("a\n{{ raise_exception('Roles must alternate') }}"), "line 2: Roles must alternate");
  EXPECT_EQ(error("{% if x %}"), "line 1: missing '{% endif %}'");
  EXPECT_EQ(error("{{ x | no_such_filter }}"), "line 1: no filter named 'no_such_filter'");
  EXPECT_EQ(error("{% include 'x' %}"), "line 1: '{% include %}' is not supported here");
  EXPECT_EQ(error("{{ messages[0]['role'] }}"), "line 1: 'messages[0]' is undefined");
  EXPECT_EQ(error("{{ 1 / 0 }}"), "line 1: division by zero");
  EXPECT_EQ(error("{{ 'abc"), "line 1: unterminated string literal");
  EXPECT_NE(error("{{ '\\xZZ' }}"), "no error");
  EXPECT_NE(error("{{ '%99999999999999999999s' % 'a' }}"), "no error");
  // A template from a checkpoint cannot run forever or fill the memory.
  EXPECT_EQ(error("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"),
            "line 1: the template runs too long (over 2000000 steps)");
  EXPECT_EQ(error("{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
            "line 1: a string over 64 MiB");
  // ... nor exhaust the stack or the memory with blocks the subset took on later.
  std::string nested;
  for (int i = 0; i < 40; ++i) nested += "{% for x in [0] recursive %}{% if loop.depth < 100 %}{{ loop([0]) }}{% endif %}";
  for (int i = 0; i < 40; ++i) nested += "{% endfor %}";
  EXPECT_EQ(error(nested), "line 1: macros and recursive loops nested too deeply");
  EXPECT_EQ(error("{% macro f() %}{% for x in [0] recursive %}{{ loop([0]) }}{% endfor %}{{ f() }}{% endmacro %}{{ f() }}")
                .find("nested too deeply") != std::string::npos, true);
  EXPECT_EQ(error("{{ [1] | slice(300000000) | list }}"), "line 1: filter 'slice': over 1048576 slices");
  EXPECT_EQ(error("{{ [1] | batch(3000000000, 0) | list }}"), "line 1: filter 'batch': a batch over 1048576 items");
  EXPECT_EQ(error("{{ 'x'.center(3000000000) }}"), "line 1: a padded string over 64 MiB");
  EXPECT_EQ(error("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}"),
            "line 1: a value nested over 256 levels deep (or holding itself)");
  EXPECT_EQ(error("{{ {' loop call': 1}(2) }}"), "line 1: 'dict' object is not callable");
}

}  // namespace
}  // namespace r1eval::engine::jinja
