"""A small training script as MLflow users write it, run against DataPilot by MLflowClientTests.

Usage: MLFLOW_TRACKING_URI=... MLFLOW_TRACKING_TOKEN=... train.py EXPERIMENT DATA_FILE DATA_URL ARTIFACT
It logs params, metrics over steps, tags, the data file as a dataset input (its digest: the
file's sha256, as DataPilot stores versions) and an artifact, then reads them back with
MlflowClient and prints what it read as one JSON object.
"""

import hashlib
import json
import os
import sys

import mlflow
from mlflow import MlflowClient
from mlflow.data.dataset import Dataset
from mlflow.data.http_dataset_source import HTTPDatasetSource


class FileDataset(Dataset):
    """A data file, identified by its sha256."""

    def __init__(self, path, url, name):
        self._path = path
        super().__init__(source=HTTPDatasetSource(url), name=name)

    def _compute_digest(self):
        with open(self._path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()

    @property
    def profile(self):
        return {"bytes": os.path.getsize(self._path)}

    @property
    def schema(self):
        return None

    def to_dict(self):
        base = super().to_dict()
        base.update({"profile": json.dumps(self.profile)})
        return base


def main():
    experiment_name, data_file, data_url, artifact = sys.argv[1:5]
    mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
    experiment = mlflow.set_experiment(experiment_name)
    with mlflow.start_run(run_name="baseline") as run:
        mlflow.log_params({"lr": 0.01, "epochs": 3, "model": "gbm"})
        for step in range(3):
            mlflow.log_metrics({"loss": round(1.0 / (step + 1), 4), "accuracy": round(0.6 + 0.1 * step, 4)}, step=step)
        mlflow.log_metric("loss", 0.25, step=3)
        mlflow.set_tags({"team": "growth", "purpose": "baseline"})
        mlflow.log_input(FileDataset(data_file, data_url, "churn"), context="training")
        mlflow.log_artifact(artifact)
        run_id = run.info.run_id

    client = MlflowClient()
    found = client.search_runs(
        [experiment.experiment_id],
        filter_string="metrics.loss < 0.5 and params.lr = '0.01' and tags.team = 'growth' and attributes.status = 'FINISHED'",
        order_by=["metrics.accuracy DESC"],
    )
    missed = client.search_runs([experiment.experiment_id], filter_string="metrics.loss > 0.5")
    history = client.get_metric_history(run_id, "loss")
    fetched = client.get_run(run_id)
    artifacts = client.list_artifacts(run_id)
    local = client.download_artifacts(run_id, os.path.basename(artifact), dst_path=os.path.dirname(artifact) + "/downloaded")
    with open(local, encoding="utf-8") as f:
        downloaded = f.read()
    print(json.dumps({
        "experiment_id": experiment.experiment_id,
        "run_id": run_id,
        "found": [r.info.run_id for r in found],
        "missed": [r.info.run_id for r in missed],
        "status": fetched.info.status,
        "params": fetched.data.params,
        "metrics": fetched.data.metrics,
        "tags": {k: v for k, v in fetched.data.tags.items() if not k.startswith("mlflow.")},
        "history": [[m.step, m.value] for m in history],
        "inputs": [[d.dataset.name, d.dataset.digest] for d in fetched.inputs.dataset_inputs],
        "artifacts": [[a.path, a.file_size] for a in artifacts],
        "downloaded": downloaded,
    }))


if __name__ == "__main__":
    main()
