"""bench/ui's seeding and timing: 10,000 datasets through the API, the audit log filled to
100,000 events (run.sh inserts them in SQL; the server's sealer chains them), then each UI page
and the JSON API route that feeds it, timed one request after another on kept-alive connections.

Usage: measure.py seed BASE KEY COUNT | measure.py pages BASE KEY RUNS
Prints a markdown table (pages) on stdout; progress on stderr."""

import http.client
import json
import re
import statistics
import sys
import threading
import time
import urllib.parse


def connection(base):
    url = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=300)


def request(conn, method, path, body=None, headers=None):
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    return response.status, response.getheaders(), data


def seed(base, key, count):
    """COUNT datasets, 8 clients at once."""
    names = [f"ds-{i:05d}" for i in range(count)]
    failures = []

    def worker(part):
        conn = connection(base)
        for name in part:
            body = json.dumps({"metadata": {"name": name, "labels": {"team": "bench", "shard": str(int(name[3:]) % 10)}},
                               "spec": {"owner": "bench@example.com", "format": "csv"}})
            status, _, data = request(conn, "POST", "/api/datasets", body,
                                      {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
            if status != 201:
                failures.append((name, status, data[:200]))
        conn.close()

    threads = [threading.Thread(target=worker, args=(names[i::8],)) for i in range(8)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        sys.exit(f"seeding failed: {failures[:3]}")
    print(f"{count} datasets in {time.monotonic() - started:.1f} s", file=sys.stderr)


def sign_in(base, key):
    conn = connection(base)
    status, headers, data = request(conn, "GET", "/ui/sign-in")
    cookie = next(v for k, v in headers if k.lower() == "set-cookie").split(";")[0]
    nonce = cookie.split("=", 1)[1]
    status, headers, _ = request(conn, "POST", "/ui/sign-in", urllib.parse.urlencode({"signin": nonce, "key": key}),
                                 {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 303:
        sys.exit(f"sign-in answered {status}")
    session = next(v for k, v in headers if k.lower() == "set-cookie" and v.startswith("dp_ui_session=")).split(";")[0]
    conn.close()
    return session


def timed(conn, path, headers, runs):
    """(p50 ms, p95 ms, bytes of the last answer) over RUNS requests after 3 warm-up ones."""
    times, size = [], 0
    for index in range(runs + 3):
        started = time.perf_counter()
        status, _, data = request(conn, "GET", path, headers=headers)
        elapsed = (time.perf_counter() - started) * 1000
        if status != 200 and not (status == 503 and path.startswith("/api/reconciler/")):
            sys.exit(f"{path} answered {status}: {data[:300]}")
        if index >= 3:
            times.append(elapsed)
        size = len(data)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)], size


COUNTS = [f"/api/{kind}?page_size=1&count=true" for kind in ("datasets", "datasetversions", "qualityrules", "experiments", "runs")]
PAGES = [
    ("Overview", "/ui/", ["/api/audit/verify?scope=since-checkpoint", "/api/reconciler/sources",
                          "/api/audit/events?action=sync&order=desc&page_size=200",
                          "/api/audit/events?action=drift-detected&order=desc&page_size=1000",
                          "/api/audit/events?action=drift-healed&order=desc&page_size=1000",
                          "/api/datasetversions?admission=Quarantined&page_size=10&count=true",
                          "/api/runs?state=RUNNING&page_size=10&count=true", "/api/runs?state=QUEUED&page_size=1&count=true",
                          *COUNTS, "/api/audit/events?order=desc&page_size=10"]),
    ("Datasets", "/ui/datasets", ["/api/datasets?page_size=25"]),
    ("Datasets, label filter", "/ui/datasets?label=shard%3D3", ["/api/datasets?page_size=25&label_selector=shard%3D3"]),
    ("A dataset", "/ui/datasets/ds-05000", ["/api/datasets/ds-05000"]),
    ("Audit", "/ui/audit", ["/api/audit/verify?scope=since-checkpoint", "/api/audit/events?order=desc&page_size=50"]),
    ("Audit, one resource", "/ui/audit?resource=dataset%2Fds-05000",
     ["/api/audit/verify?scope=since-checkpoint", "/api/audit/events?resource=dataset%2Fds-05000&order=desc&page_size=50"]),
    ("Audit, one hour", "/ui/audit?since=2000-01-01T00%3A00&until=2000-01-01T01%3A00",
     ["/api/audit/verify?scope=since-checkpoint",
      "/api/audit/events?since=2000-01-01T00%3A00%3A00Z&until=2000-01-01T01%3A00%3A00Z&order=desc&page_size=50"]),
    ("An audit event", "/ui/audit/50000", ["/api/audit/events/50000", "/api/audit/events/50001"]),
    ("Sources (no reconciler: from the audit log)", "/ui/sources",
     ["/api/reconciler/sources", "/api/audit/events?action=sync&order=desc&page_size=500"]),
    ("Drift", "/ui/drift", ["/api/audit/events?action=drift-detected&order=desc&page_size=1000",
                            "/api/audit/events?action=drift-healed&order=desc&page_size=1000"]),
    ("The whole chain, on demand", "/ui/audit/verify", ["/api/audit/verify"]),
]


def pages(base, key, runs):
    session = sign_in(base, key)
    conn = connection(base)
    assets = sum(timed(conn, path, {}, 1)[2] for path in ("/ui/static/ui.css", "/ui/static/ui.js"))
    rows = ["| page | p50 ms | p95 ms | HTML + CSS + JS | the API routes it reads | their p50 ms (sum) | their p95 ms (sum) |",
            "| --- | ---: | ---: | ---: | --- | ---: | ---: |"]
    for title, path, feeds in PAGES:
        p50, p95, size = timed(conn, path, {"Cookie": session}, runs)
        api50 = api95 = 0.0
        for feed in feeds:
            a50, a95, _ = timed(conn, feed, {"Authorization": f"Bearer {key}"}, runs)
            api50, api95 = api50 + a50, api95 + a95
        print(f"{title}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, {size + assets} bytes; API {api50:.1f}/{api95:.1f} ms", file=sys.stderr)
        routes = ", ".join(sorted(set("`" + re.sub(r"\?.*", "", f) + "`" for f in feeds)))
        rows.append(f"| {title} `{path}` | {p50:.1f} | {p95:.1f} | {(size + assets) / 1024:.1f} KiB | {routes} | {api50:.1f} | {api95:.1f} |")
    print("\n".join(rows))


if __name__ == "__main__":
    mode, base, key, number = sys.argv[1:5]
    seed(base, key, int(number)) if mode == "seed" else pages(base, key, int(number))
