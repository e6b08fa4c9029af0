#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>

#include "tasks/data_source.h"
#include "tasks/hub_download.h"
#include "tasks/zip_reader.h"

namespace r1eval::tasks {
namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? std::string(value) : std::string();
}

bool env_flag(const char* name) {
  std::string value = env(name);
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value == "1" || value == "true" || value == "yes" || value == "on";
}

std::vector<std::filesystem::path> split_path_list(const std::string& list) {
  std::vector<std::filesystem::path> dirs;
  std::string_view rest = list;
  while (!rest.empty()) {
    const std::size_t colon = rest.find(':');
    const std::string_view item = rest.substr(0, colon);
    if (!item.empty()) dirs.emplace_back(item);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  return dirs;
}

std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot open for reading");
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) throw DataError(path.string() + ": read error");
  return std::move(content).str();
}

bool regular_file_exists(const std::filesystem::path& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

std::string zip_password_of(const DataFile& file) {
  if (!file.zip_password_env.empty()) {
    const std::string overridden = env(file.zip_password_env.c_str());
    if (!overridden.empty()) return overridden;
  }
  return file.zip_password;
}

// Reads a file found on disk: whole, or the zip member the alternative names.
DataLocator::Resolved read_local(const std::filesystem::path& path, const DataFile& file) {
  DataLocator::Resolved resolved;
  resolved.file = &file;
  if (file.zip_member.empty()) {
    resolved.content = read_whole_file(path);
    resolved.display_name = path.string();
  } else {
    resolved.content = read_zip_member(path, file.zip_member, zip_password_of(file));
    resolved.display_name = path.string() + ":" + file.zip_member;  // errors then name the member
  }
  return resolved;
}

std::string join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += separator;
    out += items[i];
  }
  return out;
}

std::string ascii_lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Where a data dir may hold a file: the project layout ("aime24/test.jsonl"); a folder of hub downloads
// ("HuggingFaceH4/MATH-500/test.jsonl"); or the download itself, as `huggingface-cli download REPO
// --local-dir NAME` leaves it, when the folder is named as the repo ("MATH-500/test.jsonl").
std::vector<std::filesystem::path> local_candidates(const std::filesystem::path& dir, const DataFile& file) {
  std::vector<std::filesystem::path> paths{dir / file.local_path};
  if (file.hub_repo.empty() || file.hub_path.empty()) return paths;
  paths.push_back(dir / file.hub_repo / file.hub_path);
  const std::string repo_name = file.hub_repo.substr(file.hub_repo.find('/') + 1);
  std::error_code ec;
  std::filesystem::path named = std::filesystem::weakly_canonical(std::filesystem::absolute(dir, ec), ec);  // ".", "X/."
  if (ec) named = dir;
  if (!named.has_filename()) named = named.parent_path();  // "MATH-500/"
  if (ascii_lower(named.filename().string()) == ascii_lower(repo_name)) paths.push_back(dir / file.hub_path);
  return paths;
}

}  // namespace

DataLocator::DataLocator(LocatorOptions options) : options_(std::move(options)) {}

LocatorOptions DataLocator::options_from_environment() {
  LocatorOptions options;
  options.data_dirs = split_path_list(env("R1EVAL_DATA_DIR"));
  if (const std::string cache = env("R1EVAL_CACHE"); !cache.empty()) {
    options.cache_dir = cache;
  } else if (const std::string xdg = env("XDG_CACHE_HOME"); !xdg.empty()) {
    options.cache_dir = std::filesystem::path(xdg) / "r1eval";
  } else if (const std::string home = env("HOME"); !home.empty()) {
    options.cache_dir = std::filesystem::path(home) / ".cache" / "r1eval";
  }
  if (const std::string endpoint = env("HF_ENDPOINT"); !endpoint.empty()) options.hub_endpoint = endpoint;
  options.hub_token = env("HF_TOKEN");
  options.allow_download = !(env_flag("R1EVAL_OFFLINE") || env_flag("HF_HUB_OFFLINE"));
  return options;
}

std::filesystem::path DataLocator::cache_path(const DataFile& file) const {
  if (file.hub_repo.empty() || file.hub_path.empty() || options_.cache_dir.empty()) return {};
  return options_.cache_dir / "hub" / file.hub_repo / file.hub_path;
}

DataLocator::Resolved DataLocator::read(const DataSpec& spec) const {
  std::vector<std::string> looked;
  for (const auto& dir : options_.data_dirs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      looked.push_back(dir.string() + (regular_file_exists(dir) ? " (a file; a data dir is a folder holding e.g. "
                                                                  "aime24/test.jsonl)"
                                                                : " (no such folder)"));
      continue;
    }
    for (const auto& file : spec.files) {
      for (const std::filesystem::path& path : local_candidates(dir, file)) {
        if (regular_file_exists(path)) return read_local(path, file);
        looked.push_back(path.string());
      }
    }
  }
  for (const auto& file : spec.files) {
    const std::filesystem::path cached = cache_path(file);
    if (cached.empty()) continue;
    if (regular_file_exists(cached)) return read_local(cached, file);
    looked.push_back(cached.string());
  }
  bool any_hub_file = false;
  for (const auto& file : spec.files) {
    const std::filesystem::path cached = cache_path(file);
    if (cached.empty()) continue;
    any_hub_file = true;
    if (!options_.allow_download) continue;
    const std::string url = hub_file_url(options_.hub_endpoint, file.hub_repo, file.hub_path);
    const DownloadOutcome outcome = download_file(
        url, options_.hub_token, cached, DownloadTimeouts{options_.connect_timeout_s, options_.stall_timeout_s});
    if (outcome.ok) return read_local(cached, file);
    // The hub answers 401 for missing repos too, so only a gated file's 401/403 means "token needed".
    if (file.gated && (outcome.http_status == 401 || outcome.http_status == 403)) {
      std::string terms = hub_file_url(options_.hub_endpoint, file.hub_repo, "");
      terms.erase(terms.size() - std::string_view("/resolve/main/").size());  // the dataset page
      throw DataError(url + ": HTTP " + std::to_string(outcome.http_status) + ": " +
                      (options_.hub_token.empty() ? "set HF_TOKEN to a Hugging Face access token"
                                                  : "the token in HF_TOKEN was refused") +
                      " and accept the dataset terms at " + terms);
    }
    looked.push_back(url + " (" + outcome.error + ")");
  }
  std::string message = "no data file found; looked at: " + (looked.empty() ? std::string("nothing") : join(looked, ", "));
  if (options_.data_dirs.empty()) message += "; no data dir given (--data-dir or R1EVAL_DATA_DIR)";
  if (any_hub_file && options_.cache_dir.empty()) message += "; no cache dir, so no download";
  else if (any_hub_file && !options_.allow_download) message += "; downloads disabled (R1EVAL_OFFLINE/HF_HUB_OFFLINE)";
  throw DataError(message);
}

DataLocator::Resolved DataLocator::read_for_task(const std::string& task_name, const DataSpec& spec) const {
  try {
    return read(spec);
  } catch (const DataError& e) {
    throw DataError(task_name + ": " + e.what());
  }
}

}  // namespace r1eval::tasks
