#!/usr/bin/env python3
"""Self and inclusive shares per function from `perf script -F pid,ip,sym,dso` (with call
chains) on stdin, for bench/profile: frames in our own release binaries, which this machine's
perf leaves unresolved, are named from the binary's symbol table (`nm`).

    perf script -i DATA --pid PIDS -F pid,ip,sym,dso | fold.py TOP | swift demangle --simplified
"""
import bisect
import collections
import re
import subprocess
import sys

top = int(sys.argv[1]) if len(sys.argv) > 1 else 40
tables = {}


def table(path):
    if path not in tables:
        addrs, names = [], []
        lines = []
        for dynamic in ([], ["-D"]):  # a stripped binary (Postgres) keeps only its dynamic symbols
            try:
                lines = subprocess.run(["nm", "-n", "--defined-only", *dynamic, path], capture_output=True, text=True).stdout.splitlines()
            except OSError:
                lines = []
            if lines:
                break
        for line in lines:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                addrs.append(int(parts[0], 16))
                names.append(parts[2])
        tables[path] = (addrs, names)
    return tables[path]


def name(ip, sym, dso):
    if sym != "[unknown]":
        return re.sub(r"\+0x[0-9a-f]+$", "", sym)
    if dso.startswith("/") and "[" not in dso:
        addrs, names = table(dso)
        i = bisect.bisect_right(addrs, int(ip, 16)) - 1
        if i >= 0:
            return names[i]
    return "?? " + dso.rsplit("/", 1)[-1]


frame = re.compile(r"^\s+([0-9a-f]+) (.*) \((.*)\)$")
own, incl, samples, chain = collections.Counter(), collections.Counter(), 0, []


def flush():
    global samples, chain
    if chain:
        samples += 1
        own[chain[0]] += 1
        for f in set(chain):
            incl[f] += 1
    chain = []


for line in sys.stdin:
    m = frame.match(line)
    if m:
        chain.append(name(*m.groups()))
    elif line.strip() == "" or not line.startswith((" ", "\t")):
        flush()
flush()
print(f"{samples} samples")
print("# self")
for f, n in own.most_common(top):
    print(f"{100 * n / samples:6.1f}%  {f}")
print("# inclusive (the function or anything it called)")
for f, n in incl.most_common(top * 3):
    print(f"{100 * n / samples:6.1f}%  {f}")
