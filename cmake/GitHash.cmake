# Run at every build (cmake -P): writes OUT, a header defining R1EVAL_GIT_HASH as the checkout's commit
# ("-dirty" when files differ from it), and rewrites it only when that changes, so that run.json records
# the commit the binary was built from, not the one CMake was configured at.
execute_process(COMMAND git describe --always --dirty --abbrev=12 --exclude=*
                WORKING_DIRECTORY ${SOURCE_DIR} OUTPUT_VARIABLE hash OUTPUT_STRIP_TRAILING_WHITESPACE
                ERROR_QUIET RESULT_VARIABLE status)
if(status EQUAL 0 AND hash)
  set(content "#define R1EVAL_GIT_HASH \"${hash}\"\n")
else()
  set(content "// not built from a git checkout: run.json records no commit\n")
endif()
file(WRITE ${OUT}.tmp "${content}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUT}.tmp ${OUT})
file(REMOVE ${OUT}.tmp)
