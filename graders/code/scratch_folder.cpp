#include "graders/code/scratch_folder.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "graders/code/sandbox/isolation.h"
#include "graders/code/sandbox/stale_groups.h"

namespace r1eval::graders::code {

namespace fs = std::filesystem;

ScratchFolder::ScratchFolder(const std::string& parent, const std::string& prefix) {
  std::error_code ec;
  const bool made_parent = fs::create_directories(parent, ec);
  if (ec) throw std::runtime_error("judge work folder " + parent + ": " + ec.message());
  const auto search_only = fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec;
  if (made_parent) fs::permissions(parent, search_only, ec);  // others reach their folder but cannot list
  // The pid in the name lets a later judge remove what a killed one left (remove_stale_scratch_folders).
  std::string pattern = parent + "/" + prefix + "-" + std::to_string(::getpid()) + "-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) throw std::runtime_error("judge folder " + pattern + ": " + std::strerror(errno));
  path_ = buffer.data();
  fs::permissions(path_, search_only, ec);
  // The box belongs to the uid sandboxed programs run as (as root: kNobodyId; otherwise the caller, whom
  // the user namespace maps them to), and to nobody else: another local user could otherwise swap a
  // compiled checker or solution under the judge.
  if (::mkdir(box().c_str(), 0700) != 0 ||
      (::geteuid() == 0 && ::chown(box().c_str(), sandbox::kNobodyId, sandbox::kNobodyId) != 0)) {
    const std::string reason = std::strerror(errno);
    fs::remove_all(path_, ec);
    throw std::runtime_error("judge folder " + box() + ": " + reason);
  }
}

ScratchFolder::~ScratchFolder() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

void remove_stale_scratch_folders(const std::string& parent) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(parent, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    // <prefix>-<pid>-XXXXXX
    const std::string name = entry.path().filename().string();
    const std::size_t last = name.rfind('-');
    if (last == std::string::npos || last == 0 || name.size() - last != 7) continue;
    const std::size_t before = name.rfind('-', last - 1);
    if (before == std::string::npos) continue;
    if (!sandbox::names_a_gone_process(std::string_view(name).substr(before + 1, last - before - 1))) continue;
    std::error_code ignored;
    fs::remove_all(entry.path(), ignored);
  }
}

void ScratchFolder::seal() const {
  if (::geteuid() != 0) return;
  std::error_code ec;
  const auto take = [](const fs::path& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || ::lchown(path.c_str(), 0, 0) != 0) return false;
    return S_ISLNK(st.st_mode) || ::chmod(path.c_str(), st.st_mode & 0755) == 0;
  };
  for (auto it = fs::recursive_directory_iterator(box(), ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!take(it->path())) throw std::runtime_error("judge folder " + it->path().string() + ": " + std::strerror(errno));
  }
  if (ec || !take(box()) || ::chmod(box().c_str(), 0755) != 0)
    throw std::runtime_error("judge folder " + box() + ": " + (ec ? ec.message() : std::strerror(errno)));
}

void ScratchFolder::write(const std::string& name, const std::string& content) const {
  const std::string target = box() + "/" + name;
  const std::string temporary = target + ".partial";
  // A fresh file, never one found there: the box is the sandbox uid's, which could have left a link.
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("judge file " + temporary + ": " + std::strerror(errno));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const bool complete = written == content.size() && ::fchmod(fd, 0644) == 0;
  ::close(fd);
  if (!complete || ::rename(temporary.c_str(), target.c_str()) != 0) {
    const std::string reason = complete ? std::strerror(errno) : "write failed";
    ::unlink(temporary.c_str());
    throw std::runtime_error("judge file " + target + ": " + reason);
  }
}

}  // namespace r1eval::graders::code
