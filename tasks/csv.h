// RFC 4180 CSV: comma-separated fields, double-quoted fields may hold commas, line breaks and
// doubled quotes. Records end with CRLF or LF; a UTF-8 byte order mark at the start is ignored.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace r1eval::tasks {

struct CsvRecord {
  std::vector<std::string> fields;  // unquoted values, byte for byte (no trimming)
  std::size_t line = 0;             // 1-based line of the file where the record starts
};

struct CsvTable {
  std::vector<std::string> header;  // the first record
  std::vector<CsvRecord> rows;      // every later record, each with as many fields as the header
  // Index of the column named exactly `name`, or -1.
  int column(std::string_view name) const;
};

// Parses a whole CSV document whose first record is the header. Blank lines between records are
// skipped (as pandas does). Throws DataError "<display_name>:<line>: ..." on a quote inside an
// unquoted field, text after a closing quote, an unterminated quoted field, a record whose field
// count differs from the header's, or an empty document.
CsvTable parse_csv(std::string_view text, std::string_view display_name);

}  // namespace r1eval::tasks
