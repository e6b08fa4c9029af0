#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "task_test_util.h"
#include "tasks/data_source.h"
#include "tasks/task.h"

namespace r1eval::tasks {
namespace {

using testing::error_of;
using testing::offline_options;
using testing::scratch_dir;
using testing::write_file;

DataSpec two_layouts() {
  DataSpec spec;
  spec.files.resize(2);
  spec.files[0].local_path = "set/preferred.jsonl";
  spec.files[1].local_path = "fallback.jsonl";
  return spec;
}

TEST(Locator, DataDirsInOrderAndMissingDirsSkipped) {
  const auto dir = scratch_dir();
  write_file(dir / "first" / "fallback.jsonl", "first-fallback");
  write_file(dir / "second" / "set" / "preferred.jsonl", "second-preferred");
  const DataSpec spec = two_layouts();
  const DataLocator locator(offline_options({dir / "absent", dir / "first", dir / "second"}));
  const auto resolved = locator.read(spec);
  // The first dir that holds any layout wins, even with a less preferred layout.
  EXPECT_EQ(resolved.content, "first-fallback");
  EXPECT_EQ(resolved.display_name, (dir / "first" / "fallback.jsonl").string());
  EXPECT_EQ(resolved.file, &spec.files[1]);
}

TEST(Locator, MissingDataListsThePlacesLookedAt) {
  const auto dir = scratch_dir();
  const DataSpec spec = two_layouts();
  const DataLocator locator(offline_options({dir / "absent", dir}));
  EXPECT_EQ(error_of<DataError>([&] { locator.read(spec); }),
            "no data file found; looked at: " + (dir / "absent").string() + " (no such folder), " +
                (dir / "set" / "preferred.jsonl").string() + ", " + (dir / "fallback.jsonl").string());
}

TEST(Locator, TaskErrorsNameTheTask) {
  const auto dir = scratch_dir();
  LocatorOptions options = offline_options({dir});
  options.cache_dir = dir / "cache";
  const DataLocator locator(options);
  EXPECT_EQ(error_of<DataError>([&] { find_task("math500")->load(locator); }),
            "math500: no data file found; looked at: " + (dir / "math500" / "test.jsonl").string() + ", " +
                (dir / "HuggingFaceH4" / "MATH-500" / "test.jsonl").string() + ", " +
                (dir / "cache" / "hub" / "HuggingFaceH4" / "MATH-500" / "test.jsonl").string() +
                "; downloads disabled (R1EVAL_OFFLINE/HF_HUB_OFFLINE)");
  EXPECT_EQ(error_of<DataError>([] { find_task("aime24")->load(DataLocator(LocatorOptions{})); }),
            "aime24: no data file found; looked at: nothing; no data dir given (--data-dir or R1EVAL_DATA_DIR)");
}

// What `huggingface-cli download REPO --local-dir X` leaves, and a folder of such downloads.
TEST(Locator, HubDownloadFoldersAreDataDirs) {
  const auto dir = scratch_dir();
  write_file(dir / "MATH-500" / "test.jsonl", "direct");
  write_file(dir / "hubs" / "HuggingFaceH4" / "MATH-500" / "test.jsonl", "nested");
  DataSpec spec;
  DataFile file;
  file.local_path = "math500/test.jsonl";
  file.hub_repo = "HuggingFaceH4/MATH-500";
  file.hub_path = "test.jsonl";
  spec.files.push_back(file);
  EXPECT_EQ(DataLocator(offline_options({dir / "MATH-500"})).read(spec).content, "direct");
  EXPECT_EQ(DataLocator(offline_options({dir / "MATH-500" / "."})).read(spec).content, "direct");
  EXPECT_EQ(DataLocator(offline_options({dir / "hubs"})).read(spec).content, "nested");
  // A folder of another name is not taken for the download.
  write_file(dir / "other" / "test.jsonl", "other");
  EXPECT_THROW(DataLocator(offline_options({dir / "other"})).read(spec), DataError);
}

TEST(Locator, AFileGivenAsDataDirIsNamedAsAFile) {
  const auto dir = scratch_dir();
  write_file(dir / "test.jsonl", "x");
  EXPECT_EQ(error_of<DataError>([&] { DataLocator(offline_options({dir / "test.jsonl"})).read(two_layouts()); }),
            "no data file found; looked at: " + (dir / "test.jsonl").string() +
                " (a file; a data dir is a folder holding e.g. aime24/test.jsonl)");
}

TEST(Locator, ReadsFromTheCacheWhenNoDataDirHasTheFile) {
  const auto dir = scratch_dir();
  LocatorOptions options = offline_options({dir / "data"});
  options.cache_dir = dir / "cache";
  const DataLocator locator(options);
  const Task* aime25 = find_task("aime25");
  const auto cached = locator.cache_path(aime25->info().data.files.at(0));
  EXPECT_EQ(cached, dir / "cache" / "hub" / "math-ai" / "aime25" / "test.jsonl");
  write_file(cached, "{\"problem\": \"p\", \"answer\": \"042\", \"id\": \"k\"}\n");
  const auto problems = aime25->load(locator);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].answer, "42");
}

TEST(Locator, ErrorsInTheFileNameTheFileAndLine) {
  const auto dir = scratch_dir();
  write_file(dir / "aime25" / "test.jsonl", "{\"problem\": \"p\", \"answer\": \"1\"}\n{\"problem\": \"q\"}\n");
  EXPECT_EQ(error_of<DataError>([&] { find_task("aime25")->load(DataLocator(offline_options({dir}))); }),
            (dir / "aime25" / "test.jsonl").string() + ":2: missing field 'answer' or 'Answer'");
  write_file(dir / "aime24" / "test.jsonl", "");
  EXPECT_EQ(error_of<DataError>([&] { find_task("aime24")->load(DataLocator(offline_options({dir}))); }),
            (dir / "aime24" / "test.jsonl").string() + ": no problems in the file (expected 30 JSON lines)");
}

// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  void set(const char* name, const char* value) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        ::setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        ::unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

TEST(Locator, OptionsFromEnvironment) {
  ScopedEnv env;
  env.set("R1EVAL_DATA_DIR", "/a:/b/c::/d");
  env.set("R1EVAL_CACHE", "/cache/here");
  env.set("HF_ENDPOINT", "http://127.0.0.1:9");
  env.set("HF_TOKEN", "hf_secret");
  env.set("R1EVAL_OFFLINE", nullptr);
  env.set("HF_HUB_OFFLINE", nullptr);
  LocatorOptions options = DataLocator::options_from_environment();
  EXPECT_EQ(options.data_dirs, (std::vector<std::filesystem::path>{"/a", "/b/c", "/d"}));
  EXPECT_EQ(options.cache_dir, "/cache/here");
  EXPECT_EQ(options.hub_endpoint, "http://127.0.0.1:9");
  EXPECT_EQ(options.hub_token, "hf_secret");
  EXPECT_TRUE(options.allow_download);

  env.set("R1EVAL_OFFLINE", "1");
  EXPECT_FALSE(DataLocator::options_from_environment().allow_download);
  env.set("R1EVAL_OFFLINE", "0");
  env.set("HF_HUB_OFFLINE", "TRUE");
  EXPECT_FALSE(DataLocator::options_from_environment().allow_download);

  env.set("R1EVAL_CACHE", nullptr);
  env.set("XDG_CACHE_HOME", "/xdg");
  EXPECT_EQ(DataLocator::options_from_environment().cache_dir, "/xdg/r1eval");
  env.set("XDG_CACHE_HOME", nullptr);
  env.set("HOME", "/home/someone");
  EXPECT_EQ(DataLocator::options_from_environment().cache_dir, "/home/someone/.cache/r1eval");
  env.set("R1EVAL_DATA_DIR", nullptr);
  env.set("HF_ENDPOINT", nullptr);
  options = DataLocator::options_from_environment();
  EXPECT_TRUE(options.data_dirs.empty());
  EXPECT_EQ(options.hub_endpoint, "https://huggingface.co");
}

}  // namespace
}  // namespace r1eval::tasks
