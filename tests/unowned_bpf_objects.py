#!/usr/bin/env python3
"""BPF objects that a test created and that nothing holds any more.

  unowned_bpf_objects.py mark
      prints the highest program, link and map ids now: "PROG LINK MAP"
  unowned_bpf_objects.py check PROG LINK MAP SECONDS
      looks, for up to SECONDS, at the objects newer than those ids, and
      fails (exit 1, one line per object) if some of them were held by
      nothing in every look; prints the counts of new objects it saw.

Other tests run at the same time and load their own objects, so totals
are no measure.  Instead each new object must be held: by a process's
descriptor (/proc/*/fdinfo names prog_id, map_id, link_id), by a pin in
a BPF file system, by a held link (its program) or a live program (its
maps), or by an attachment that needs no link: a tc filter or an XDP
program in some network namespace (bpftool net show in each).  An object
being freed (after an RCU grace period) or one another test is just
setting up is unheld for a moment only, hence the repeated looks: what
stays unheld throughout has leaked.
"""
import glob
import json
import subprocess
import sys
import time


def bpftool(*args, netns=None):
    cmd = ["bpftool", "-j", "-f"] + list(args)
    if netns:
        cmd = ["ip", "netns", "exec", netns] + cmd
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout
        return json.loads(out) if out.strip() else []
    except (subprocess.SubprocessError, json.JSONDecodeError):
        return []


def ids_in(tree, key="id"):
    found = set()
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == key and isinstance(v, int):
                found.add(v)
            else:
                found |= ids_in(v, key)
    elif isinstance(tree, list):
        for v in tree:
            found |= ids_in(v, key)
    return found


def held_by_descriptors():
    held = {"prog": set(), "map": set(), "link": set()}
    for path in glob.glob("/proc/[0-9]*/fdinfo/*"):
        try:
            with open(path) as f:
                text = f.read()
        except OSError:
            continue
        for line in text.splitlines():
            key, _, value = line.partition(":")
            kind = {"prog_id": "prog", "map_id": "map", "link_id": "link"}.get(key)
            if kind and value.strip().isdigit():
                held[kind].add(int(value))
    return held


def attached_without_link():
    try:
        names = subprocess.run(["ip", "netns", "list"], capture_output=True,
                               text=True, timeout=30).stdout.split("\n")
    except subprocess.SubprocessError:
        names = []
    progs = ids_in(bpftool("net", "show"))
    for line in names:
        if line.strip():
            progs |= ids_in(bpftool("net", "show", netns=line.split()[0]))
    return progs


def look(marks):
    progs = bpftool("prog", "show")
    links = bpftool("link", "show")
    maps = bpftool("map", "show")
    held = held_by_descriptors()
    new = {
        "prog": {p["id"]: p for p in progs if p.get("id", 0) > marks[0]},
        "link": {l["id"]: l for l in links if l.get("id", 0) > marks[1]},
        "map": {m["id"]: m for m in maps if m.get("id", 0) > marks[2]},
    }
    for kind, objects in (("prog", progs), ("link", links), ("map", maps)):
        held[kind] |= {o["id"] for o in objects if o.get("pinned")}
    for l in links:
        if l["id"] in held["link"] and "prog_id" in l:
            held["prog"].add(l["prog_id"])
    held["prog"] |= attached_without_link()
    for p in progs:
        if p["id"] in held["prog"]:
            held["map"] |= set(p.get("map_ids", []))
    unheld = set()
    for kind, objects in new.items():
        for i, o in objects.items():
            if i not in held[kind]:
                unheld.add((kind, i, o.get("name", o.get("type", "?"))))
    return unheld, {k: len(v) for k, v in new.items()}


def main():
    if sys.argv[1:2] == ["mark"]:
        print(max(ids_in(bpftool("prog", "show")) | {0}),
              max(ids_in(bpftool("link", "show")) | {0}),
              max(ids_in(bpftool("map", "show")) | {0}))
        return 0
    marks = [int(x) for x in sys.argv[2:5]]
    deadline = time.monotonic() + float(sys.argv[5])
    always_unheld = None
    while True:
        unheld, counts = look(marks)
        always_unheld = unheld if always_unheld is None else always_unheld & unheld
        if not always_unheld or time.monotonic() > deadline:
            break
        time.sleep(1)
    print("objects newer than the mark: %d programs, %d links, %d maps; held by nothing: %d"
          % (counts["prog"], counts["link"], counts["map"], len(always_unheld)))
    for kind, i, name in sorted(always_unheld):
        print("unheld %s %d %s" % (kind, i, name))
    return 1 if always_unheld else 0


if __name__ == "__main__":
    sys.exit(main())
