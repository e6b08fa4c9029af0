#include "tasks/zip_reader.h"

#include <zip.h>

#include <memory>

#include "tasks/data_source.h"

namespace r1eval::tasks {
namespace {

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }  // read-only: never rewrite the archive
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

std::string zip_error_text(int code) {
  zip_error_t error;
  zip_error_init_with_code(&error, code);
  std::string text = zip_error_strerror(&error);
  zip_error_fini(&error);
  return text;
}

}  // namespace

std::string read_zip_member(const std::filesystem::path& archive, std::string_view member,
                            const std::string& password) {
  const std::string where = archive.string() + ": member '" + std::string(member) + "': ";
  int open_error = 0;
  std::unique_ptr<zip_t, ArchiveCloser> zip(zip_open(archive.c_str(), ZIP_RDONLY, &open_error));
  if (!zip) {
    throw DataError(archive.string() + ": cannot open as a zip archive: " + zip_error_text(open_error));
  }
  const std::string member_name(member);
  zip_int64_t index = zip_name_locate(zip.get(), member_name.c_str(), 0);
  if (index < 0) {
    // The archive as published may keep the member in a folder ("dataset/gpqa_diamond.csv" in GPQA's
    // dataset.zip): one member of that file name in any folder is the one.
    zip_int64_t found = -1;
    const zip_int64_t count = zip_get_num_entries(zip.get(), 0);
    for (zip_int64_t k = 0; k < count; ++k) {
      const char* name = zip_get_name(zip.get(), static_cast<zip_uint64_t>(k), 0);
      const std::string_view n = name ? std::string_view(name) : std::string_view();
      if (n.size() > member.size() && n.ends_with(member) && n[n.size() - member.size() - 1] == '/' &&
          n.find("__MACOSX/") == std::string_view::npos) {
        if (found >= 0) throw DataError(where + "found in more than one folder of the archive");
        found = k;
      }
    }
    if (found < 0) throw DataError(where + "not found in the archive");
    index = found;
  }

  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(zip.get(), static_cast<zip_uint64_t>(index), 0, &stat) != 0 ||
      !(stat.valid & ZIP_STAT_SIZE)) {
    throw DataError(where + "cannot read its size: " + zip_strerror(zip.get()));
  }
  const bool encrypted = (stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE;
  if (encrypted && password.empty()) throw DataError(where + "is encrypted and no password was given");

  std::unique_ptr<zip_file_t, FileCloser> file(
      encrypted ? zip_fopen_index_encrypted(zip.get(), static_cast<zip_uint64_t>(index), 0, password.c_str())
                : zip_fopen_index(zip.get(), static_cast<zip_uint64_t>(index), 0));
  if (!file) {
    const int code = zip_error_code_zip(zip_get_error(zip.get()));
    if (code == ZIP_ER_WRONGPASSWD) throw DataError(where + "wrong password");
    throw DataError(where + "cannot open: " + zip_strerror(zip.get()));
  }
  std::string content(static_cast<std::size_t>(stat.size), '\0');
  std::size_t filled = 0;
  while (filled < content.size()) {
    const zip_int64_t n = zip_fread(file.get(), content.data() + filled, content.size() - filled);
    if (n < 0) {
      // Traditional encryption checks only one byte of the password up front; a wrong password
      // that passes it shows up here as a CRC or inflate error.
      const int code = zip_error_code_zip(zip_file_get_error(file.get()));
      const std::string hint = encrypted ? " (wrong password?)" : "";
      throw DataError(where + "corrupt data: " + zip_error_text(code) + hint);
    }
    if (n == 0) break;
    filled += static_cast<std::size_t>(n);
  }
  if (filled != content.size()) throw DataError(where + "truncated: expected " + std::to_string(content.size()) + " bytes");
  // A final read drives libzip's CRC check, which runs only once the end of the stream is seen.
  char probe;
  if (zip_fread(file.get(), &probe, 1) < 0) {
    const std::string hint = encrypted ? " (wrong password?)" : "";
    throw DataError(where + "corrupt data: " + zip_file_strerror(file.get()) + hint);
  }
  return content;
}

}  // namespace r1eval::tasks
