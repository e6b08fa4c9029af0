# r1eval_module(NAME DIR [LINKS ...] [EXCLUDE_REGEX regex]): a module library from the .cpp files under
# DIR (recursively, excluding *.cu which the CUDA part handles, and the paths matching EXCLUDE_REGEX,
# which the module builds as libraries of their own). Include paths are relative to the repo root
# ("graders/verdict.h"); which modules may be included is checked by tests/arrows.
function(r1eval_module name dir)
  cmake_parse_arguments(M "" "EXCLUDE_REGEX" "LINKS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${dir}/*.cpp")
  if(M_EXCLUDE_REGEX AND srcs)
    list(FILTER srcs EXCLUDE REGEX "${M_EXCLUDE_REGEX}")
  endif()
  if(srcs)
    add_library(${name} STATIC ${srcs})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PUBLIC ${M_LINKS} PRIVATE r1eval_warnings)
  else()  # header-only so far
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} INTERFACE ${M_LINKS})
  endif()
endfunction()
