// A host folder the judge owns for one submission or checker: removed with everything in it when
// the object dies. Its parent chain stays search-only so that the sandbox uid reaches it but cannot list.
#pragma once
#include <string>

namespace r1eval::graders::code {

class ScratchFolder {
 public:
  // Creates a fresh folder `prefix`-XXXXXX under `parent` (made if missing, search-only for others) with
  // a "box" inside for the sandbox to write into, owned by the sandbox's uid and closed to everyone else.
  // Throws std::runtime_error naming the path on failure.
  ScratchFolder(const std::string& parent, const std::string& prefix);
  ~ScratchFolder();
  ScratchFolder(const ScratchFolder&) = delete;
  ScratchFolder& operator=(const ScratchFolder&) = delete;

  const std::string& path() const { return path_; }
  std::string box() const { return path_ + "/box"; }

  // Hands the box and what the sandbox built in it to root, read-only for everyone else (as root only;
  // otherwise the sandbox runs as the caller anyway): called once a build is done, so that no process of
  // the sandbox uid can swap a compiled checker or solution while tests run. Throws std::runtime_error
  // naming the path on failure.
  void seal() const;

  // Writes `content` to box()/`name` whole (a new temporary file, never a link found there, + rename),
  // readable by the sandbox.
  void write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

// Removes the folders under `parent` that ScratchFolder made for processes that no longer exist (a judge
// killed with SIGKILL runs no destructor). Errors are ignored: this only tidies.
void remove_stale_scratch_folders(const std::string& parent);

}  // namespace r1eval::graders::code
