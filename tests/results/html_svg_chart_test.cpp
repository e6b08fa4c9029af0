#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "results/html_text.h"
#include "results/svg_chart.h"

namespace r1eval::results {
namespace {

TEST(HtmlEscape, ReplacesMarkupCharactersAndControlBytes) {
  EXPECT_EQ(html_escape("a<b>&\"c\"'d'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39;");
  EXPECT_EQ(html_escape(std::string("x\0y\x1bz\t\n", 7)), "x y z\t\n");
  EXPECT_EQ(html_escape("π ≈ 3.14"), "π ≈ 3.14");
}

TEST(FixedNumber, NeverPrintsNegativeZero) {
  EXPECT_EQ(fixed_number(-0.01, 1), "0.0");
  EXPECT_EQ(fixed_number(-0.0, 0), "0");
  EXPECT_EQ(fixed_number(-0.06, 1), "-0.1");
  EXPECT_EQ(fixed_number(12.345, 2), "12.35");
}

TEST(NiceTicks, RoundValuesInsideTheRange) {
  EXPECT_EQ(nice_ticks(0, 100, 5, false), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  EXPECT_EQ(nice_ticks(1, 7, 8, true), (std::vector<double>{1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(nice_ticks(1, 64, 8, true), (std::vector<double>{10, 20, 30, 40, 50, 60}));
  const std::vector<double> small = nice_ticks(0, 0.35, 5, false);
  ASSERT_EQ(small.size(), 4U);
  EXPECT_NEAR(small[3], 0.3, 1e-12);
  EXPECT_EQ(nice_ticks(3, 3, 5, false), (std::vector<double>{3}));
  EXPECT_THROW(nice_ticks(2, 1, 5, false), std::invalid_argument);
  EXPECT_THROW(nice_ticks(0, std::numeric_limits<double>::infinity(), 5, false), std::invalid_argument);
  EXPECT_THROW(nice_ticks(0, 1, 0, false), std::invalid_argument);
}

TEST(NiceAxisEnd, RoundsUpToTheNextTick) {
  EXPECT_DOUBLE_EQ(nice_axis_end(0, 97, 5, true), 100);
  EXPECT_DOUBLE_EQ(nice_axis_end(0, 80, 5, true), 80);
  EXPECT_DOUBLE_EQ(nice_axis_end(0, 3, 5, true), 3);
  EXPECT_DOUBLE_EQ(nice_axis_end(0, 0.33, 5, false), 0.4);
}

TEST(TickLabel, PrecisionFollowsTheSpacing) {
  EXPECT_EQ(tick_label(0.25, 0.05), "0.25");
  EXPECT_EQ(tick_label(0.2, 0.1), "0.2");
  EXPECT_EQ(tick_label(1000, 200), "1000");
}

TEST(SvgChart, DrawsAxesMarksAndEscapedText) {
  SvgChart chart("accuracy <by> length", {"x & y", 0, 10, false}, {"percent", 0, 100, false});
  chart.add_line({{0, 0, ""}, {10, 100, ""}}, "s1");
  chart.add_markers({{5, 50, "half <way>"}}, "s2");
  chart.add_bar(0, 1, 0, 200, "s3", "");  // above the axis: drawn up to the frame's top edge
  chart.add_legend_entry("series \"one\"", "s1");
  const std::string svg = chart.render();
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0U);
  EXPECT_EQ(svg.find("<svg", 1), std::string::npos);
  EXPECT_NE(svg.find("<title>accuracy &lt;by&gt; length</title>"), std::string::npos);
  EXPECT_NE(svg.find(">x &amp; y</text>"), std::string::npos);
  EXPECT_NE(svg.find("<title>half &lt;way&gt;</title>"), std::string::npos);
  EXPECT_NE(svg.find("series &quot;one&quot;"), std::string::npos);
  // The line runs from the bottom-left to the top-right corner of the plot area (64..544 x 252..30).
  EXPECT_NE(svg.find("points=\"64.0,252.0 544.0,30.0\""), std::string::npos) << svg;
  EXPECT_NE(svg.find("<rect class=\"s3\" x=\"64.0\" y=\"30.0\" width=\"48.0\" height=\"222.0\">"), std::string::npos);
  for (const char* tick : {">0</text>", ">20</text>", ">100</text>", ">10</text>"}) {
    EXPECT_NE(svg.find(tick), std::string::npos) << tick;
  }
}

TEST(SvgChart, RejectsBadAxesAndWidensAFlatOne) {
  EXPECT_THROW(SvgChart("c", {"x", 1, 0, false}, {"y", 0, 1, false}), std::invalid_argument);
  EXPECT_THROW(SvgChart("c", {"x", 0, 1, false}, {"y", 0, std::nan(""), false}), std::invalid_argument);
  SvgChart flat("c", {"k", 1, 1, true}, {"y", 0, 1, false});
  flat.add_markers({{1, 0.5, ""}}, "s1");
  EXPECT_NE(flat.render().find("cx=\"304.0\""), std::string::npos);  // the single k sits mid-axis
}

}  // namespace
}  // namespace r1eval::results
