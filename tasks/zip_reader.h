// Reads one member of a zip archive into memory, decrypting it when a password is given, so that
// protected data (GPQA) never exists on disk in plain form.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace r1eval::tasks {

// The whole uncompressed content of `member` inside the archive at `archive`. `password` is used
// for encrypted members (traditional PKWARE or AES) and ignored for plain ones. Throws DataError
// with one line naming the archive and member when the archive cannot be opened, the member is
// missing, the password is wrong or missing, or the data is corrupt.
std::string read_zip_member(const std::filesystem::path& archive, std::string_view member,
                            const std::string& password);

}  // namespace r1eval::tasks
