// Durable files of a run folder: samples.jsonl appended whole and fsync'd; summaries written atomically.
#pragma once
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "results/sample_record.h"

namespace r1eval::results {

// Writes `content` to `path` through a temporary file in the same folder, fsync and rename: readers see
// either the old file or the whole new one. Throws std::runtime_error naming the path on failure.
void write_file_atomic(const std::filesystem::path& path, std::string_view content);

// Writes several files of one folder so that a failure (a full disk, a quota) replaces none of them: every
// content goes to its own fsync'd temporary first, and the renames follow only once all were written. On
// failure the temporaries are removed and std::runtime_error names the file that could not be written. A
// crash in the microseconds between two renames can still leave the set mixed.
struct NamedContent {
  std::string name;  // a file name inside the folder
  std::string_view content;
};
void write_files_atomic(const std::filesystem::path& dir, const std::vector<NamedContent>& files);

// Appends records to <dir>/samples.jsonl. Each append writes one whole line with a single write() and
// fsyncs, so a kill at any moment leaves at most a torn last line, which load_samples ignores.
// Opening an existing file cuts such a torn last line first (or ends a whole last record with its missing
// newline), so a resumed run appends cleanly.
// append() may be called from several threads (graders finish in any order); it throws
// std::runtime_error naming the file when the write or fsync fails.
class SampleStore {
 public:
  explicit SampleStore(const std::filesystem::path& dir);  // creates dir; throws naming it on failure
  ~SampleStore();
  SampleStore(const SampleStore&) = delete;
  SampleStore& operator=(const SampleStore&) = delete;
  void append(const SampleRecord& record);
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::mutex write_mutex_;  // lines from concurrent appends never interleave, whatever the filesystem
};

// Reads <dir>/samples.jsonl (or a samples file given directly), in file order. A torn final line (no
// newline, not a whole record) and blank lines are skipped; a whole record without its newline is read; any other malformed line throws std::invalid_argument naming
// file:line. A folder without samples.jsonl gives no records; a missing or unreadable file throws
// std::runtime_error naming it.
std::vector<SampleRecord> load_samples(const std::filesystem::path& dir_or_file);

}  // namespace r1eval::results
