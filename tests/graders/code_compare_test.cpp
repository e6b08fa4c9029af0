#include <gtest/gtest.h>

#include "graders/code/outcome.h"
#include "graders/code/output_compare.h"

namespace r1eval::graders::code {
namespace {

TEST(CodeCompare, WhitespaceNeverMatters) {
  EXPECT_TRUE(compare_output("1 2\n3\n", "1   2 3").accepted);
  EXPECT_TRUE(compare_output("1 2\n", "1\r\n2\r\n\r\n").accepted);
  EXPECT_TRUE(compare_output("", "\n \n").accepted);
}

TEST(CodeCompare, TokensMustMatch) {
  CompareResult r = compare_output("1 2 3", "1 2 4");
  EXPECT_FALSE(r.accepted);
  EXPECT_EQ(r.detail, "token 3: expected '3', got '4'");
  EXPECT_FALSE(compare_output("1 2 3", "1 2").accepted);
  EXPECT_FALSE(compare_output("1 2", "1 2 3").accepted);
  EXPECT_FALSE(compare_output("abc", "ABC").accepted);
}

TEST(CodeCompare, YesNoInAnyCase) {
  EXPECT_TRUE(compare_output("YES\nNO", "yes\nNo").accepted);
  EXPECT_FALSE(compare_output("YES", "NO").accepted);
  CompareOptions strict;
  strict.yes_no_any_case = false;
  EXPECT_FALSE(compare_output("YES", "yes", strict).accepted);
}

TEST(CodeCompare, FloatsWithTolerance) {
  EXPECT_TRUE(compare_output("0.5000000", "0.5000004").accepted);
  EXPECT_TRUE(compare_output("1000000.0", "1000000.9").accepted);  // relative 9e-7
  EXPECT_FALSE(compare_output("0.5", "0.50001").accepted);
  EXPECT_TRUE(compare_output("2 0.5", "2.0000000 0.5").accepted);  // the answer has floats: all numbers tolerant
  // ...but two integers stay exact: a count printed beside a real value is not within 1e-6 of another.
  EXPECT_FALSE(compare_output("1000000000 0.5", "1000000001 0.5").accepted);
  EXPECT_FALSE(compare_output("123456789 1.5", "123456700 1.5").accepted);
  EXPECT_TRUE(compare_output("2.5 3", "2.5000001 3.0000001").accepted);
}

TEST(CodeCompare, IntegersAreExactUnlessAsked) {
  EXPECT_FALSE(compare_output("3", "3.0000001").accepted);
  CompareOptions floats;
  floats.float_tolerance = true;
  EXPECT_TRUE(compare_output("3", "3.0000001", floats).accepted);
  EXPECT_FALSE(compare_output("3", "nan", floats).accepted);
}

TEST(CodeOutcome, NamesRoundTrip) {
  for (Outcome o : {Outcome::AC, Outcome::WA, Outcome::TLE, Outcome::MLE, Outcome::RE, Outcome::CE, Outcome::OLE,
                    Outcome::SE}) {
    EXPECT_EQ(parse_outcome(outcome_name(o)), o);
  }
  EXPECT_THROW(parse_outcome("OK"), std::invalid_argument);
}

}  // namespace
}  // namespace r1eval::graders::code
