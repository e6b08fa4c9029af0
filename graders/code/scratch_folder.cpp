#include "graders/code/scratch_folder.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace r1eval::graders::code {

namespace fs = std::filesystem;

ScratchFolder::ScratchFolder(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw std::runtime_error("judge work folder " + parent + ": " + ec.message());
  std::string pattern = parent + "/" + prefix + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) throw std::runtime_error("judge folder " + pattern + ": " + std::strerror(errno));
  path_ = buffer.data();
  const auto search_only = fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec;
  fs::permissions(path_, search_only, ec);
  fs::create_directory(box(), ec);
  if (!ec) fs::permissions(box(), fs::perms::all, ec);
  if (ec) throw std::runtime_error("judge folder " + box() + ": " + ec.message());
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void ScratchFolder::write(const std::string& name, const std::string& content) const {
  std::string target = box() + "/" + name;
  std::string temporary = target + ".partial";
  {
    std::ofstream out(temporary, std::ios::binary);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out) throw std::runtime_error("judge file " + temporary + ": write failed");
  }
  std::error_code ec;
  fs::permissions(temporary, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                                 fs::perms::others_read, ec);
  fs::rename(temporary, target, ec);
  if (ec) throw std::runtime_error("judge file " + target + ": " + ec.message());
}

}  // namespace r1eval::graders::code
