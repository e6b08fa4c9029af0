// A read-only memory map of a whole file, unmapped on destruction.
#pragma once
#include <cstddef>
#include <string>

namespace r1eval::engine {

class MappedFile {
 public:
  // Maps `path` read-only. Throws std::runtime_error (one line naming the path) if it cannot be opened.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::byte* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  const std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace r1eval::engine
