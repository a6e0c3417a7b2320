#!/usr/bin/env python3
"""Checks the core library's rooms against the rule in src/lib/README.md.

The rooms and what each may use are declared once, in src/lib/CMakeLists.txt
(`aloud_room(NAME DEPENDS ...)`); the build already refuses an upward include
because a room sees only its own folder and the folders of the rooms below
it. This test says the same from the sources, naming the file and line:

- a file in a room includes only headers of its own room, of the rooms it
  depends on (directly or through them), the public header and system headers;
- the public header include/aloud.h includes no header of ours;
- the command line (src/cli) includes the public header and its own only;
- no two modules (a .c and its .h) include each other, directly or round a
  longer loop;
- espeak-ng's header is included by exactly one file;
- src/lib/README.md's table names the same rooms with the same dependencies.

    check_rooms.py [SOURCE_DIR]     check the tree (default: this checkout)
    check_rooms.py --self-test      plant each kind of fault in a copy; each must be found
"""
import os
import re
import shutil
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
ROOM = re.compile(r'^aloud_room\((\w+)([^)]*)\)', re.M)


def rooms_of(src):
    """{room: set of direct dependencies}, from src/lib/CMakeLists.txt."""
    text = open(os.path.join(src, "src/lib/CMakeLists.txt")).read()
    rooms = {}
    for name, rest in ROOM.findall(text):
        words = rest.split()
        deps = set()
        if "DEPENDS" in words:
            for w in words[words.index("DEPENDS") + 1:]:
                if w.isupper():
                    break
                deps.add(w)
        rooms[name] = deps
    return rooms


def closure(rooms):
    """{room: every room it may use, itself included}."""
    out = {}
    for r in rooms:
        seen, todo = {r}, [r]
        while todo:
            for d in rooms.get(todo.pop(), ()):
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        out[r] = seen
    return out


def sources(folder):
    for name in sorted(os.listdir(folder)):
        if name.endswith((".c", ".cc", ".h")):
            yield os.path.join(folder, name)


def includes(path):
    """[(line, kind, header)] of a file; kind is '"' or '<'."""
    text = open(path, encoding="utf-8").read()
    return [(text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2))
            for m in INCLUDE.finditer(text)]


def check(src):
    faults = []
    rooms = rooms_of(src)
    if not rooms:
        return ["src/lib/CMakeLists.txt: no aloud_room() found"]
    may = closure(rooms)
    lib = os.path.join(src, "src/lib")
    home = {}  # header name -> room
    for r in rooms:
        if not os.path.isdir(os.path.join(lib, r)):
            faults.append("src/lib/%s: a room in CMakeLists.txt without a folder" % r)
            continue
        for path in sources(os.path.join(lib, r)):
            if path.endswith(".h"):
                home[os.path.basename(path)] = r
    for entry in sorted(os.listdir(lib)):
        if os.path.isdir(os.path.join(lib, entry)) and entry not in rooms:
            faults.append("src/lib/%s: a folder that is no room of CMakeLists.txt" % entry)
        elif entry.endswith((".c", ".cc", ".h")):
            faults.append("src/lib/%s: a source outside every room" % entry)

    def rel(path):
        return os.path.relpath(path, src)

    graph = {}  # module (path without extension) -> modules it includes
    for r in rooms:
        folder = os.path.join(lib, r)
        if not os.path.isdir(folder):
            continue
        for path in sources(folder):
            module = os.path.splitext(path)[0]
            for line, kind, header in includes(path):
                if kind != '"' or header == "aloud.h":
                    continue
                owner = home.get(os.path.basename(header))
                if owner is None:
                    faults.append("%s:%d: includes \"%s\", a header of no room" % (rel(path), line, header))
                elif owner not in may[r]:
                    faults.append("%s:%d: room %s includes \"%s\" of room %s, which it may not use"
                                  % (rel(path), line, r, header, owner))
                else:
                    target = os.path.join(lib, owner, os.path.splitext(header)[0])
                    if target != module:
                        graph.setdefault(module, set()).add(target)

    public = os.path.join(src, "include/aloud.h")
    for line, kind, header in includes(public):
        if kind == '"':
            faults.append("include/aloud.h:%d: the public header includes \"%s\"" % (line, header))

    cli = os.path.join(src, "src/cli")
    own = {os.path.basename(p) for p in sources(cli) if p.endswith(".h")}
    for path in sources(cli):
        module = os.path.splitext(path)[0]
        for line, kind, header in includes(path):
            if kind != '"' or header == "aloud.h":
                continue
            if header not in own:
                faults.append("%s:%d: the command line includes \"%s\"; it may use aloud.h only"
                              % (rel(path), line, header))
            elif os.path.join(cli, os.path.splitext(header)[0]) != module:
                graph.setdefault(module, set()).add(os.path.join(cli, os.path.splitext(header)[0]))

    # A loop of modules including each other: depth-first search for a back edge.
    state = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                loop = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                faults.append("include cycle: " + " -> ".join(rel(m) for m in loop))
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])

    espeak = []
    for folder, _, files in os.walk(os.path.join(src, "src")):
        for name in files:
            if name.endswith((".c", ".cc", ".h")):
                path = os.path.join(folder, name)
                if any(h.startswith("espeak-ng/") for _, _, h in includes(path)):
                    espeak.append(rel(path))
    if len(espeak) != 1:
        faults.append("espeak-ng's header is included by %d files (%s); it must be one"
                      % (len(espeak), ", ".join(espeak) or "none"))

    readme = os.path.join(lib, "README.md")
    if not os.path.exists(readme):
        faults.append("src/lib/README.md: missing; it writes the rule down")
    else:
        table = {}
        for m in re.finditer(r"^\|\s*`(\w+)/`\s*\|\s*([^|]*)\|", open(readme).read(), re.M):
            table[m.group(1)] = set(re.findall(r"`(\w+)/`", m.group(2)))
        if table != rooms:
            faults.append("src/lib/README.md: its table of rooms %s differs from CMakeLists.txt %s"
                          % (sorted(table.items()), sorted(rooms.items())))
    return faults


def plant(src, work, path, text):
    """A copy of the tree's src/, include/ with `text` appended to `path`."""
    dst = os.path.join(work, "tree")
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(os.path.join(src, "src"), os.path.join(dst, "src"))
    shutil.copytree(os.path.join(src, "include"), os.path.join(dst, "include"))
    with open(os.path.join(dst, path), "a") as f:
        f.write(text)
    return dst


def self_test(src):
    """Each planted fault must be reported; the tree as it is must be clean."""
    failures = 0
    clean = check(src)
    if clean:
        print("self-test needs a clean tree; it is not:\n  " + "\n  ".join(clean))
        return 1
    cases = [
        ("a lower room includes a higher one", "src/lib/text/seg.c", '#include "pool.h"\n',
         "room text includes"),
        ("the ground floor includes the text room", "src/lib/base/vec.h", '#include "seg.h"\n',
         "room base includes"),
        ("two modules include each other", "src/lib/spoken/lexicon.h", '#include "speak.h"\n',
         "include cycle"),
        ("the command line includes a private header", "src/cli/cli_run.c", '#include "seg.h"\n',
         "may use aloud.h only"),
        ("the public header includes a private one", "include/aloud.h", '#include "vec.h"\n',
         "the public header includes"),
        ("a second file includes espeak-ng", "src/lib/speech/pool.c",
         "#include <espeak-ng/speak_lib.h>\n", "included by 2 files"),
    ]
    with tempfile.TemporaryDirectory() as work:
        for what, path, text, expect in cases:
            tree = plant(src, work, path, text)
            shutil.copy(os.path.join(src, "src/lib/README.md"), os.path.join(tree, "src/lib/README.md"))
            found = check(tree)
            if not any(expect in f for f in found):
                failures += 1
                print("FAIL: %s was not found (got %s)" % (what, found))
            else:
                print("ok: %s is found" % what)
    return 1 if failures else 0


def main():
    args = sys.argv[1:]
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    if args and args[0] == "--self-test":
        sys.exit(self_test(args[1] if len(args) > 1 else src))
    faults = check(args[0] if args else src)
    for f in faults:
        print(f)
    if faults:
        print("%d fault(s) against the rule in src/lib/README.md" % len(faults))
        sys.exit(1)
    print("rooms: every include follows src/lib/README.md")


if __name__ == "__main__":
    main()
