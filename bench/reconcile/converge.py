#!/usr/bin/env python3
"""Commit -> converged latency for bench/reconcile: one process for the whole loop, so that no
process start (curl, a Python per poll) sits between the webhook and the check.

    converge.py WORKTREE FILE FIRST LAST RECONCILER_URL SOURCE SECRET_FILE OUT

For each i in FIRST..LAST: rewrites dataset 7's description in FILE (inside WORKTREE), commits
and pushes, then posts a signed webhook to RECONCILER_URL/hooks/SOURCE and reads /status every
10 ms until the source's lastAppliedCommit is the pushed one; appends the seconds from the
webhook to that, one a line, to OUT.
"""
import hashlib
import hmac
import json
import re
import subprocess
import sys
import time
import urllib.request

work, file, first, last, base, source, secret_file, out = sys.argv[1:9]
secret = open(secret_file, "rb").read().strip()


def git(*args):
    return subprocess.run(
        ["git", "-C", work, "-c", "user.name=bench", "-c", "user.email=bench@example.com", *args],
        check=True, capture_output=True, text=True).stdout.strip()


def hook(n):
    body = json.dumps({"n": n}).encode()
    stamp = str(int(time.time()))
    signature = hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(
        f"{base}/hooks/{source}", data=body, method="POST",
        headers={"X-DataPilot-Timestamp": stamp, "X-DataPilot-Signature": "sha256=" + signature})
    urllib.request.urlopen(request, timeout=30).read()


def applied():
    with urllib.request.urlopen(f"{base}/status", timeout=30) as response:
        status = json.load(response)
    for entry in status["sources"]:
        if entry["name"] == source:
            return entry.get("lastAppliedCommit") or ""
    return ""


pattern = re.compile(r"description: .*dataset 7 for.*")
with open(out, "a") as results:
    for i in range(int(first), int(last) + 1):
        path = f"{work}/{file}"
        text = open(path).read()
        open(path, "w").write(pattern.sub(f"description: Revision {i} of dataset 7 for the apply benchmark", text, count=1))
        git("commit", "-qam", f"revision {i}")
        git("push", "-q", "origin", "main")
        head = git("rev-parse", "HEAD")
        start = time.monotonic()
        hook(i)
        deadline = start + 300
        while applied() != head:
            if time.monotonic() > deadline:
                sys.exit(f"commit {head} not applied within 300 s")
            time.sleep(0.01)
        results.write("%.4f\n" % (time.monotonic() - start))
        results.flush()
