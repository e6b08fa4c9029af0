#include "tasks/csv.h"

#include "tasks/data_source.h"

namespace r1eval::tasks {
namespace {

std::string at(std::string_view name, std::size_t line) {
  return std::string(name) + ":" + std::to_string(line) + ": ";
}

// A cursor over the text that knows the current line number.
class CsvReader {
 public:
  CsvReader(std::string_view text, std::string_view name) : text_(text), name_(name) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
  }

  bool done() const { return pos_ >= text_.size(); }
  std::size_t line() const { return line_; }

  // True when the cursor sits on an empty line (LF or CRLF), which it then skips.
  bool skip_blank_line() {
    if (peek() == '\n') {
      ++pos_;
      ++line_;
      return true;
    }
    if (peek() == '\r' && peek(1) == '\n') {
      pos_ += 2;
      ++line_;
      return true;
    }
    return false;
  }

  std::vector<std::string> record() {
    std::vector<std::string> fields;
    while (true) {
      fields.push_back(peek() == '"' ? quoted_field() : plain_field());
      if (done()) return fields;
      const char c = text_[pos_];
      if (c == ',') {
        ++pos_;
        continue;
      }
      end_of_record();
      return fields;
    }
  }

 private:
  int peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? static_cast<unsigned char>(text_[pos_ + ahead]) : -1;
  }

  void end_of_record() {
    if (peek() == '\r' && peek(1) == '\n') {
      pos_ += 2;
    } else if (peek() == '\n') {
      ++pos_;
    } else {
      throw DataError(at(name_, line_) + "expected ',' or end of line after a field");
    }
    ++line_;
  }

  std::string plain_field() {
    const std::size_t start = pos_;
    while (!done()) {
      const char c = text_[pos_];
      if (c == ',' || c == '\n' || (c == '\r' && peek(1) == '\n')) break;
      if (c == '"') {
        throw DataError(at(name_, line_) +
                        "bad CSV quoting: '\"' inside an unquoted field (quote the field and double the quote)");
      }
      ++pos_;
    }
    return std::string(text_.substr(start, pos_ - start));
  }

  std::string quoted_field() {
    const std::size_t opened_at = line_;
    ++pos_;  // opening quote
    std::string value;
    while (true) {
      if (done()) {
        throw DataError(at(name_, opened_at) + "bad CSV quoting: quoted field is never closed");
      }
      const char c = text_[pos_++];
      if (c == '"') {
        if (peek() == '"') {
          value.push_back('"');
          ++pos_;
          continue;
        }
        if (!done() && peek() != ',' && peek() != '\n' && !(peek() == '\r' && peek(1) == '\n')) {
          throw DataError(at(name_, line_) + "bad CSV quoting: text after the closing quote of a field");
        }
        return value;
      }
      if (c == '\n') ++line_;
      value.push_back(c);
    }
  }

  std::string_view text_;
  std::string_view name_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
};

}  // namespace

int CsvTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  return -1;
}

CsvTable parse_csv(std::string_view text, std::string_view display_name) {
  CsvReader reader(text, display_name);
  CsvTable table;
  bool have_header = false;
  while (!reader.done()) {
    if (reader.skip_blank_line()) continue;
    const std::size_t line = reader.line();
    std::vector<std::string> fields = reader.record();
    if (!have_header) {
      table.header = std::move(fields);
      have_header = true;
      continue;
    }
    if (fields.size() != table.header.size()) {
      throw DataError(at(display_name, line) + "expected " + std::to_string(table.header.size()) +
                      " CSV fields as in the header, found " + std::to_string(fields.size()));
    }
    table.rows.push_back(CsvRecord{std::move(fields), line});
  }
  if (!have_header) throw DataError(std::string(display_name) + ": empty CSV file (expected a header line)");
  return table;
}

}  // namespace r1eval::tasks
