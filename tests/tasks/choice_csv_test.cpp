#include "tasks/choice_csv_task.h"

#include <gtest/gtest.h>
#include <zip.h>

#include "task_test_util.h"
#include "tasks/choice_shuffle.h"
#include "tasks/zip_reader.h"

namespace r1eval::tasks {
namespace {

using testing::error_of;
using testing::scratch_dir;
using testing::write_file;

const Task& gpqa() {
  const Task* task = find_task("gpqa_diamond");
  if (!task) throw std::logic_error("gpqa_diamond is not registered");
  return *task;
}

// A synthetic file in the upstream layout: extra columns, columns out of order, a quoted question
// with a comma, a line break and doubled quotes, and options with surrounding spaces.
const char* const kSyntheticCsv =
    "Pre-Revision Question,Question,Incorrect Answer 1,Correct Answer,Incorrect Answer 2,Incorrect Answer 3,"
    "Record ID,High-level domain\r\n"
    "old,\"Which colour, of these, is \"\"warm\"\"?\nPick one.\",Blue,Red, Green ,Violet,recW1,Physics\r\n"
    "old,What is 2+2?,3,4,5,22,recW2,Chemistry\r\n";

TEST(ChoiceCsv, ParsesTheUpstreamLayout) {
  const auto problems =
      parse_choice_csv(kSyntheticCsv, "s.csv", dynamic_cast<const ChoiceCsvTask&>(gpqa()).descriptor());
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].id, "recW1");
  EXPECT_EQ(problems[0].question, "Which colour, of these, is \"warm\"?\nPick one.");
  EXPECT_EQ(problems[0].answer, "Red");
  EXPECT_EQ(problems[0].distractors, (std::vector<std::string>{"Blue", " Green ", "Violet"}));
  using Attr = std::pair<std::string, std::string>;
  EXPECT_EQ(problems[0].attributes, (std::vector<Attr>{{"domain", "Physics"}}));
  EXPECT_EQ(problems[1].id, "recW2");
}

TEST(ChoiceCsv, GoldenPromptPinsTheBytes) {
  const Task& task = gpqa();
  const auto problems = parse_choice_csv(kSyntheticCsv, "s.csv",
                                         dynamic_cast<const ChoiceCsvTask&>(task).descriptor());
  const Problem& p = problems[0];
  // recW1, run seed 0, sample 0 -> order [1, 0, 2, 3] (tools/choice_permutation.py 0 recW1 0):
  // letter A shows option 1 ("Blue"), B the answer, C option 2 (" Green "), D option 3 ("Violet").
  const Prompt prompt = task.prompt(p, 0, 0);
  ASSERT_EQ(prompt.choice_order, (std::vector<int>{1, 0, 2, 3}));
  EXPECT_EQ(prompt.gold, "B");
  EXPECT_EQ(prompt.user,
            "Answer the following multiple choice question. The last line of your response should be of the following "
            "format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think step by step before "
            "answering.\n"
            "\n"
            "Which colour, of these, is \"warm\"?\nPick one.\n"
            "\n"
            "A) Blue\n"
            "B) Red\n"
            "C)  Green \n"
            "D) Violet");
}

TEST(ChoiceCsv, GoldFollowsTheAnswerForEverySample) {
  const Task& task = gpqa();
  const auto problems = parse_choice_csv(kSyntheticCsv, "s.csv", dynamic_cast<const ChoiceCsvTask&>(task).descriptor());
  const Problem& p = problems[1];
  for (int sample = 0; sample < 32; ++sample) {
    const Prompt prompt = task.prompt(p, 77, sample);
    ASSERT_EQ(prompt.choice_order, choice_permutation(4, 77, p.id, sample));
    const int letter = prompt.gold[0] - 'A';
    EXPECT_EQ(prompt.choice_order[static_cast<std::size_t>(letter)], 0);
    EXPECT_NE(prompt.user.find(std::string("\n") + prompt.gold + ") 4"), std::string::npos);
  }
}

TEST(ChoiceCsv, MissingColumnEmptyValueAndDuplicateIdAreErrors) {
  const auto& descriptor = dynamic_cast<const ChoiceCsvTask&>(gpqa()).descriptor();
  const std::string header = "Record ID,Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3,High-level domain\n";
  EXPECT_EQ(error_of<DataError>([&] {
              parse_choice_csv("Record ID,Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,High-level domain\n"
                               "r,q,a,b,c,Physics\n", "c.csv", descriptor);
            }),
            "c.csv: missing column 'Incorrect Answer 3' in the CSV header");
  EXPECT_EQ(error_of<DataError>([&] { parse_choice_csv(header + "r1,q,a,b,c,d,Physics\nr2,q,,b,c,d,Physics\n", "c.csv", descriptor); }),
            "c.csv:3: field 'Correct Answer': expected a non-empty value");
  EXPECT_EQ(error_of<DataError>([&] { parse_choice_csv(header + "r1,q,a,b,c,d,Physics\nr1,q,a,b,c,d,Physics\n", "c.csv", descriptor); }),
            "c.csv:3: field 'Record ID': duplicate id 'r1' (first seen on line 2)");
  EXPECT_EQ(error_of<DataError>([&] { parse_choice_csv(header, "c.csv", descriptor); }),
            "c.csv: no problems in the file (expected rows after the header)");
  EXPECT_EQ(error_of<DataError>([&] { parse_choice_csv(header + "r1,\"q,a,b,c,d,Physics\n", "c.csv", descriptor); }),
            "c.csv:2: bad CSV quoting: quoted field is never closed");
}

// Writes `content` as `member` of a new zip at `path`, encrypted with `password` when not empty.
void write_zip(const std::filesystem::path& path, const std::string& member, const std::string& content,
               const std::string& password) {
  std::filesystem::create_directories(path.parent_path());
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  ASSERT_NE(zip, nullptr);
  zip_source_t* source = zip_source_buffer(zip, content.data(), content.size(), 0);
  ASSERT_NE(source, nullptr);
  const zip_int64_t index = zip_file_add(zip, member.c_str(), source, ZIP_FL_OVERWRITE);
  ASSERT_GE(index, 0);
  if (!password.empty()) {
    // Upstream GPQA uses traditional PKWARE encryption; older libzip can only write AES.
    const zip_uint16_t method = zip_encryption_method_supported(ZIP_EM_TRAD_PKWARE, 1) ? ZIP_EM_TRAD_PKWARE : ZIP_EM_AES_256;
    ASSERT_EQ(zip_file_set_encryption(zip, static_cast<zip_uint64_t>(index), method, password.c_str()), 0);
  }
  ASSERT_EQ(zip_close(zip), 0);
}

TEST(ChoiceCsv, LoadsFromAnEncryptedZipInMemory) {
  const auto dir = scratch_dir();
  write_zip(dir / "gpqa" / "gpqa_diamond.zip", "gpqa_diamond.csv", kSyntheticCsv, "deserted-untie-orchid");
  // Only the zip is in the data dir: nothing is unpacked next to it.
  const DataLocator locator(testing::offline_options({dir}));
  const auto problems = gpqa().load(locator);
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0].answer, "Red");
  EXPECT_EQ(std::distance(std::filesystem::recursive_directory_iterator(dir), {}), 2);  // gpqa/ and the zip
}

// The upstream release: dataset.zip with the member in a folder, under its own name or renamed.
TEST(ChoiceCsv, UpstreamDatasetZipWithItsFolderLoads) {
  for (const char* layout : {"dataset.zip", "gpqa/dataset.zip", "gpqa/gpqa_diamond.zip"}) {
    const auto dir = scratch_dir();
    write_zip(dir / layout, "dataset/gpqa_diamond.csv", kSyntheticCsv, "deserted-untie-orchid");
    const DataLocator locator(testing::offline_options({dir}));
    EXPECT_EQ(gpqa().load(locator).size(), 2u) << layout;
  }
}

TEST(ChoiceCsv, PlainCsvLayoutsAreAccepted) {
  for (const char* layout : {"gpqa/gpqa_diamond.csv", "gpqa_diamond.csv"}) {
    const auto dir = scratch_dir();
    write_file(dir / layout, kSyntheticCsv);
    const DataLocator locator(testing::offline_options({dir}));
    EXPECT_EQ(gpqa().load(locator).size(), 2u) << layout;
  }
}

TEST(ChoiceCsv, WrongPasswordIsOneLineNamingTheMember) {
  const auto dir = scratch_dir();
  write_zip(dir / "own.zip", "gpqa_diamond.csv", kSyntheticCsv, "right-password");
  const std::string own = error_of<DataError>([&] { read_zip_member(dir / "own.zip", "gpqa_diamond.csv", "wrong"); });
  EXPECT_EQ(own.rfind((dir / "own.zip").string() + ": member 'gpqa_diamond.csv': ", 0), 0u) << own;
  EXPECT_EQ(own.find('\n'), std::string::npos);

  const auto real = testing::shared_data() / "gpqa" / "gpqa_diamond.zip";
  EXPECT_EQ(error_of<DataError>([&] { read_zip_member(real, "gpqa_diamond.csv", "not-the-password"); }),
            real.string() + ": member 'gpqa_diamond.csv': wrong password");
  EXPECT_EQ(error_of<DataError>([&] { read_zip_member(real, "gpqa_diamond.csv", ""); }),
            real.string() + ": member 'gpqa_diamond.csv': is encrypted and no password was given");
  EXPECT_EQ(error_of<DataError>([&] { read_zip_member(real, "other.csv", "x"); }),
            real.string() + ": member 'other.csv': not found in the archive");
  write_file(dir / "not_a.zip", "plain text");
  EXPECT_EQ(error_of<DataError>([&] { read_zip_member(dir / "not_a.zip", "m", ""); }).rfind((dir / "not_a.zip").string() + ": cannot open as a zip archive: ", 0), 0u);
}

TEST(ChoiceCsv, PasswordEnvironmentOverride) {
  const auto dir = scratch_dir();
  write_zip(dir / "gpqa" / "gpqa_diamond.zip", "gpqa_diamond.csv", kSyntheticCsv, "another-password");
  const DataLocator locator(testing::offline_options({dir}));
  EXPECT_NE(error_of<DataError>([&] { gpqa().load(locator); }).find("gpqa_diamond.csv"), std::string::npos);
  ::setenv("R1EVAL_GPQA_ZIP_PASSWORD", "another-password", 1);
  std::size_t loaded = 0;
  EXPECT_NO_THROW(loaded = gpqa().load(locator).size());
  ::unsetenv("R1EVAL_GPQA_ZIP_PASSWORD");
  EXPECT_EQ(loaded, 2u);
}

}  // namespace
}  // namespace r1eval::tasks
