#include "results/html_text.h"

#include <cstdio>

namespace r1eval::results {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: {
        const auto byte = static_cast<unsigned char>(c);
        const bool control = byte < 0x20 && c != '\t' && c != '\n' && c != '\r';
        out += (control || byte == 0x7f) ? ' ' : c;
      }
    }
  }
  return out;
}

std::string fixed_number(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value + 0.0);
  std::string s = buf;
  // "-0.0" and the like: a negative that rounds to zero reads as zero.
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

}  // namespace r1eval::results
