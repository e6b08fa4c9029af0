# r1eval_module(NAME DIR [LINKS ...]): a module library from the .cpp files under DIR (recursively,
# excluding *.cu which the CUDA part handles). Include paths are relative to the repo root
# ("graders/verdict.h"); which modules may be included is checked by tests/arrows.
function(r1eval_module name dir)
  cmake_parse_arguments(M "" "" "LINKS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS "${dir}/*.cpp")
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
