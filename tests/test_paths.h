// Where tests find their fixtures (R1EVAL_SOURCE_DIR: the checkout) and write their files (R1EVAL_TEST_TMP):
// the environment variable of the same name when it is set and not empty, else the folder compiled in by
// tests/CMakeLists.txt (which force-includes this header into every test source). Prebuilt test binaries run
// elsewhere (bench/device_check.sh runs device-bundle/'s on a GPU machine) point them at that machine's
// checkout and at a writable folder this way; the folder R1EVAL_TEST_TMP names must exist.
#pragma once
#include <cstdlib>

namespace r1eval::test_paths {

inline const char* from_environment(const char* name, const char* compiled_in) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : compiled_in;
}

}  // namespace r1eval::test_paths

#ifdef R1EVAL_TEST_TMP_BUILT
#define R1EVAL_TEST_TMP (::r1eval::test_paths::from_environment("R1EVAL_TEST_TMP", R1EVAL_TEST_TMP_BUILT))
#endif
#ifdef R1EVAL_SOURCE_DIR_BUILT
#define R1EVAL_SOURCE_DIR (::r1eval::test_paths::from_environment("R1EVAL_SOURCE_DIR", R1EVAL_SOURCE_DIR_BUILT))
#endif
