#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "results/store.h"

namespace r1eval::results {
namespace {

namespace fs = std::filesystem;

// A fresh folder per test under the build's scratch folder.
fs::path scratch(const std::string& name) {
  const fs::path dir = fs::path(R1EVAL_TEST_TMP) / "results" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
}

SampleRecord record(int problem, int index) {
  SampleRecord r;
  r.task = "aime24";
  r.problem_id = "p" + std::to_string(problem);
  r.sample_index = index;
  r.seed = 1000u + static_cast<unsigned>(index);
  r.response = "line one\nline two \\boxed{" + std::to_string(problem * index) + "}";
  r.extracted = std::to_string(problem * index);
  r.correct = index % 2 == 0;
  r.attributes = {{"part", "I"}};
  return r;
}

TEST(SampleStore, AppendsOneLinePerRecordAndLoadsThemBack) {
  const fs::path dir = scratch("roundtrip") / "run";  // created by the store
  {
    SampleStore store(dir);
    EXPECT_EQ(store.path(), dir / "samples.jsonl");
    for (int i = 0; i < 5; ++i) store.append(record(i % 2, i));
  }
  {
    SampleStore reopened(dir);  // resuming appends after what is there
    reopened.append(record(7, 7));
  }
  const std::string text = read_file(dir / "samples.jsonl");
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 6);
  const std::vector<SampleRecord> loaded = load_samples(dir);
  ASSERT_EQ(loaded.size(), 6u);
  EXPECT_EQ(loaded[3].problem_id, "p1");
  EXPECT_EQ(loaded[3].sample_index, 3);
  EXPECT_EQ(loaded[3].response, record(1, 3).response);
  EXPECT_EQ(loaded[5].problem_id, "p7");
  EXPECT_EQ(load_samples(dir / "samples.jsonl").size(), 6u);  // the file itself works too
}

TEST(SampleStore, ConcurrentAppendsLandWhole) {
  const fs::path dir = scratch("concurrent");
  {
    SampleStore store(dir);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&store, t] {
        for (int i = 0; i < 25; ++i) store.append(record(t, i));
      });
    }
    for (std::thread& th : threads) th.join();
  }
  const std::vector<SampleRecord> loaded = load_samples(dir);
  ASSERT_EQ(loaded.size(), 100u);
  std::vector<int> per_problem(4, 0);
  for (const SampleRecord& r : loaded) {
    ++per_problem[static_cast<std::size_t>(r.problem_id[1] - '0')];
    EXPECT_EQ(r.response, record(r.problem_id[1] - '0', r.sample_index).response);
  }
  EXPECT_EQ(per_problem, (std::vector<int>{25, 25, 25, 25}));
}

TEST(SampleStore, InvalidUtf8InAResponseIsStoredReplacedNotLost) {
  const fs::path dir = scratch("utf8");
  SampleRecord r = record(1, 1);
  r.response = std::string("cut mid-character: \xE2\x9C", 22);
  {
    SampleStore store(dir);
    store.append(r);
  }
  const std::vector<SampleRecord> loaded = load_samples(dir);
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_EQ(loaded[0].response.rfind("cut mid-character: ", 0), 0u);
}

TEST(LoadSamples, SkipsATornFinalLine) {
  const fs::path dir = scratch("torn");
  {
    SampleStore store(dir);
    store.append(record(1, 0));
    store.append(record(1, 1));
  }
  const fs::path file = dir / "samples.jsonl";
  const std::string whole = read_file(file);
  write_file(file, whole + R"({"task":"aime24","problem_id":"p1","sample_in)");
  const std::vector<SampleRecord> loaded = load_samples(dir);
  ASSERT_EQ(loaded.size(), 2u);
  EXPECT_EQ(loaded[1].sample_index, 1);

  // A resumed store cuts the torn tail before appending, so the file stays loadable.
  {
    SampleStore store(dir);
    store.append(record(1, 2));
  }
  const std::vector<SampleRecord> resumed = load_samples(dir);
  ASSERT_EQ(resumed.size(), 3u);
  EXPECT_EQ(resumed[2].sample_index, 2);
  EXPECT_EQ(read_file(file).substr(0, whole.size()), whole);
}

// A file written by hand or another tool may end without its last newline: the whole record is read, and a
// store opened on it ends that line instead of cutting it.
TEST(LoadSamples, AWholeLastRecordWithoutItsNewlineIsRead) {
  const fs::path dir = scratch("no_newline");
  {
    SampleStore store(dir);
    store.append(record(1, 0));
    store.append(record(1, 1));
  }
  const fs::path file = dir / "samples.jsonl";
  std::string text = read_file(file);
  text.pop_back();
  write_file(file, text);
  ASSERT_EQ(load_samples(dir).size(), 2u);
  {
    SampleStore store(dir);
    store.append(record(1, 2));
  }
  const std::vector<SampleRecord> resumed = load_samples(dir);
  ASSERT_EQ(resumed.size(), 3u);
  EXPECT_EQ(resumed[1].sample_index, 1);
  EXPECT_EQ(resumed[2].sample_index, 2);
}

TEST(LoadSamples, MalformedMiddleLineNamesFileAndLine) {
  const fs::path dir = scratch("malformed");
  const fs::path file = dir / "samples.jsonl";
  {
    SampleStore store(dir);
    store.append(record(1, 0));
  }
  const std::string first = read_file(file);
  // line 2 is not JSON, line 3 lacks a required field; both are followed by good lines
  write_file(file, first + "{not json\n" + first);
  try {
    load_samples(dir);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(file.string() + ":2:"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  write_file(file, first + first + R"({"task":"aime24","problem_id":"p1","seed":1,"response":"","correct":true})" +
                       "\n" + first);
  try {
    load_samples(file);
    FAIL() << "expected an exception";
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(":3: sample record: missing field 'sample_index'"), std::string::npos) << message;
  }
}

TEST(LoadSamples, FolderWithoutSamplesIsEmptyButAMissingPathThrows) {
  const fs::path dir = scratch("empty");
  EXPECT_TRUE(load_samples(dir).empty());
  EXPECT_THROW(load_samples(dir / "nope" / "samples.jsonl"), std::runtime_error);
}

TEST(WriteFileAtomic, ReplacesWholeAndLeavesNoTemporary) {
  const fs::path dir = scratch("atomic");
  const fs::path target = dir / "scores.json";
  write_file_atomic(target, "first version\n");
  EXPECT_EQ(read_file(target), "first version\n");
  const std::string big(1 << 20, 'x');
  write_file_atomic(target, big);
  EXPECT_EQ(read_file(target), big);
  int entries = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ++entries;
    EXPECT_EQ(entry.path().filename(), "scores.json") << "left behind: " << entry.path();
  }
  EXPECT_EQ(entries, 1);
}

TEST(WriteFileAtomic, FailureNamesThePathAndLeavesNothing) {
  const fs::path dir = scratch("atomic_fail");
  const fs::path target = dir / "missing_folder" / "report.md";
  try {
    write_file_atomic(target, "x");
    FAIL() << "expected an exception";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(target.string()), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

// A write that fails half-way through the set (here the file-size limit stands in for a full disk) replaces
// none of the files: the older run stays whole, and no temporary is left. Run in a child, which alone has the
// limit.
TEST(WriteFilesAtomic, AFailureHalfWayReplacesNone) {
  const fs::path dir = scratch("atomic_set");
  write_file(dir / "samples.jsonl", "old samples\n");
  write_file(dir / "scores.json", "old scores\n");
  const std::string small = "new samples\n";
  const std::string big(1 << 20, 'x');
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::signal(SIGXFSZ, SIG_IGN);  // the write then fails with EFBIG instead of killing the process
    const rlimit limit{64 * 1024, 64 * 1024};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    try {
      write_files_atomic(dir, {{"samples.jsonl", small}, {"scores.json", big}});
    } catch (const std::runtime_error& e) {
      ::_exit(std::string(e.what()).find("scores.json") != std::string::npos ? 3 : 4);
    }
    ::_exit(5);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 3) << "3: failed naming scores.json; 4: named another file; 5: did not fail";
  EXPECT_EQ(read_file(dir / "samples.jsonl"), "old samples\n");
  EXPECT_EQ(read_file(dir / "scores.json"), "old scores\n");
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 2) << "a temporary was left behind";

  write_files_atomic(dir, {{"samples.jsonl", small}, {"scores.json", big}});
  EXPECT_EQ(read_file(dir / "samples.jsonl"), small);
  EXPECT_EQ(read_file(dir / "scores.json"), big);
}

}  // namespace
}  // namespace r1eval::results
