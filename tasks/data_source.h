// Where a task's data file is found: a local folder (--data-dir, the layout of ../shared/data or a
// hub download), else a cache folder that is filled from the Hugging Face hub when reachable.
#pragma once
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace r1eval::tasks {

// Bad or missing input data. The message is one line naming the file (and line, field) and what was expected.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One file of a task. A task may list several candidate layouts; the first one present is used.
struct DataFile {
  std::string local_path;  // relative to a data dir, e.g. "aime24/test.jsonl"
  std::string hub_repo;    // dataset repo on the hub, e.g. "HuggingFaceH4/MATH-500" ("" = none)
  std::string hub_path;    // file inside the repo, e.g. "test.jsonl"
  bool gated = false;      // needs HF_TOKEN (GPQA)
  std::string zip_member;  // when local_path is a zip: the member to read ("" = not a zip)
  std::string zip_password;      // password of an encrypted zip member ("" = none)
  std::string zip_password_env;  // environment variable that overrides zip_password when set
};

struct DataSpec {
  std::vector<DataFile> files;  // alternatives in order of preference
  std::string source_note;      // one line for `r1eval tasks`
};

struct LocatorOptions {
  std::vector<std::filesystem::path> data_dirs;  // searched in order (--data-dir, R1EVAL_DATA_DIR)
  std::filesystem::path cache_dir;               // downloads land here (R1EVAL_CACHE or ~/.cache/r1eval)
  std::string hub_endpoint = "https://huggingface.co";  // HF_ENDPOINT overrides
  std::string hub_token;                          // HF_TOKEN
  bool allow_download = true;
  long connect_timeout_s = 30;  // downloads: give up when no connection is made in this time
  long stall_timeout_s = 60;    // downloads: give up when under 1 byte/s arrives for this long
};

// Resolves DataSpecs to bytes. Reads zip members in memory so password-protected archives never
// land on disk in plain form.
class DataLocator {
 public:
  explicit DataLocator(LocatorOptions options);
  // Options from the environment: R1EVAL_DATA_DIR (colon-separated), R1EVAL_CACHE (else
  // $XDG_CACHE_HOME/r1eval, else ~/.cache/r1eval), HF_ENDPOINT, HF_TOKEN; R1EVAL_OFFLINE or
  // HF_HUB_OFFLINE set to 1/true/yes/on disables downloads.
  static LocatorOptions options_from_environment();

  struct Resolved {
    std::string content;          // whole file (or zip member) content
    std::string display_name;     // path used in error messages, e.g. "/d/aime24/test.jsonl"
    const DataFile* file = nullptr;  // which alternative matched
  };
  // Looks, in order: in every existing data dir for every alternative's local_path; in the cache
  // for every alternative that has a hub file; then, when downloads are allowed, downloads the
  // first hub file the hub serves into the cache (atomically) and reads it. Throws DataError
  // (one line) listing the places looked at when nothing is found, or naming the file when one is
  // found but unreadable; a 401/403 for a gated hub file says to set HF_TOKEN and accept the terms.
  Resolved read(const DataSpec& spec) const;
  // read(spec), with the task's name leading any error message.
  Resolved read_for_task(const std::string& task_name, const DataSpec& spec) const;
  // Where the hub file of `file` is cached; empty when it has no hub file or there is no cache dir.
  std::filesystem::path cache_path(const DataFile& file) const;
  const LocatorOptions& options() const { return options_; }

 private:
  LocatorOptions options_;
};

}  // namespace r1eval::tasks
