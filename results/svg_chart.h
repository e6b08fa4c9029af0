// Hand-written SVG charts for the HTML report: a plot frame with linear axes, ticks, grid lines and axis
// labels, into which lines, markers and bars are drawn. Colours come from CSS classes that the page
// defines, so the SVG carries no style of its own. Output is deterministic text.
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace r1eval::results {

struct ChartAxis {
  std::string label;
  double min = 0;
  double max = 1;
  bool integer_ticks = false;  // ticks only at whole numbers (e.g. k of pass@k)
};

struct ChartPoint {
  double x = 0;
  double y = 0;
  std::string tooltip;  // shown on hover (an SVG <title>); empty for none
};

// Round tick values (1, 2 or 5 times a power of ten apart) covering [min, max], about `target` of them,
// ascending, all inside [min, max]. With integer_ticks the spacing is at least 1. Throws
// std::invalid_argument when a bound is not finite, max < min or target < 1.
std::vector<double> nice_ticks(double min, double max, int target, bool integer_ticks);

// The smallest tick of nice_ticks(min, ..., target, integer_ticks) spacing that is >= max: an axis end
// that carries a label (a histogram of 97 samples gets an axis to 100). Same preconditions as nice_ticks.
double nice_axis_end(double min, double max, int target, bool integer_ticks);

// Text of a tick value at the precision its spacing needs ("0.25", "1000").
std::string tick_label(double value, double spacing);

class SvgChart {
 public:
  // `description` becomes the chart's accessible title. An axis with max == min is widened by 0.5 on
  // each side. Throws std::invalid_argument naming the axis when a bound is not finite or max < min.
  SvgChart(std::string description, ChartAxis x, ChartAxis y);

  // Values outside the axes are drawn at the nearest edge. Text arguments are escaped here.
  void add_line(const std::vector<ChartPoint>& points, const std::string& css_class);
  void add_markers(const std::vector<ChartPoint>& points, const std::string& css_class);
  void add_bar(double x0, double x1, double y0, double y1, const std::string& css_class, const std::string& tooltip);
  void add_legend_entry(const std::string& label, const std::string& css_class);

  // One complete <svg> element.
  std::string render() const;

 private:
  double px(double x) const;
  double py(double y) const;
  std::string axes() const;
  std::string legend() const;

  std::string description_;
  ChartAxis x_;
  ChartAxis y_;
  std::string marks_;
  std::vector<std::pair<std::string, std::string>> legend_;  // label, css class
};

}  // namespace r1eval::results
