"""Metric ingest through the MLflow client, the same against any tracking server.

Usage: ingest.py TRACKING_URI TOKEN|- POINTS MODE
MODE `batch`: MlflowClient.log_batch with 1,000 points per call; `single`: one log_metric call
per point (what a training loop logging every step does). Reads the history back to check
every point arrived, then prints "points_per_second seconds".
"""

import os
import sys
import time

from mlflow import MlflowClient
from mlflow.entities import Metric


def main():
    uri, token, points, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    if token != "-":
        os.environ["MLFLOW_TRACKING_TOKEN"] = token
    client = MlflowClient(tracking_uri=uri)
    experiment = client.create_experiment(f"bench-{mode}-{time.time_ns()}")
    run_id = client.create_run(experiment).info.run_id
    base = int(time.time() * 1000)
    start = time.perf_counter()
    if mode == "batch":
        for first in range(0, points, 1000):
            batch = [Metric("loss", float(i), base + i, i) for i in range(first, min(first + 1000, points))]
            client.log_batch(run_id, metrics=batch)
    else:
        for i in range(points):
            client.log_metric(run_id, "loss", float(i), timestamp=base + i, step=i)
    elapsed = time.perf_counter() - start
    client.set_terminated(run_id)
    stored = len(client.get_metric_history(run_id, "loss"))
    if stored != points:
        sys.exit(f"{uri}: {stored} of {points} points stored")
    print(f"{points / elapsed:.0f} {elapsed:.3f}")


if __name__ == "__main__":
    main()
