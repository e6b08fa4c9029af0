// The check every bad-input test of the CLI makes: exit code 2 and one line on stderr naming the thing.
#pragma once
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "test_support.h"

namespace r1eval::harness::testing {

inline void expect_one_line_error(const CommandResult& r, const std::string& mention) {
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_THAT(r.err, ::testing::HasSubstr(mention));
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace r1eval::harness::testing
