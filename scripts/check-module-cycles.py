#!/usr/bin/env python3
"""Fails when two modules of a crate use each other (run by check-architecture.sh).

usage: check-module-cycles.py CRATE_DIR...

A module is a file under CRATE_DIR/src (`main.rs`/`lib.rs` is the root, `a/b.rs` and
`a/b/mod.rs` are `a::b`; `src/bin/` holds other crates and is skipped). A file uses a
module when it names a path into it with `crate::` or `super::` (`use crate::commands;`,
`crate::commands::run(..)`, `use super::{schedule::Step, ..}`), resolved to the deepest
module file the path reaches. Two modules that use each other, neither inside the other,
form a cycle: one of them should take what it needs as a parameter, or the shared piece
should move to a module of its own. A module and its parent may use each other: a child
sees its parent's items, and that is no cycle. Comments are ignored; `super::` inside an
inline module (`mod tests { use super::*; }`) is read as the file's, which only matters
if a test names a sibling module.
"""

import os
import re
import sys
from pathlib import Path

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
START = re.compile(r"\b(crate|super)::")


def module_of(src: Path, file: Path) -> tuple:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] == "mod" or (len(parts) == 1 and parts[0] in ("main", "lib")):
        parts = parts[:-1]
    return tuple(parts)


def paths_at(text: str, i: int) -> tuple:
    """Parses a use tree at text[i:]: `a::b`, `a::{b, c::d}`, `*`; returns (paths, end)."""
    while i < len(text) and text[i].isspace():
        i += 1
    if text.startswith("{", i):
        paths, i = [], i + 1
        while True:
            while i < len(text) and text[i] in " \t\n,":
                i += 1
            if i >= len(text) or text[i] == "}":
                return paths, i + 1
            inner, j = paths_at(text, i)
            if j == i:  # not a path: give up on this group
                return paths, i
            paths += inner
            i = j
    if text.startswith("*", i):
        return [[]], i + 1
    word = IDENT.match(text, i)
    if not word:
        return [[]], i
    i = word.end()
    if text.startswith("::", i):
        rest, i = paths_at(text, i + 2)
        return [[word.group()] + r for r in rest], i
    return [[word.group()]], i


def uses(text: str, here: tuple) -> list:
    """(absolute module path, line) of every crate::/super:: path in a file of module `here`."""
    found = []
    for start in START.finditer(text):
        line = text.count("\n", 0, start.start()) + 1
        base = [] if start.group(1) == "crate" else list(here[:-1])
        for path in paths_at(text, start.end())[0]:
            absolute = list(base)
            for segment in path:
                if segment == "super":
                    absolute = absolute[:-1]
                elif segment != "self":
                    absolute.append(segment)
            found.append((tuple(absolute), line))
    return found


def deepest_module(path: tuple, modules: set) -> tuple:
    for length in range(len(path), -1, -1):
        if path[:length] in modules:
            return path[:length]
    return ()


def cycles(crate: Path) -> list:
    src = crate / "src"
    files = {
        module_of(src, f): f
        for f in sorted(src.rglob("*.rs"))
        if "bin" not in f.relative_to(src).parts[:1]
    }
    modules = set(files)
    edges = {}  # (from, to) -> line
    for here, file in files.items():
        text = re.sub(r"//[^\n]*", "", file.read_text(encoding="utf-8"))
        for path, line in uses(text, here):
            there = deepest_module(path, modules)
            inside = here[: len(there)] == there or there[: len(here)] == here
            if not inside:
                edges.setdefault((here, there), line)
    def name(module: tuple) -> str:
        return os.path.relpath(files[module])

    found = []
    for (a, b), line in sorted(edges.items()):
        if a < b and (b, a) in edges:
            found.append(
                f"module cycle: {name(a)}:{line} uses {name(b)}, "
                f"and {name(b)}:{edges[(b, a)]} uses {name(a)}"
            )
    return found


def main() -> int:
    problems = []
    for crate in sys.argv[1:]:
        problems += cycles(Path(crate).resolve())
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
