#!/usr/bin/env python3
"""Trains a churn classifier inside a DataPilot run, with the Python standard library only.

The executor starts it with DATAPILOT_URL, DATAPILOT_RUN_ID and DATAPILOT_RUN_TOKEN set. It
  1. reads its run (params, inputs pinned by digest) with the run-scoped token,
  2. downloads the train and eval dataset versions and checks their sha256,
  3. fits a logistic regression by batch gradient descent (plan one-hot, tenure, spend),
  4. posts loss and accuracy per epoch in metric batches, and log events,
  5. uploads the model as the artifact model.json, and reports eval AUC and accuracy.
"""
import csv
import hashlib
import io
import json
import math
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

URL = os.environ["DATAPILOT_URL"].rstrip("/")
RUN = os.environ["DATAPILOT_RUN_ID"]
TOKEN = os.environ["DATAPILOT_RUN_TOKEN"]


def origin(url):
    """(scheme, host, port): what must stay the same for the token to travel along."""
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or {"http": 80, "https": 443}.get(scheme)


class NoTokenToOtherOrigins(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but the run token never leaves the server's origin: an external
    version's download answers 307 to its URL, which may name any host."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and origin(new.full_url) != origin(URL):
            new.remove_header("Authorization")
        return new


OPENER = urllib.request.build_opener(NoTokenToOtherOrigins)


def call(method, path, body=None, content_type="application/json"):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    request = urllib.request.Request(URL + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + TOKEN)
    if data is not None:
        request.add_header("Content-Type", content_type)
    with OPENER.open(request, timeout=60) as response:
        raw = response.read()
        kind = response.headers.get("Content-Type", "")
        return json.loads(raw) if "json" in kind and raw else raw


def now_ms():
    return int(time.time() * 1000)


def event(message, level="info"):
    call("POST", f"/api/experiment-runs/{RUN}/events", {"events": [{"level": level, "message": message, "timestamp": now_ms()}]})
    print(message, flush=True)


def download(version):
    data = call("GET", f"/api/datasets/{version['dataset']}/versions/{version['datasetVersion']}/download")
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    if digest != version["digest"]:
        raise SystemExit(f"{version['datasetVersion']}: downloaded {digest}, the run pinned {version['digest']}")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


PLANS = ["free", "pro", "enterprise"]


def features(row):
    tenure = float(row["tenure_months"] or 0) / 60.0
    spend = float(row["monthly_spend"] or 0) / 100.0
    return [1.0, tenure, spend] + [1.0 if row["plan"] == p else 0.0 for p in PLANS]


def label(row):
    return 1.0 if row["churned"].strip().lower() == "true" else 0.0


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def predict(weights, x):
    return sigmoid(sum(w * v for w, v in zip(weights, x)))


def auc(scores, labels):
    """Mann-Whitney U: the chance a random positive outranks a random negative."""
    ranked = sorted(zip(scores, labels))
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives == 0 or negatives == 0:
        return 0.5
    rank_sum, i = 0.0, 0
    while i < len(ranked):
        j = i
        while j < len(ranked) and ranked[j][0] == ranked[i][0]:
            j += 1
        average_rank = (i + 1 + j) / 2.0
        rank_sum += average_rank * sum(l for _, l in ranked[i:j])
        i = j
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def main():
    run = call("GET", f"/api/experiment-runs/{RUN}")
    params = run["spec"].get("params", {})
    inputs = {i["datasetVersion"]: i for i in run["status"]["inputs"]}
    if not inputs:
        raise SystemExit("the run declares no input dataset versions")
    names = list(inputs)
    train_rows = download(inputs[params.get("train_version", names[0])])
    eval_rows = download(inputs[params.get("eval_version", names[-1])])
    event(f"training on {len(train_rows)} rows, evaluating on {len(eval_rows)}")

    x = [features(r) for r in train_rows]
    y = [label(r) for r in train_rows]
    weights = [0.0] * len(x[0])
    rate = float(params.get("learning_rate", 0.5))
    epochs = int(params.get("max_iter", 200))
    l2 = 1.0 / float(params.get("C", 1.0)) / len(x)
    batch = []
    for epoch in range(1, epochs + 1):
        gradient = [0.0] * len(weights)
        loss, correct = 0.0, 0
        for xi, yi in zip(x, y):
            p = predict(weights, xi)
            loss -= yi * math.log(max(p, 1e-12)) + (1 - yi) * math.log(max(1 - p, 1e-12))
            correct += (p >= 0.5) == (yi == 1.0)
            for k, v in enumerate(xi):
                gradient[k] += (p - yi) * v
        weights = [w - rate * (g / len(x) + l2 * w) for w, g in zip(weights, gradient)]
        stamp = now_ms()
        batch += [{"key": "train_loss", "value": loss / len(x), "step": epoch, "timestamp": stamp},
                  {"key": "train_accuracy", "value": correct / len(x), "step": epoch, "timestamp": stamp}]
        if len(batch) >= 100 or epoch == epochs:
            call("POST", f"/api/experiment-runs/{RUN}/metrics", {"metrics": batch})
            batch = []

    scores = [predict(weights, features(r)) for r in eval_rows]
    labels = [label(r) for r in eval_rows]
    eval_auc = auc(scores, labels)
    eval_accuracy = sum((s >= 0.5) == (l == 1.0) for s, l in zip(scores, labels)) / len(labels)
    stamp = now_ms()
    call("POST", f"/api/experiment-runs/{RUN}/metrics", {"metrics": [
        {"key": "eval_auc", "value": eval_auc, "step": epochs, "timestamp": stamp},
        {"key": "eval_accuracy", "value": eval_accuracy, "step": epochs, "timestamp": stamp}]})
    model = json.dumps({"model": "logistic_regression", "features": ["bias", "tenure_months/60", "monthly_spend/100"] + ["plan=" + p for p in PLANS],
                        "weights": weights, "epochs": epochs, "eval_auc": eval_auc}, indent=2).encode()
    call("PUT", f"/api/experiment-runs/{RUN}/artifacts/model.json?sha256=" + hashlib.sha256(model).hexdigest(), model)
    event(f"done: eval AUC {eval_auc:.3f}, accuracy {eval_accuracy:.3f}")


if __name__ == "__main__":
    try:
        main()
    except urllib.error.HTTPError as error:
        print(f"{error.code} {error.reason}: {error.read().decode(errors='replace')}", file=sys.stderr)
        sys.exit(1)
