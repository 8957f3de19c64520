# cmake/libslirp.cmake - libslirp built from source with usernetd's patches,
# as the static library usernetslirp (included by CMakeLists.txt when
# USERNETD_SLIRP_SOURCE names a source tree).
#
# At configure time the pristine tree is copied into BUILD/libslirp and
# patches/libslirp/*.patch are applied there in file-name order (patch
# -p1 -N -f: a patch that does not apply, or looks applied already, stops
# the configuration); the copy is made again only when the tree's path, a
# patch or this file changes (BUILD/libslirp.stamp holds their hashes),
# and every file of a new copy is touched so that nothing compiled from
# the old one survives.
# meson is not needed: libslirp-version.h is generated here from its .in,
# and the library is compiled as libslirp's meson.build compiles it
# (G_LOG_DOMAIN "Slirp", glib, HAVE_VALGRIND when valgrind's header is
# there), without its warnings (not our code) and with hidden visibility;
# only its API stays global (below). The sanitizer flags of USERNETD_SANITIZE apply to it like to our code.
# tests/fuzz/run.sh compiles the same patched tree with the fuzzing flags.
#
# Sets SLIRP_LIB, SLIRP_INCLUDE (a directory holding slirp/libslirp.h),
# USERNETD_SLIRP_CHOICE (CMake's message) and USERNETD_SLIRP_FROM and
# USERNETD_SLIRP_PATCHES (for the start-up line).

set(slirp_src "${USERNETD_SLIRP_SOURCE}")
if(NOT EXISTS "${slirp_src}/src/tcp_input.c" OR
   NOT EXISTS "${slirp_src}/src/libslirp-version.h.in" OR
   NOT EXISTS "${slirp_src}/meson.build")
  message(FATAL_ERROR "USERNETD_SLIRP_SOURCE=${slirp_src}: no libslirp "
          "source tree there (src/tcp_input.c, src/libslirp-version.h.in, "
          "meson.build)")
endif()
find_program(USERNETD_PATCH_EXECUTABLE patch)
if(NOT USERNETD_PATCH_EXECUTABLE)
  message(FATAL_ERROR "patch(1) is needed to build libslirp from source")
endif()

# The patches, in file-name order; adding, removing or editing one
# configures again.
file(GLOB slirp_patches CONFIGURE_DEPENDS
     "${CMAKE_SOURCE_DIR}/patches/libslirp/*.patch")
list(SORT slirp_patches)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS
             ${slirp_patches} "${slirp_src}/meson.build")
# (and this file's: how the copy is made)
file(SHA256 "${CMAKE_CURRENT_LIST_FILE}" h)
set(slirp_key "source ${slirp_src}\nrecipe ${h}")
set(USERNETD_SLIRP_PATCHES "")
foreach(p ${slirp_patches})
  file(SHA256 "${p}" h)
  get_filename_component(name "${p}" NAME)
  string(REGEX REPLACE "\\.patch$" "" name "${name}")
  string(APPEND slirp_key "\n${name} ${h}")
  list(APPEND USERNETD_SLIRP_PATCHES "${name}")
endforeach()
string(REPLACE ";" " " USERNETD_SLIRP_PATCHES "${USERNETD_SLIRP_PATCHES}")

# The patched copy, made again when the key changed.
set(slirp_dir "${CMAKE_BINARY_DIR}/libslirp")
set(slirp_stamp "${CMAKE_BINARY_DIR}/libslirp.stamp")
set(slirp_old "")
if(EXISTS "${slirp_stamp}")
  file(READ "${slirp_stamp}" slirp_old)
endif()
if(NOT slirp_old STREQUAL slirp_key OR NOT EXISTS "${slirp_dir}/src/tcp_input.c")
  message(STATUS "libslirp: copying ${slirp_src}, applying "
          "${CMAKE_SOURCE_DIR}/patches/libslirp: ${USERNETD_SLIRP_PATCHES}")
  file(REMOVE "${slirp_stamp}")
  file(REMOVE_RECURSE "${slirp_dir}")
  file(COPY "${slirp_src}/" DESTINATION "${slirp_dir}"
       PATTERN ".git" EXCLUDE PATTERN ".pc" EXCLUDE)
  foreach(p ${slirp_patches})
    execute_process(COMMAND "${USERNETD_PATCH_EXECUTABLE}" -p1 -N -f -i "${p}"
                    WORKING_DIRECTORY "${slirp_dir}"
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "libslirp: ${p} does not apply to ${slirp_src}:\n"
              "${out}")
    endif()
  endforeach()
  # copied files keep their old times: touched, all of them are compiled
  # again, a file a removed patch had changed included
  file(GLOB_RECURSE slirp_files "${slirp_dir}/src/*")
  file(TOUCH_NOCREATE ${slirp_files})
  file(WRITE "${slirp_stamp}" "${slirp_key}")
endif()

# libslirp-version.h, as meson's configure_file() makes it: the version
# of meson.build's project(), or .tarball-version's where there is one.
file(STRINGS "${slirp_dir}/meson.build" slirp_line LIMIT_COUNT 1
     REGEX "^ *version *: *'[0-9]+\\.[0-9]+\\.[0-9]+'")
if(NOT slirp_line MATCHES "'(([0-9]+)\\.([0-9]+)\\.([0-9]+))'")
  message(FATAL_ERROR "libslirp: no version in ${slirp_src}/meson.build")
endif()
set(SLIRP_MAJOR_VERSION ${CMAKE_MATCH_2})
set(SLIRP_MINOR_VERSION ${CMAKE_MATCH_3})
set(SLIRP_MICRO_VERSION ${CMAKE_MATCH_4})
set(slirp_version ${CMAKE_MATCH_1})
if(EXISTS "${slirp_dir}/.tarball-version")
  file(STRINGS "${slirp_dir}/.tarball-version" slirp_version LIMIT_COUNT 1)
endif()
set(SLIRP_VERSION_STRING "\"${slirp_version}\"")
set(slirp_inc "${CMAKE_BINARY_DIR}/libslirp-include")
configure_file("${slirp_dir}/src/libslirp-version.h.in"
               "${slirp_inc}/slirp/libslirp-version.h" @ONLY)
configure_file("${slirp_dir}/src/libslirp.h"
               "${slirp_inc}/slirp/libslirp.h" COPYONLY)

# Compiled as an object library, then made one object whose only global
# symbols are libslirp's API (the names its libslirp.map exports, written
# to BUILD/libslirp.syms): its internals (tcp_input, tcp_output,
# tcp_close, ip_input, udp_init...) share names with lwIP's, and linked
# as they are they would take the calls our code makes to lwIP (the
# shared library built by meson hides them with the same map).
file(GLOB slirp_srcs "${slirp_dir}/src/*.c")
add_library(usernetslirp_objs OBJECT ${slirp_srcs})
set_target_properties(usernetslirp_objs PROPERTIES C_STANDARD 99)
if(NOT APPLE)
  # (ld64's -r makes the symbols it is not told to export hidden, then
  # local; compiled hidden, the API would be made local with them)
  set_target_properties(usernetslirp_objs PROPERTIES C_VISIBILITY_PRESET hidden)
endif()
# libslirp.h includes "libslirp-version.h" from its own directory
target_include_directories(usernetslirp_objs PRIVATE "${slirp_inc}/slirp"
                           "${slirp_dir}/src" ${GLIB_INCLUDE_DIRS})
target_compile_definitions(usernetslirp_objs PRIVATE "G_LOG_DOMAIN=\"Slirp\"")
include(CheckIncludeFile)
check_include_file(valgrind/valgrind.h USERNETD_HAVE_VALGRIND_H)
if(USERNETD_HAVE_VALGRIND_H)
  target_compile_definitions(usernetslirp_objs PRIVATE HAVE_VALGRIND=1)
endif()
# meson does not define _GNU_SOURCE for libslirp; our flags do
target_compile_options(usernetslirp_objs PRIVATE -w -U_GNU_SOURCE
                       ${GLIB_CFLAGS_OTHER})
if(USERNETD_SANITIZE)
  # UBSan's alignment check is off for libslirp's code alone (so is
  # tests/fuzz/run.sh), reported by the first inputs fuzz_net gave it: its
  # 4.4BSD code lays structs holding pointers over headers aligned to 4
  # bytes (struct ipasfrag in ip_input.c's reassembly, struct tcpiphdr in
  # tcp_input.c), which misbehaves with neither GCC nor clang on the targets
  # usernetd runs on. (The other finding, a signed shift in ip_icmp.c, is
  # our patch 0003.)
  target_compile_options(usernetslirp_objs PRIVATE -fno-sanitize=alignment)
endif()

file(STRINGS "${slirp_dir}/src/libslirp.map" slirp_lines
     REGEX "^[ \t]*[A-Za-z_][A-Za-z0-9_]*;")
set(slirp_api "")
foreach(line ${slirp_lines})
  string(REGEX MATCH "[A-Za-z_][A-Za-z0-9_]*" name "${line}")
  if(APPLE)
    # Mach-O names carry a leading underscore
    set(name "_${name}")
  endif()
  string(APPEND slirp_api "${name}\n")
endforeach()
file(WRITE "${CMAKE_BINARY_DIR}/libslirp.syms.tmp" "${slirp_api}")
configure_file("${CMAKE_BINARY_DIR}/libslirp.syms.tmp"
               "${CMAKE_BINARY_DIR}/libslirp.syms" COPYONLY)
set(slirp_obj "${CMAKE_BINARY_DIR}/libslirp.o")
if(APPLE)
  set(slirp_cmds COMMAND ld -r -exported_symbols_list
      "${CMAKE_BINARY_DIR}/libslirp.syms" -o "${slirp_obj}"
      "$<TARGET_OBJECTS:usernetslirp_objs>")
else()
  if(NOT CMAKE_OBJCOPY)
    message(FATAL_ERROR "objcopy is needed to build libslirp from source")
  endif()
  set(slirp_cmds
      COMMAND "${CMAKE_LINKER}" -r -o "${slirp_obj}.all"
              "$<TARGET_OBJECTS:usernetslirp_objs>"
      COMMAND "${CMAKE_OBJCOPY}"
              "--keep-global-symbols=${CMAKE_BINARY_DIR}/libslirp.syms"
              "${slirp_obj}.all" "${slirp_obj}")
endif()
add_custom_command(OUTPUT "${slirp_obj}" ${slirp_cmds}
                   DEPENDS usernetslirp_objs "$<TARGET_OBJECTS:usernetslirp_objs>"
                           "${CMAKE_BINARY_DIR}/libslirp.syms"
                   COMMAND_EXPAND_LISTS VERBATIM
                   COMMENT "libslirp.o: libslirp's API global, the rest local")
add_library(usernetslirp STATIC "${slirp_obj}")
set_source_files_properties("${slirp_obj}" PROPERTIES EXTERNAL_OBJECT TRUE
                            GENERATED TRUE)
set_target_properties(usernetslirp PROPERTIES LINKER_LANGUAGE C)
target_link_libraries(usernetslirp PUBLIC ${GLIB_LINK_LIBRARIES})
if(APPLE)
  target_link_libraries(usernetslirp PUBLIC resolv)
endif()

set(SLIRP_LIB usernetslirp)
set(SLIRP_INCLUDE "${slirp_inc}")
file(RELATIVE_PATH slirp_rel "${CMAKE_SOURCE_DIR}" "${slirp_src}")
if(slirp_rel MATCHES "^\\.\\./" OR IS_ABSOLUTE "${slirp_rel}")
  set(slirp_rel "${slirp_src}")
endif()
set(USERNETD_SLIRP_FROM "built from ${slirp_rel}")
if(USERNETD_SLIRP_PATCHES)
  set(USERNETD_SLIRP_CHOICE
      "${slirp_version} ${USERNETD_SLIRP_FROM}, patches: ${USERNETD_SLIRP_PATCHES}")
else()
  set(USERNETD_SLIRP_CHOICE "${slirp_version} ${USERNETD_SLIRP_FROM}, no patches")
endif()
