#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""posix_compile.py BUILD - compile every source that is not *_linux.c as
strict POSIX: -D_POSIX_C_SOURCE=200809L, no _GNU_SOURCE, -std=c11 (no GNU
extensions), warnings as errors. What compiles here uses no GNU-only call
and builds on macOS and the BSDs as far as the C library is concerned (a
file that needs more, e.g. _DARWIN_C_SOURCE, says so itself).
-D_XOPEN_SOURCE=700 too: macOS and the BSDs are XSI systems, and glibc
hides POSIX 2008's realpath(3) without it; calls POSIX 2008 dropped
(usleep) stay hidden.

The flags are the build's own (BUILD/compile_commands.json), so include
paths and definitions stay right; only the feature macros and the C
dialect change. Sources of the project only: lwIP's and libslirp's,
when they are built from source (outside the tree, in .deps/, or copied
into the build directory), are not ours."""
import json
import os
import shlex
import subprocess
import sys


def strict(args, src):
    """The build's command for @src, made strict and syntax-only."""
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a == src:
            continue
        if a in ("-D_GNU_SOURCE", "-w") or a.startswith("-std="):
            continue  # -w: packet/lwipport is built with lwIP's flags
        out.append(a)
    return out + ["-Wall", "-Wextra", "-Werror", "-std=c11", "-D_POSIX_C_SOURCE=200809L", "-D_XOPEN_SOURCE=700",
                  "-fsyntax-only",
                  src]


def main():
    build = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(build, "compile_commands.json")) as f:
        cmds = json.load(f)
    seen, failed = set(), 0
    for c in cmds:
        src = os.path.realpath(c["file"])
        rel = os.path.relpath(src, root)
        if rel.startswith(".") or rel.endswith("_linux.c") or src in seen:
            continue
        if src.startswith(os.path.realpath(build) + os.sep):
            continue  # copied into the build: libslirp's patched tree
        seen.add(src)
        args = c.get("arguments") or shlex.split(c["command"])
        r = subprocess.run(strict(args, c["file"]), cwd=c["directory"],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           universal_newlines=True)
        if r.returncode:
            failed += 1
            sys.stdout.write("FAIL %s\n%s" % (rel, r.stdout))
    print("%d sources compiled as strict POSIX, %d failed" %
          (len(seen), failed))
    return 1 if failed or not seen else 0


if __name__ == "__main__":
    sys.exit(main())
