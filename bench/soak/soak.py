#!/usr/bin/env python3
"""The soak loop of bench/soak: commits, API clients, faults and samples, for DURATION seconds.

    soak.py WORK DURATION FAULT_EVERY CLIENTS RECONCILER_URL SERVER_URL TOKEN FAULTS

WORK is bench/soak's folder: WORK/work is a clone of the served repository (manifests/ holds
the datasets), WORK/pids names the processes sampled (name pid, one a line, re-read at each
sample: a fault may restart one), WORK/fault-NAME.sh injects fault NAME. Every second a commit
adds, edits or deletes datasets (mixed) and is pushed; CLIENTS threads read the API without a
pause; every FAULT_EVERY seconds the next of FAULTS (comma separated) runs. Writes WORK/soak.json:
commits, converge latencies (seconds from push to the source applying that commit or a later
one) by minute, API errors by kind, samples of RSS and open descriptors, the faults and when.
"""
import collections
import json
import os
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

work, duration, fault_every, clients, rbase, sbase, token, faults = sys.argv[1:9]
duration, fault_every, clients = float(duration), float(fault_every), int(clients)
faults = [f for f in faults.split(",") if f and f != "none"]
tree = os.path.join(work, "work")
random.seed(21)
stop = threading.Event()
lock = threading.Lock()
pushed = []          # (commit, monotonic push time)
latencies = []       # (monotonic time applied, seconds)
errors = collections.Counter()
requests = collections.Counter()
samples = []
fault_log = []
start = time.monotonic()


def git(*args):
    return subprocess.run(
        ["git", "-C", tree, "-c", "user.name=soak", "-c", "user.email=soak@example.com", *args],
        check=True, capture_output=True, text=True).stdout.strip()


def dataset(name, revision):
    return (f"apiVersion: datapilot.io/v1alpha1\nkind: Dataset\nmetadata: {{name: {name}, labels: {{soak: \"yes\"}}}}\n"
            f"spec: {{format: csv, owner: soak@example.com, description: revision {revision}}}\n")


def committer():
    folder = os.path.join(tree, "manifests")
    live = sorted(f[:-5] for f in os.listdir(folder) if f.endswith(".yaml"))
    serial = len(live)
    n = 0
    while not stop.is_set():
        tick = time.monotonic()
        n += 1
        # Mixed: two edits, one add, and one delete when there are more than 50.
        for name in random.sample(live, min(2, len(live))):
            open(os.path.join(folder, name + ".yaml"), "w").write(dataset(name, n))
        serial += 1
        name = f"soak-{serial:06d}"
        open(os.path.join(folder, name + ".yaml"), "w").write(dataset(name, n))
        live.append(name)
        if len(live) > 50:
            gone = live.pop(random.randrange(len(live) - 1))
            os.remove(os.path.join(folder, gone + ".yaml"))
        try:
            git("add", "-A")
            git("commit", "-qm", f"soak {n}")
            git("push", "-q", "origin", "main")
            with lock:
                pushed.append((git("rev-parse", "HEAD"), time.monotonic()))
        except subprocess.CalledProcessError as error:
            with lock:
                errors["git push: " + (error.stderr or "").strip().splitlines()[-1][:80] if error.stderr else "git push"] += 1
        stop.wait(max(0.0, 1.0 - (time.monotonic() - tick)))


def applied():
    try:
        with urllib.request.urlopen(rbase + "/status", timeout=5) as response:
            status = json.load(response)
        return (status["sources"][0].get("lastAppliedCommit") or "") if status["sources"] else ""
    except Exception:
        return None


def watcher():
    seen = 0  # index in pushed of the first commit not yet applied
    while not stop.is_set() or seen < len(pushed):
        head = applied()
        now = time.monotonic()
        if head:
            with lock:
                index = next((i for i in range(len(pushed) - 1, seen - 1, -1) if pushed[i][0] == head), None)
                if index is not None:
                    for commit, at in pushed[seen:index + 1]:
                        latencies.append((now, now - at))
                    seen = index + 1
        if stop.is_set() and now > drain_deadline[0]:
            break
        time.sleep(0.1)


drain_deadline = [float("inf")]


def client(number):
    paths = ["/api/datasets?page_size=100", "/api/datasets?labelSelector=soak%3Dyes&page_size=20", "/api/audit/events?page_size=20",
             "/readyz"]
    while not stop.is_set():
        path = random.choice(paths)
        request = urllib.request.Request(sbase + path, headers={"Authorization": "Bearer " + token})
        kind = None
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                response.read()
        except urllib.error.HTTPError as error:
            kind = f"HTTP {error.code}"
        except Exception as error:
            kind = type(error).__name__
        with lock:
            requests[path.split("?")[0]] += 1
            if kind:
                errors["API " + kind] += 1
        if kind:
            time.sleep(0.2)


def sample():
    row = {"t": round(time.monotonic() - start, 1)}
    for line in open(os.path.join(work, "pids")):
        name, pid = line.split()
        try:
            status = {l.split(":")[0]: l.split()[1] for l in open(f"/proc/{pid}/status") if l.startswith(("VmRSS:", "RssAnon:", "RssFile:"))}
            rss = int(status["VmRSS"])
            # Where the memory is: the heap (anonymous) or mapped files (libgit2 maps its packs).
            packs = sum(1 for l in open(f"/proc/{pid}/maps") if l.rstrip().endswith((".pack", ".idx")))
            kinds = collections.Counter()
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                kinds[target.split(":")[0] if ":" in target and not target.startswith("/") else "file"] += 1
            row[name] = {"pid": int(pid), "rss_kib": rss, "fds": sum(kinds.values()), "kinds": dict(kinds),
                         "anon_kib": int(status.get("RssAnon", 0)), "file_kib": int(status.get("RssFile", 0)), "pack_maps": packs}
        except (OSError, StopIteration, KeyError):
            row[name] = None
    samples.append(row)


threads = [threading.Thread(target=committer), threading.Thread(target=watcher)]
threads += [threading.Thread(target=client, args=(i,)) for i in range(clients)]
sample()
for thread in threads:
    thread.start()
next_fault = start + fault_every
next_sample = start + 10
index = 0
while time.monotonic() - start < duration:
    now = time.monotonic()
    if faults and now >= next_fault:
        name = faults[index % len(faults)]
        index += 1
        began = time.monotonic() - start
        outcome = subprocess.run(["bash", os.path.join(work, f"fault-{name}.sh")], capture_output=True, text=True)
        fault_log.append({"fault": name, "at": round(began, 1), "seconds": round(time.monotonic() - start - began, 1),
                          "status": outcome.returncode, "stderr": outcome.stderr[-300:]})
        next_fault = time.monotonic() + fault_every
    if now >= next_sample:
        sample()
        next_sample = now + 10
    time.sleep(0.1)
stop.set()
drain_deadline[0] = time.monotonic() + 120
for thread in threads:
    thread.join()
sample()
final_head = git("rev-parse", "HEAD")
json.dump({
    "duration": duration, "commits": len(pushed), "head": final_head, "applied": applied(),
    "latencies": [[round(t - start, 2), round(s, 3)] for t, s in latencies],
    "unconverged": len(pushed) - len(latencies), "errors": dict(errors), "requests": dict(requests),
    "samples": samples, "faults": fault_log,
}, open(os.path.join(work, "soak.json"), "w"), indent=1)
