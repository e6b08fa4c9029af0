#include <gtest/gtest.h>

#include "graders/code/extract_code.h"

namespace r1eval::graders::code {
namespace {

TEST(CodeExtract, LastProgramAfterThinkWins) {
  std::string response =
      "<think>\n```cpp\nint main() { return 1; }\n```\n</think>\nFirst try:\n```cpp\nint a;\n```\n"
      "Final:\n```c++\n#include <cstdio>\nint main() {}\n```\n";
  auto code = extract_code(response);
  ASSERT_TRUE(code);
  EXPECT_EQ(code->language, Language::Cpp);
  EXPECT_EQ(code->source, "#include <cstdio>\nint main() {}\n");
}

TEST(CodeExtract, CodeOnlyInsideThinkingIsNotAnAnswer) {
  EXPECT_FALSE(extract_code("<think>\n```cpp\nint main(){}\n```\n</think>\nNo code here."));
  EXPECT_FALSE(extract_code("<think>\n```python\nprint(1)\n```\nstill thinking"));
}

TEST(CodeExtract, PythonTags) {
  auto code = extract_code("</think>\n```py\nprint(input())\n```");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->language, Language::Python);
  EXPECT_EQ(code->source, "print(input())\n");
  code = extract_code("</think>\n```Python3\nx = 1\n```");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->language, Language::Python);
}

TEST(CodeExtract, UntaggedBlocksByContentAndSampleOutputSkipped) {
  std::string response =
      "</think>\n```\n#include <bits/stdc++.h>\nint main(){}\n```\nExample output:\n```\n3\n5\n```\n";
  auto code = extract_code(response);
  ASSERT_TRUE(code);
  EXPECT_EQ(code->language, Language::Cpp);
  EXPECT_NE(code->source.find("bits/stdc++"), std::string::npos);
  code = extract_code("```\nimport sys\nprint(sum(map(int, sys.stdin.read().split())))\n```");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->language, Language::Python);
}

TEST(CodeExtract, OtherLanguagesAndUnclosedFencesAreSkipped) {
  EXPECT_FALSE(extract_code("</think>\n```java\nclass A {}\n```"));
  auto code = extract_code("</think>\n```cpp\nint main(){}\n```\nand then\n```cpp\nint main() { // cut off");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->source, "int main(){}\n");
}

TEST(CodeExtract, TildeFencesLongerFencesAndCrlf) {
  auto code = extract_code("</think>\r\n~~~cpp\r\nint main(){}\r\n~~~\r\n");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->language, Language::Cpp);
  code = extract_code("</think>\n````python\nprint('```')\n```\nprint(2)\n````\n");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->source, "print('```')\n```\nprint(2)\n");
}

// A solution in a list item: the fence is indented, and so is every line of its body, which Markdown (and
// the judge) strips, so that Python's indentation starts at column 0.
TEST(CodeExtract, AFenceInsideAListItemIsDedented) {
  const auto code = extract_code("1. The program:\n\n   ```python\n   def f():\n       return 1\n   print(f())\n   ```\n");
  ASSERT_TRUE(code);
  EXPECT_EQ(code->language, Language::Python);
  EXPECT_EQ(code->source, "def f():\n    return 1\nprint(f())\n");
  const auto deeper = extract_code("- Step\n    - Code:\n\n      ```cpp\n      int main() {}\n      ```\n");
  ASSERT_TRUE(deeper);
  EXPECT_EQ(deeper->source, "int main() {}\n");
  // A body that does not carry the fence's indentation is kept as written.
  const auto flush = extract_code("    ```python\ndef f():\n    return 1\n    ```\n");
  ASSERT_TRUE(flush);
  EXPECT_EQ(flush->source, "def f():\n    return 1\n");
}

// A block the response tagged as a program wins over a later untagged one whose language is only guessed.
TEST(CodeExtract, ATaggedProgramWinsOverALaterGuessedSnippet) {
  const auto code = extract_code("```python\ndef solve(a, b):\n    return a + b\nprint(solve(*map(int, input().split())))\n```\n"
                                 "Usage:\n```\nprint(solve(1, 2))\n```\n");
  ASSERT_TRUE(code);
  EXPECT_NE(code->source.find("def solve"), std::string::npos) << code->source;
  std::vector<std::string> skipped;
  EXPECT_FALSE(extract_code("```java\nclass Main {}\n```\n", &skipped));
  EXPECT_EQ(skipped, std::vector<std::string>{"java"});
}

// A ```c block holding C++ is judged as C++; plain C stays C.
TEST(CodeExtract, ACBlockThatIsCppIsCpp) {
  const auto cpp = extract_code("```c\n#include <bits/stdc++.h>\nusing namespace std;\nint main() { cout << 1; }\n```\n");
  ASSERT_TRUE(cpp);
  EXPECT_EQ(cpp->language, Language::Cpp);
  const auto c = extract_code("```c\n#include <stdio.h>\nint main(void) { printf(\"1\"); }\n```\n");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->language, Language::C);
}

TEST(CodeExtract, NoFenceNoCode) { EXPECT_FALSE(extract_code("The answer is 42.")); }

TEST(CodeLanguage, Tags) {
  EXPECT_EQ(language_from_tag("CPP"), Language::Cpp);
  EXPECT_EQ(language_from_tag("c++"), Language::Cpp);
  EXPECT_EQ(language_from_tag("py"), Language::Python);
  EXPECT_EQ(language_from_tag("c++14"), Language::Cpp);
  EXPECT_EQ(language_from_tag("cpp:main.cpp"), Language::Cpp);  // a file name after the language
  EXPECT_EQ(language_from_tag("C"), Language::C);
  EXPECT_EQ(language_from_tag("cpp20"), Language::Cpp20);
  EXPECT_EQ(language_name(Language::Cpp20), "cpp20");
  EXPECT_EQ(language_name(Language::C), "c");
  EXPECT_FALSE(language_from_tag("rust"));
  EXPECT_EQ(language_name(Language::Python), "python");
}

}  // namespace
}  // namespace r1eval::graders::code
