// The live progress block: rendering counts into lines, and the redraw sequence.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "harness/run/progress_view.h"

namespace r1eval::harness::run {
namespace {

using ::testing::HasSubstr;

ProgressSnapshot two_tasks() {
  ProgressSnapshot s;
  // aime24: 6 of 20 done, all 6 generated in 60 s (4 correct); math500: nothing yet.
  s.tasks.push_back({"aime24", 20, 6, 4, 6, 1200});
  s.tasks.push_back({"math500", 10, 0, 0, 0, 0});
  s.total = 30;
  s.done = 6;
  s.generated = 6;
  s.tokens = 3000;
  s.elapsed_seconds = 60;
  return s;
}

TEST(ProgressView, OneHeaderAndOneBarPerTask) {
  const auto lines = render_progress(two_tasks(), 100);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0], "r1eval: 6/30 samples, 50 tokens/s, ETA 4m00s");  // 24 left at 10 s each
  EXPECT_THAT(lines[1], HasSubstr("aime24 "));
  EXPECT_THAT(lines[1], HasSubstr("6/20  20 tok/s  ETA 2m20s  pass@1 0.667"));
  EXPECT_THAT(lines[2], HasSubstr("0/10  0 tok/s  ETA ?  pass@1 -"));
  // The bars start in the same column and have the same length; aime24's is 30% filled.
  const auto open1 = lines[1].find('['), open2 = lines[2].find('[');
  EXPECT_EQ(open1, open2);
  const auto close1 = lines[1].find(']');
  EXPECT_EQ(close1 - open1, lines[2].find(']') - open2);
  const std::string bar = lines[1].substr(open1 + 1, close1 - open1 - 1);
  EXPECT_EQ(std::count(bar.begin(), bar.end(), '#'), static_cast<long>(bar.size() * 6 / 20));
  for (const std::string& line : lines) EXPECT_LE(line.size(), 100u);
}

TEST(ProgressView, FinishedTasksSayDoneAndNarrowTerminalsCutLines) {
  ProgressSnapshot s = two_tasks();
  s.tasks[0].done = 20;
  s.tasks[0].generated = 20;
  s.tasks[0].correct = 10;
  s.tasks[1].done = 10;
  s.tasks[1].generated = 10;
  s.done = s.total = 30;
  s.generated = 30;
  const auto wide = render_progress(s, 120);
  EXPECT_THAT(wide[0], HasSubstr("30/30 samples"));
  EXPECT_THAT(wide[0], HasSubstr("done"));
  const std::string bar = wide[1].substr(wide[1].find('['), wide[1].find(']') - wide[1].find('[') + 1);
  EXPECT_EQ(bar.find('.'), std::string::npos) << "a finished task's bar is full: " << bar;
  EXPECT_THAT(wide[1], HasSubstr("done  pass@1 0.500"));
  for (std::size_t width : {20u, 40u, 60u})
    for (const std::string& line : render_progress(s, width)) EXPECT_LE(line.size(), width) << line;
}

TEST(ProgressView, RedrawMovesUpOverTheOldBlockAndClearsEachLine) {
  EXPECT_EQ(redraw_sequence(0, {"a", "b"}), "\r\x1b[2Ka\n\r\x1b[2Kb\n");
  EXPECT_EQ(redraw_sequence(2, {"c", "d"}), "\x1b[2A\r\x1b[2Kc\n\r\x1b[2Kd\n");
  // A shorter block clears what the longer one left below it.
  EXPECT_EQ(redraw_sequence(3, {"e"}), "\x1b[3A\r\x1b[2Ke\n\x1b[J");
}

TEST(ProgressView, DurationsInMinutesThenHours) {
  EXPECT_EQ(duration_text(65), "1m05s");
  EXPECT_EQ(duration_text(0), "0m00s");
  EXPECT_EQ(duration_text(7380), "2h03m");
}

}  // namespace
}  // namespace r1eval::harness::run
