#!/usr/bin/env python3
"""The peer for the `dpctl validate` benchmark: parse every manifest with PyYAML.

    python3 bench/validate/pyyaml_load.py DIR

Walks DIR recursively for *.yaml and *.yml files (the files `dpctl validate -R`
reads), parses each with yaml.load_all(f, Loader=yaml.CSafeLoader) -- PyYAML's
libyaml-backed C loader, its fastest -- and prints the number of documents.
This is parsing only: no schema checks, no reference resolution, so it is a
lower bound on what a Python validator would cost.

Exits 2 when PyYAML was built without libyaml (no CSafeLoader): timing the
pure-Python loader instead would make the comparison meaningless.
"""

import os
import sys

try:
    import yaml
except ImportError:
    sys.exit("pyyaml_load.py: PyYAML is not installed (pip install pyyaml)")

try:
    Loader = yaml.CSafeLoader
except AttributeError:
    sys.stderr.write("pyyaml_load.py: PyYAML %s has no CSafeLoader (built without libyaml); "
                     "refusing to benchmark the pure-Python loader\n" % yaml.__version__)
    sys.exit(2)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: pyyaml_load.py DIR")
    root = sys.argv[1]
    if not os.path.isdir(root):
        sys.exit("pyyaml_load.py: not a directory: %s" % root)
    files = docs = 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith((".yaml", ".yml")):
                continue
            files += 1
            with open(os.path.join(dirpath, name), "rb") as f:
                for doc in yaml.load_all(f, Loader=Loader):
                    if doc is not None:
                        docs += 1
    if files == 0:
        sys.exit("pyyaml_load.py: no *.yaml or *.yml files under %s" % root)
    print(docs)


if __name__ == "__main__":
    main()
