#include <gtest/gtest.h>

#include "task_test_util.h"
#include "tasks/codeforces_statement.h"

namespace r1eval::tasks {
namespace {

TEST(CodeforcesStatement, TimeLimitForms) {
  EXPECT_EQ(statement_time_limit_ms("x\nTime Limit: 2000 ms\nMemory Limit: 256 MB\n"), 2000);
  EXPECT_EQ(statement_time_limit_ms("Time Limit: 1.5 seconds"), 1500);
  EXPECT_EQ(statement_time_limit_ms("  Time Limit: 3 s  "), 3000);
  EXPECT_EQ(statement_time_limit_ms("Time Limit: {'seconds': 2, 'nanos': 500000000}\n"), 2500);
  EXPECT_EQ(statement_time_limit_ms("Time Limit: {'seconds': 0, 'nanos': 500000000}"), 500);
  // A statement that quotes the phrase mid-line does not count; the last labelled line wins.
  EXPECT_EQ(statement_time_limit_ms("the Time Limit: 9 ms is tight\nTime Limit: 1000 ms\nTime Limit: 4000 ms"), 4000);
  EXPECT_EQ(statement_time_limit_ms("no limits here"), std::nullopt);
}

TEST(CodeforcesStatement, MemoryLimitForms) {
  EXPECT_EQ(statement_memory_limit_mb("Memory Limit: 256 MB"), 256);
  EXPECT_EQ(statement_memory_limit_mb("Memory Limit: 512 megabytes"), 512);
  EXPECT_EQ(statement_memory_limit_mb("Memory Limit: 1024000000 Bytes\n"), 1024);
  EXPECT_EQ(statement_memory_limit_mb("nothing"), std::nullopt);
}

TEST(CodeforcesStatement, MalformedLimitsNameTheLine) {
  EXPECT_EQ(testing::error_of<StatementError>([] { statement_time_limit_ms("Time Limit: fast"); }),
            "line 'Time Limit: fast': expected a positive time such as '2000 ms', '2 seconds' or "
            "\"{'seconds': 2, 'nanos': 0}\"");
  EXPECT_NE(testing::error_of<StatementError>([] { statement_time_limit_ms("Time Limit: 2 hours"); }), "<no exception>");
  EXPECT_NE(testing::error_of<StatementError>([] { statement_time_limit_ms("Time Limit: 0 ms"); }), "<no exception>");
  EXPECT_NE(testing::error_of<StatementError>([] { statement_time_limit_ms("Time Limit: {'nanos': 5}"); }), "<no exception>");
  EXPECT_EQ(testing::error_of<StatementError>([] { statement_memory_limit_mb("Memory Limit: 256 GB"); }),
            "line 'Memory Limit: 256 GB': expected a positive size such as '256 MB', '256 megabytes' or '256000000 Bytes'");
}

TEST(CodeforcesStatement, Tags) {
  EXPECT_EQ(statement_tags("text\n\nTags:\n['math', 'greedy']\n\nTime Limit: 1 s"),
            (std::vector<std::string>{"math", "greedy"}));
  EXPECT_EQ(statement_tags("Tags:\n[\"2-sat\", 'dfs and similar',]\n"), (std::vector<std::string>{"2-sat", "dfs and similar"}));
  EXPECT_EQ(statement_tags("Tags:\n[]\n"), std::vector<std::string>{});
  EXPECT_EQ(statement_tags("no tag line"), std::nullopt);
  EXPECT_EQ(testing::error_of<StatementError>([] { statement_tags("Tags:\nmath, greedy\n"); }),
            "line after 'Tags:': expected a list of quoted strings such as ['math', 'greedy'], found 'math, greedy'");
  EXPECT_NE(testing::error_of<StatementError>([] { statement_tags("Tags:\n['math\n"); }), "<no exception>");
  EXPECT_NE(testing::error_of<StatementError>([] { statement_tags("Tags:\n['a' 'b']\n"); }), "<no exception>");
}

TEST(CodeforcesStatement, Interactive) {
  EXPECT_TRUE(statement_is_interactive("This is an interactive problem.\nYou ask...", {}));
  EXPECT_TRUE(statement_is_interactive("THIS IS AN INTERACTIVE PROBLEM!", {}));
  EXPECT_TRUE(statement_is_interactive("plain", {"math", "interactive"}));
  EXPECT_FALSE(statement_is_interactive("The judge is not interactive here.", {"math"}));
}

}  // namespace
}  // namespace r1eval::tasks
