#include "tasks/csv.h"

#include <gtest/gtest.h>

#include "task_test_util.h"
#include "tasks/data_source.h"

namespace r1eval::tasks {
namespace {

using testing::error_of;

TEST(Csv, ReadsQuotedCommasNewlinesAndDoubledQuotes) {
  const std::string text =
      "\xEF\xBB\xBF" "id,text,other\r\n"
      "1,plain,\"a, b\"\r\n"
      "2,\"two\nlines\",\"say \"\"hi\"\"\"\r\n"
      "\r\n"
      "3,,\" keep spaces \"\n";
  const CsvTable table = parse_csv(text, "t.csv");
  ASSERT_EQ(table.header, (std::vector<std::string>{"id", "text", "other"}));
  ASSERT_EQ(table.rows.size(), 3u);
  EXPECT_EQ(table.rows[0].fields, (std::vector<std::string>{"1", "plain", "a, b"}));
  EXPECT_EQ(table.rows[0].line, 2u);
  EXPECT_EQ(table.rows[1].fields, (std::vector<std::string>{"2", "two\nlines", "say \"hi\""}));
  EXPECT_EQ(table.rows[1].line, 3u);
  EXPECT_EQ(table.rows[2].fields, (std::vector<std::string>{"3", "", " keep spaces "}));
  EXPECT_EQ(table.rows[2].line, 6u);  // line 5 is blank, line 4 holds the second half of row 2
  EXPECT_EQ(table.column("other"), 2);
  EXPECT_EQ(table.column("missing"), -1);
}

TEST(Csv, LastRecordWithoutNewline) {
  const CsvTable table = parse_csv("a,b\n1,\"x\"", "t.csv");
  ASSERT_EQ(table.rows.size(), 1u);
  EXPECT_EQ(table.rows[0].fields, (std::vector<std::string>{"1", "x"}));
}

TEST(Csv, BadQuotingNamesFileAndLine) {
  EXPECT_EQ(error_of<DataError>([] { parse_csv("a,b\n1,2\n3,x\"y\n", "q.csv"); }),
            "q.csv:3: bad CSV quoting: '\"' inside an unquoted field (quote the field and double the quote)");
  EXPECT_EQ(error_of<DataError>([] { parse_csv("a,b\n1,\"x\"y\n", "q.csv"); }),
            "q.csv:2: bad CSV quoting: text after the closing quote of a field");
  EXPECT_EQ(error_of<DataError>([] { parse_csv("a,b\n1,2\n3,\"never\nclosed\n", "q.csv"); }),
            "q.csv:3: bad CSV quoting: quoted field is never closed");
}

TEST(Csv, FieldCountMustMatchHeader) {
  EXPECT_EQ(error_of<DataError>([] { parse_csv("a,b,c\n1,2,3\n4,5\n", "n.csv"); }),
            "n.csv:3: expected 3 CSV fields as in the header, found 2");
}

TEST(Csv, EmptyDocumentIsAnError) {
  EXPECT_EQ(error_of<DataError>([] { parse_csv("", "e.csv"); }), "e.csv: empty CSV file (expected a header line)");
  EXPECT_EQ(error_of<DataError>([] { parse_csv("\n\r\n", "e.csv"); }), "e.csv: empty CSV file (expected a header line)");
}

}  // namespace
}  // namespace r1eval::tasks
