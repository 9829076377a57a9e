#!/usr/bin/env python3
"""Posts metric points in batches of 1000 over persistent HTTP connections, to DataPilot or to an
MLflow tracking server, and prints points per second.

  client.py datapilot BASE_URL TOKEN RUN POINTS CLIENTS
  client.py mlflow    BASE_URL -     RUN_ID POINTS CLIENTS
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

kind, base, token, run, points, clients = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
url = urllib.parse.urlparse(base)
BATCH = 1000
errors = []


def batches(worker):
    """Worker `worker`'s share: keys key-<worker>-<k>, steps counting up, fixed timestamps."""
    total = points // clients
    for start in range(0, total, BATCH):
        items = []
        for i in range(start, min(start + BATCH, total)):
            items.append({"key": f"metric-{worker}-{i % 10}", "value": i * 0.001, "step": i // 10, "timestamp": 1764180000000 + i})
        yield items


def work(worker):
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
    for items in batches(worker):
        if kind == "datapilot":
            path, body = f"/api/experiment-runs/{run}/metrics", {"metrics": items}
            headers = {"Content-Type": "application/json", "Authorization": "Bearer " + token}
        else:
            path, body = "/api/2.0/mlflow/runs/log-batch", {"run_id": run, "metrics": items}
            headers = {"Content-Type": "application/json"}
        payload = json.dumps(body)
        for attempt in range(4):  # a dropped connection is retried on a new one, as clients do
            try:
                connection.request("POST", path, payload, headers)
                response = connection.getresponse()
                text = response.read()
                break
            except (http.client.HTTPException, OSError) as error:
                connection.close()
                connection = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
                if attempt == 3:
                    errors.append(f"{type(error).__name__}: {error}")
                    return
        if response.status != 200:
            errors.append(f"{response.status} {text[:300]!r}")
            return


threads = [threading.Thread(target=work, args=(w,)) for w in range(clients)]
started = time.perf_counter()
for t in threads:
    t.start()
for t in threads:
    t.join()
elapsed = time.perf_counter() - started
if errors:
    print("errors:", errors[:3], file=sys.stderr)
    sys.exit(1)
print(f"{(points // clients) * clients / elapsed:.0f} {elapsed:.2f}")
