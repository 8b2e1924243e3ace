# The one-way arrows between seglog's rooms (README "Architecture"), checked from the #include
# lines of every source file. Include paths cannot enforce them (every room sees the tree's root),
# so this reads each quoted include and fails, naming file, line and arrow, when a room includes
# a header of a room it may not use.
#
#   cmake -DROOT=<source dir> -P tests/layering.cmake        (ctest `layering`)
#
# A room may use itself and the rooms listed for it; the checked folders are the production code
# (tests/, bench/ and examples/ may use everything). A source file directly under engine/ (no
# room) or an include of an unknown top-level folder fails as well.
cmake_minimum_required(VERSION 3.25)
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source dir> -P layering.cmake")
endif()

set(USES_format "")
set(USES_io "format")
set(USES_engine/log "format;io")
set(USES_engine/streams "format;io;engine/log")
set(USES_engine/queues "format;io;engine/log")
set(USES_engine/topics "format;io;engine/log;engine/queues")
set(USES_engine/inspect "format;io;engine/log")
set(USES_engine/repair "format;io;engine/log;engine/inspect;engine/queues")
set(USES_engine/capi "format;io;engine/log;engine/streams;engine/queues;engine/topics;include")
set(USES_tools "format;io;engine/log;engine/inspect;engine/repair")
set(USES_server "format;io;engine/log;engine/streams;engine/queues;engine/topics")
set(ROOMS format io engine/log engine/streams engine/queues engine/topics engine/inspect engine/repair
  engine/capi tools server)

# The room of a path relative to ROOT ("engine/log/log.h" -> "engine/log"); "" when none.
function(room_of path out)
  set(r "")
  foreach(room ${ROOMS})
    string(LENGTH "${room}/" n)
    string(SUBSTRING "${path}" 0 ${n} head)
    if(head STREQUAL "${room}/")
      set(r "${room}")
    endif()
  endforeach()
  set(${out} "${r}" PARENT_SCOPE)
endfunction()

# The room an include names: a path under a room, or the public header (room "include").
function(included_room inc out)
  if(inc STREQUAL "seglog.h")
    set(${out} "include" PARENT_SCOPE)
    return()
  endif()
  room_of("${inc}" r)
  if(r STREQUAL "")
    set(r "?${inc}")  # tests/..., bench/..., a flat engine/ header, an unknown folder
  endif()
  set(${out} "${r}" PARENT_SCOPE)
endfunction()

set(violations 0)
set(checked 0)
file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/format/*" "${ROOT}/io/*" "${ROOT}/engine/*"
  "${ROOT}/tools/*" "${ROOT}/server/*")
foreach(f ${files})
  if(NOT f MATCHES "\\.(h|cc|c|hpp|cpp)$")
    continue()
  endif()
  room_of("${f}" from)
  if(from STREQUAL "")
    message(SEND_ERROR "${f}: not in a room (engine code lives in engine/<room>/)")
    math(EXPR violations "${violations} + 1")
    continue()
  endif()
  math(EXPR checked "${checked} + 1")
  file(STRINGS "${ROOT}/${f}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line ${lines})
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*)\".*$" "\\1" inc "${line}")
    included_room("${inc}" to)
    if(to STREQUAL from)
      continue()
    endif()
    list(FIND USES_${from} "${to}" allowed)
    if(allowed EQUAL -1)
      message(SEND_ERROR "${f}: includes \"${inc}\": ${from} may not use ${to}"
        " (it may use: ${USES_${from}})")
      math(EXPR violations "${violations} + 1")
    endif()
  endforeach()
endforeach()

if(checked EQUAL 0)
  message(FATAL_ERROR "layering: no source files found under ${ROOT}")
endif()
if(violations GREATER 0)
  message(FATAL_ERROR "layering: ${violations} include(s) against the arrows")
endif()
message(STATUS "layering: ${checked} files, every include follows the arrows")
