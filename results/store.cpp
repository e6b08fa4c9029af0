#include "results/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "results/json_fields.h"

namespace r1eval::results {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSamplesFile = "samples.jsonl";

[[noreturn]] void fail_io(const fs::path& path, std::string_view doing) {
  throw std::runtime_error(path.string() + ": " + std::string(doing) + " failed: " + std::strerror(errno));
}

void fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail_io(dir, "open directory");
  // Some filesystems refuse fsync on directories (EINVAL); the rename is then as durable as they allow.
  if (::fsync(fd) != 0 && errno != EINVAL) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    fail_io(dir, "fsync directory");
  }
  ::close(fd);
}

fs::path parent_or_dot(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

void write_all(int fd, std::string_view content, const fs::path& path) {
  while (!content.empty()) {
    const ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail_io(path, "write");
    }
    content.remove_prefix(static_cast<std::size_t>(n));
  }
}

// True when `line` is a whole sample record (a file written by hand or by another tool may end without
// its last newline; a torn append never holds a whole record).
bool whole_record(std::string_view line) {
  try {
    (void)record_from_json(nlohmann::json::parse(line));
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

// A kill during an append leaves an unterminated last line. Appending after it would glue the next
// record onto it and turn a tolerated torn tail into a malformed middle line, so it is cut first; a whole
// record without its newline gets the newline instead.
void drop_torn_tail(int fd, const fs::path& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) fail_io(path, "stat");
  off_t end = st.st_size;
  if (end == 0) return;
  char last = 0;
  if (::pread(fd, &last, 1, end - 1) != 1) fail_io(path, "read");
  if (last == '\n') return;
  constexpr off_t kChunk = 4096;
  std::string buf;
  while (end > 0) {
    const off_t start = end > kChunk ? end - kChunk : 0;
    buf.resize(static_cast<std::size_t>(end - start));
    if (::pread(fd, buf.data(), buf.size(), start) != static_cast<ssize_t>(buf.size())) fail_io(path, "read");
    const auto nl = buf.rfind('\n');
    if (nl != std::string::npos) {
      end = start + static_cast<off_t>(nl) + 1;
      break;
    }
    end = start;
  }
  std::string tail(static_cast<std::size_t>(st.st_size - end), '\0');
  if (::pread(fd, tail.data(), tail.size(), end) != static_cast<ssize_t>(tail.size())) fail_io(path, "read");
  if (whole_record(tail)) {
    if (::pwrite(fd, "\n", 1, st.st_size) != 1) fail_io(path, "write");
  } else if (::ftruncate(fd, end) != 0) {
    fail_io(path, "truncate torn last line");
  }
  if (::fsync(fd) != 0) fail_io(path, "fsync");
}

// Writes `content` to a new fsync'd temporary beside `path` (so that rename() never crosses a filesystem)
// and returns its path; on failure nothing is left behind.
fs::path write_temporary(const fs::path& path, std::string_view content) {
  static std::atomic<unsigned> counter{0};
  std::string tmp_name = ".";
  tmp_name += path.filename().string();
  tmp_name += ".tmp.";
  tmp_name += std::to_string(::getpid());
  tmp_name += '.';
  tmp_name += std::to_string(counter.fetch_add(1));
  const fs::path tmp = parent_or_dot(path) / tmp_name;
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) fail_io(path, "create temporary file " + tmp.filename().string());
  try {
    write_all(fd, content, path);
    if (::fsync(fd) != 0) fail_io(path, "fsync");
    if (::close(fd) != 0) fail_io(path, "close");
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  return tmp;
}

void rename_into_place(const fs::path& tmp, const fs::path& path) {
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int saved = errno;
    ::unlink(tmp.c_str());
    errno = saved;
    fail_io(path, "rename");
  }
}

}  // namespace

void write_file_atomic(const fs::path& path, std::string_view content) {
  rename_into_place(write_temporary(path, content), path);
  fsync_directory(parent_or_dot(path));
}

void write_files_atomic(const fs::path& dir, const std::vector<NamedContent>& files) {
  std::vector<fs::path> temporaries;
  try {
    for (const NamedContent& f : files) temporaries.push_back(write_temporary(dir / f.name, f.content));
  } catch (...) {
    for (const fs::path& tmp : temporaries) ::unlink(tmp.c_str());
    throw;
  }
  // Renames within one folder do not allocate, so once every temporary is written they succeed short of
  // the folder being changed under us; then the temporaries not yet renamed are removed. (A crash between
  // two renames, microseconds apart, can still leave the set mixed.)
  for (std::size_t i = 0; i < files.size(); ++i) {
    try {
      rename_into_place(temporaries[i], dir / files[i].name);
    } catch (...) {
      for (std::size_t k = i + 1; k < temporaries.size(); ++k) ::unlink(temporaries[k].c_str());
      throw;
    }
  }
  fsync_directory(dir);
}

SampleStore::SampleStore(const fs::path& dir) : path_(dir / kSamplesFile) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error(dir.string() + ": cannot create run folder: " + ec.message());
  const bool existed = fs::exists(path_, ec);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) fail_io(path_, "open for append");
  try {
    drop_torn_tail(fd_, path_);
    if (!existed) fsync_directory(dir);  // makes the new file's directory entry durable
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

SampleStore::~SampleStore() {
  if (fd_ >= 0) ::close(fd_);
}

void SampleStore::append(const SampleRecord& record) {
  std::string line = detail::dump_line(to_json(record));
  line.push_back('\n');
  // One write() per record: with O_APPEND the line lands whole at the end or, if the process dies
  // inside the call, as a torn tail that readers skip. A retry after a short write could interleave.
  ssize_t n;
  {
    const std::lock_guard<std::mutex> lock(write_mutex_);
    do {
      n = ::write(fd_, line.data(), line.size());
    } while (n < 0 && errno == EINTR);
  }
  if (n < 0) fail_io(path_, "append");
  if (static_cast<std::size_t>(n) != line.size()) {
    throw std::runtime_error(path_.string() + ": short append (" + std::to_string(n) + " of " +
                             std::to_string(line.size()) + " bytes; disk full?)");
  }
  // Outside the lock: concurrent appends share the flushes instead of queueing behind each one.
  if (::fsync(fd_) != 0) fail_io(path_, "fsync");
}

std::vector<SampleRecord> load_samples(const fs::path& dir_or_file) {
  std::error_code ec;
  const bool is_dir = fs::is_directory(dir_or_file, ec);
  const fs::path file = is_dir ? dir_or_file / kSamplesFile : dir_or_file;
  if (is_dir && !fs::exists(file, ec)) return {};  // a run folder before its first sample
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot open samples file: " + std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = std::move(buffer).str();

  std::vector<SampleRecord> records;
  std::size_t pos = 0;
  std::size_t line_no = 0;
  while (pos < text.size()) {
    ++line_no;
    const std::size_t nl = text.find('\n', pos);
    const std::string_view line(text.data() + pos, (nl == std::string::npos ? text.size() : nl) - pos);
    // A final line without its newline: a torn append, unless it holds a whole record.
    if (nl == std::string::npos && !whole_record(line)) break;
    pos = nl == std::string::npos ? text.size() : nl + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    try {
      records.push_back(record_from_json(nlohmann::json::parse(line)));
    } catch (const std::exception& e) {
      throw std::invalid_argument(file.string() + ":" + std::to_string(line_no) + ": " + e.what());
    }
  }
  return records;
}

}  // namespace r1eval::results
