#include "results/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "results/html_text.h"

namespace r1eval::results {
namespace {

// Frame geometry in SVG user units; the page scales the whole picture with its viewBox.
constexpr double kWidth = 560;
constexpr double kHeight = 300;
constexpr double kLeft = 64;
constexpr double kRight = 16;
constexpr double kTop = 30;  // room for the legend
constexpr double kBottom = 48;

std::string coord(double v) { return fixed_number(v, 1); }

void check_axis(const ChartAxis& axis, const char* which) {
  if (!std::isfinite(axis.min) || !std::isfinite(axis.max) || axis.max < axis.min) {
    throw std::invalid_argument(std::string("SvgChart: ") + which + " axis '" + axis.label +
                                "' needs finite bounds with max >= min, got [" + fixed_number(axis.min, 6) + ", " +
                                fixed_number(axis.max, 6) + "]");
  }
}

double tick_spacing(double min, double max, int target, bool integer_ticks) {
  const double raw = (max - min) / target;
  if (raw <= 0) return 1;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  double spacing = 10 * power;
  for (const double m : {1.0, 2.0, 5.0}) {
    if (m * power >= raw * (1 - 1e-12)) {
      spacing = m * power;
      break;
    }
  }
  return integer_ticks ? std::max(1.0, std::round(spacing)) : spacing;
}

}  // namespace

std::vector<double> nice_ticks(double min, double max, int target, bool integer_ticks) {
  if (!std::isfinite(min) || !std::isfinite(max) || max < min || target < 1) {
    throw std::invalid_argument("nice_ticks: need finite min <= max and target >= 1, got [" + fixed_number(min, 6) +
                                ", " + fixed_number(max, 6) + "], target " + std::to_string(target));
  }
  const double spacing = tick_spacing(min, max, target, integer_ticks);
  std::vector<double> ticks;
  const double tolerance = spacing * 1e-9;
  // Ticks are computed as multiples of the spacing (not by repeated addition) so no error accumulates.
  for (double i = std::ceil(min / spacing - 1e-9);; i += 1) {
    const double t = i * spacing;
    if (t > max + tolerance) break;
    ticks.push_back(std::abs(t) < tolerance ? 0.0 : t);
  }
  return ticks;
}

double nice_axis_end(double min, double max, int target, bool integer_ticks) {
  const std::vector<double> ticks = nice_ticks(min, max, target, integer_ticks);
  const double spacing = tick_spacing(min, max, target, integer_ticks);
  const double last = ticks.empty() ? min : ticks.back();
  return last >= max - spacing * 1e-9 ? std::max(last, max) : last + spacing;
}

std::string tick_label(double value, double spacing) {
  int decimals = 0;
  if (spacing > 0 && spacing < 1) decimals = static_cast<int>(std::ceil(-std::log10(spacing) - 1e-9));
  return fixed_number(value, std::min(decimals, 6));
}

SvgChart::SvgChart(std::string description, ChartAxis x, ChartAxis y)
    : description_(std::move(description)), x_(std::move(x)), y_(std::move(y)) {
  check_axis(x_, "x");
  check_axis(y_, "y");
  for (ChartAxis* axis : {&x_, &y_}) {
    if (axis->max == axis->min) {
      axis->min -= 0.5;
      axis->max += 0.5;
    }
  }
}

double SvgChart::px(double x) const {
  const double t = std::clamp((x - x_.min) / (x_.max - x_.min), 0.0, 1.0);
  return kLeft + t * (kWidth - kLeft - kRight);
}

double SvgChart::py(double y) const {
  const double t = std::clamp((y - y_.min) / (y_.max - y_.min), 0.0, 1.0);
  return kHeight - kBottom - t * (kHeight - kTop - kBottom);
}

void SvgChart::add_line(const std::vector<ChartPoint>& points, const std::string& css_class) {
  if (points.empty()) return;
  std::string path;
  for (const ChartPoint& p : points) {
    if (!path.empty()) path += ' ';
    path += coord(px(p.x));
    path += ',';
    path += coord(py(p.y));
  }
  marks_ += "<polyline class=\"" + html_escape(css_class) + "\" points=\"" + path + "\"/>\n";
}

void SvgChart::add_markers(const std::vector<ChartPoint>& points, const std::string& css_class) {
  for (const ChartPoint& p : points) {
    marks_ += "<circle class=\"" + html_escape(css_class) + "\" cx=\"" + coord(px(p.x)) + "\" cy=\"" + coord(py(p.y)) +
              "\" r=\"3.5\">";
    if (!p.tooltip.empty()) marks_ += "<title>" + html_escape(p.tooltip) + "</title>";
    marks_ += "</circle>\n";
  }
}

void SvgChart::add_bar(double x0, double x1, double y0, double y1, const std::string& css_class,
                       const std::string& tooltip) {
  const double left = std::min(px(x0), px(x1));
  const double top = std::min(py(y0), py(y1));
  const double width = std::abs(px(x1) - px(x0));
  const double height = std::abs(py(y1) - py(y0));
  marks_ += "<rect class=\"" + html_escape(css_class) + "\" x=\"" + coord(left) + "\" y=\"" + coord(top) +
            "\" width=\"" + coord(width) + "\" height=\"" + coord(height) + "\">";
  if (!tooltip.empty()) marks_ += "<title>" + html_escape(tooltip) + "</title>";
  marks_ += "</rect>\n";
}

void SvgChart::add_legend_entry(const std::string& label, const std::string& css_class) {
  legend_.emplace_back(label, css_class);
}

std::string SvgChart::axes() const {
  std::ostringstream out;
  const double bottom = kHeight - kBottom;
  const double right = kWidth - kRight;
  const std::vector<double> xs = nice_ticks(x_.min, x_.max, 8, x_.integer_ticks);
  const std::vector<double> ys = nice_ticks(y_.min, y_.max, 5, y_.integer_ticks);
  const double x_spacing = xs.size() > 1 ? xs[1] - xs[0] : 1;
  const double y_spacing = ys.size() > 1 ? ys[1] - ys[0] : 1;
  out << "<g class=\"grid\">\n";
  for (const double y : ys) {
    out << "<line x1=\"" << coord(kLeft) << "\" y1=\"" << coord(py(y)) << "\" x2=\"" << coord(right) << "\" y2=\""
        << coord(py(y)) << "\"/>\n";
  }
  out << "</g>\n<g class=\"axis\">\n";
  out << "<line x1=\"" << coord(kLeft) << "\" y1=\"" << coord(bottom) << "\" x2=\"" << coord(right) << "\" y2=\""
      << coord(bottom) << "\"/>\n";
  out << "<line x1=\"" << coord(kLeft) << "\" y1=\"" << coord(kTop) << "\" x2=\"" << coord(kLeft) << "\" y2=\""
      << coord(bottom) << "\"/>\n";
  for (const double x : xs) {
    out << "<line x1=\"" << coord(px(x)) << "\" y1=\"" << coord(bottom) << "\" x2=\"" << coord(px(x)) << "\" y2=\""
        << coord(bottom + 5) << "\"/>\n"
        << "<text class=\"tick\" x=\"" << coord(px(x)) << "\" y=\"" << coord(bottom + 18)
        << "\" text-anchor=\"middle\">" << tick_label(x, x_spacing) << "</text>\n";
  }
  for (const double y : ys) {
    out << "<line x1=\"" << coord(kLeft - 5) << "\" y1=\"" << coord(py(y)) << "\" x2=\"" << coord(kLeft) << "\" y2=\""
        << coord(py(y)) << "\"/>\n"
        << "<text class=\"tick\" x=\"" << coord(kLeft - 8) << "\" y=\"" << coord(py(y) + 4)
        << "\" text-anchor=\"end\">" << tick_label(y, y_spacing) << "</text>\n";
  }
  out << "<text class=\"label\" x=\"" << coord((kLeft + right) / 2) << "\" y=\"" << coord(kHeight - 8)
      << "\" text-anchor=\"middle\">" << html_escape(x_.label) << "</text>\n";
  const double mid_y = (kTop + bottom) / 2;
  out << "<text class=\"label\" x=\"16\" y=\"" << coord(mid_y) << "\" text-anchor=\"middle\" transform=\"rotate(-90 16 "
      << coord(mid_y) << ")\">" << html_escape(y_.label) << "</text>\n";
  out << "</g>\n";
  return out.str();
}

std::string SvgChart::legend() const {
  std::ostringstream out;
  double x = kLeft;
  for (const auto& [label, css_class] : legend_) {
    out << "<rect class=\"" << html_escape(css_class) << "\" x=\"" << coord(x) << "\" y=\"10\" width=\"12\" height=\"12\"/>"
        << "<text class=\"legend\" x=\"" << coord(x + 16) << "\" y=\"20\">" << html_escape(label) << "</text>\n";
    // Legend labels are short; a fixed advance per character keeps the layout deterministic.
    x += 16 + 7.0 * static_cast<double>(label.size()) + 18;
  }
  return out.str();
}

std::string SvgChart::render() const {
  std::ostringstream out;
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 " << coord(kWidth) << " "
      << coord(kHeight) << "\" role=\"img\">\n"
      << "<title>" << html_escape(description_) << "</title>\n"
      << axes() << marks_ << legend() << "</svg>\n";
  return out.str();
}

}  // namespace r1eval::results
