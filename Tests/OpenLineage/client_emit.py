"""The openlineage-python client sends a job's START and COMPLETE to DataPilot's ingest route
(`POST /api/v1/lineage`) through its own HTTP transport and api_key auth:

    client_emit.py SERVER_URL API_KEY NAMESPACE DATASET VERSION

The run reads the DataPilot dataset DATASET (in DataPilot's namespace, its `version` facet naming
VERSION) and a foreign table, and writes a foreign table. Prints the run id.
"""

import sys
from datetime import datetime, timezone
from uuid import uuid4

from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import dataset_version_dataset, schema_dataset
from openlineage.client.transport.http import HttpConfig, HttpTransport

server, key, namespace, dataset, version = sys.argv[1:6]
client = OpenLineageClient(
    transport=HttpTransport(
        HttpConfig.from_dict(
            {"type": "http", "url": server, "endpoint": "api/v1/lineage", "auth": {"type": "api_key", "apiKey": key}}
        )
    )
)
run = Run(runId=str(uuid4()))
job = Job(namespace="airflow", name="churn_etl.train_features")
inputs = [
    InputDataset(
        namespace=namespace,
        name=dataset,
        facets={"version": dataset_version_dataset.DatasetVersionDatasetFacet(datasetVersion=version)},
    ),
    InputDataset(namespace="postgres://warehouse:5432", name="crm.public.accounts"),
]
outputs = [
    OutputDataset(
        namespace="s3://features",
        name="churn/features.parquet",
        facets={"schema": schema_dataset.SchemaDatasetFacet(fields=[schema_dataset.SchemaDatasetFacetFields(name="id", type="int")])},
    )
]
for state in (RunState.START, RunState.COMPLETE):
    client.emit(
        RunEvent(
            eventType=state,
            eventTime=datetime.now(timezone.utc).isoformat(),
            run=run,
            job=job,
            inputs=inputs,
            outputs=outputs,
            producer="https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python",
        )
    )
print(run.runId)
