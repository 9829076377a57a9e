#!/usr/bin/env python3
"""Writes N manifests for bench/apply: datasets, versions (with small data files), quality
rules, experiments and runs in the proportions 3:1:2:2:2, one file per 100 objects.

    generate.py OUT_DIR [COUNT] [SEED]
"""
import os
import random
import sys

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
os.makedirs(os.path.join(out, "data"), exist_ok=True)

unit = count // 10
n_datasets, n_versions, n_rules, n_experiments = 3 * unit, unit, 2 * unit, 2 * unit
n_runs = count - n_datasets - n_versions - n_rules - n_experiments
docs = []

for i in range(n_datasets):
    docs.append(f"""apiVersion: datapilot.io/v1alpha1
kind: Dataset
metadata:
  name: ds-{i:05d}
  labels: {{team: team-{i % 17}, tier: {rng.choice(['gold', 'silver', 'bronze'])}}}
spec:
  format: csv
  owner: team-{i % 17}@example.com
  description: Synthetic dataset {i} for the apply benchmark
  schema:
    columns:
      - {{name: id, type: integer, nullable: false}}
      - {{name: amount, type: number}}
      - {{name: created_at, type: timestamp}}
""")
for i in range(n_versions):
    name = f"dsv-{i:05d}"
    with open(os.path.join(out, "data", name + ".csv"), "w") as f:
        f.write("id,amount,created_at\n")
        for r in range(20):
            f.write(f"{r},{rng.random() * 100:.2f},2026-10-{1 + r % 28:02d}T00:00:00Z\n")
    docs.append(f"""apiVersion: datapilot.io/v1alpha1
kind: DatasetVersion
metadata:
  name: {name}
  labels: {{month: "2026-10"}}
spec:
  dataset: ds-{i % n_datasets:05d}
  description: October snapshot {i}
  source:
    path: data/{name}.csv
""")
for i in range(n_rules):
    docs.append(f"""apiVersion: datapilot.io/v1alpha1
kind: QualityRule
metadata:
  name: qr-{i:05d}
spec:
  dataset: ds-{i % n_datasets:05d}
  severity: {rng.choice(['warn', 'fail'])}
  checks:
    - name: id-present
      missing: {{column: id, threshold: "0%"}}
    - name: amount-range
      range: {{column: amount, min: 0, max: 100}}
""")
for i in range(n_experiments):
    docs.append(f"""apiVersion: datapilot.io/v1alpha1
kind: Experiment
metadata:
  name: exp-{i:05d}
spec:
  datasets: [ds-{i % n_datasets:05d}]
  objective: {{metric: auc, goal: maximize}}
""")
for i in range(n_runs):
    docs.append(f"""apiVersion: datapilot.io/v1alpha1
kind: Run
metadata:
  name: run-{i:05d}
spec:
  experiment: exp-{i % n_experiments:05d}
  inputs:
    - datasetVersion: dsv-{i % n_versions:05d}
  code: {{repository: "https://github.com/acme/model", commit: {''.join(rng.choice('0123456789abcdef') for _ in range(40))}}}
  image: {{reference: "ghcr.io/acme/train:1.0", digest: "sha256:{''.join(rng.choice("0123456789abcdef") for _ in range(64))}"}}
  command: [python3, train.py]
  params: {{lr: {rng.random():.4f}, epochs: {rng.randint(1, 50)}}}
""")

for start in range(0, len(docs), 100):
    with open(os.path.join(out, f"m{start // 100:04d}.yaml"), "w") as f:
        f.write("---\n".join(docs[start:start + 100]))
