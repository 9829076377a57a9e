#!/usr/bin/env python3
"""Generate a large, valid manifests repository for benchmarking `dpctl validate`.

    python3 bench/validate/generate.py OUTDIR [--count 10000] [--seed 1]

Standard library only and deterministic: the same --count and --seed give
byte-identical output. With the defaults it writes 10,000 manifests, about
10 MB, into about 220 multi-document files in nested folders under
OUTDIR/manifests/, plus a few hundred small data files under OUTDIR/data/
that the `source.path` DatasetVersions point at (relative to each manifest's
own folder). Validate with the repository root at OUTDIR:

    dpctl validate -R -f OUTDIR

The mix of kinds (by document count):
  15% Dataset          10-40 column schemas with descriptions
  35% DatasetVersion   mostly source.url + sha256; about 300 with source.path
  20% QualityRule      3-8 checks, every check type, columns from the schema
                       (of CSV and JSONL datasets: rules cannot evaluate Parquet)
   5% Experiment       1-3 datasets, an objective
  25% Run              inputs, code, image, command, params, labels, annotations

Every reference resolves inside the generated set and every name is unique
per kind, so the whole set validates cleanly against docs/manifests.md.
"""

import argparse
import json
import os
import random
import re
import sys

API = "datapilot.io/v1alpha1"

TEAMS = ["growth", "payments", "risk", "search", "ads", "logistics", "support",
         "identity", "pricing", "marketplace", "platform", "forecasting"]
DOMAINS = {
    "growth": ["customers", "churn", "referrals", "onboarding"],
    "payments": ["transactions", "refunds", "chargebacks", "payouts"],
    "risk": ["fraud", "kyc", "disputes", "credit"],
    "search": ["queries", "clicks", "ranking", "catalog"],
    "ads": ["impressions", "campaigns", "bids", "conversions"],
    "logistics": ["shipments", "warehouses", "routes", "returns"],
    "support": ["tickets", "chats", "surveys", "macros"],
    "identity": ["accounts", "sessions", "devices", "logins"],
    "pricing": ["quotes", "discounts", "elasticity", "competitors"],
    "marketplace": ["listings", "sellers", "reviews", "orders"],
    "platform": ["deployments", "incidents", "usage", "costs"],
    "forecasting": ["demand", "inventory", "staffing", "revenue"],
}
NOUNS = ["events", "snapshot", "daily", "features", "labels", "raw", "clean",
         "aggregates", "sample", "history", "scores", "facts"]
WORDS = ("customer account order session payment device product seller region "
         "channel campaign country currency plan device status source segment "
         "category merchant warehouse route carrier store market cohort").split()
MEASURES = ("amount total count duration latency score rate price quantity "
            "weight distance balance spend revenue margin age").split()
PROSE = ("the of for each per one row is are with from and in by when not this "
         "value values record records event events customer order daily "
         "monthly latest stable identifier derived computed reported raw "
         "cleaned joined aggregated source upstream pipeline warehouse export "
         "snapshot window last first total number time stamp in UTC local "
         "currency amount converted normalised nullable missing unknown flag "
         "set true false label target feature used model training only").split()
METRICS = [("auc", "maximize"), ("f1", "maximize"), ("accuracy", "maximize"),
           ("ndcg", "maximize"), ("recall-at-10", "maximize"), ("rmse", "minimize"),
           ("mae", "minimize"), ("logloss", "minimize"), ("mape", "minimize")]
MODELS = ["logistic-regression", "gradient-boosting", "random-forest", "xgboost",
          "lightgbm", "two-tower", "transformer", "linear", "prophet", "arima"]
KIND_FOLDERS = [("Dataset", "datasets"), ("DatasetVersion", "versions"),
                ("QualityRule", "quality"), ("Experiment", "experiments"), ("Run", "runs")]
CHECK_TYPES = ["rowCount", "missing", "unique", "allowedValues", "range",
               "regex", "schema", "freshness"]
RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""}
PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.,()/'+-]*[A-Za-z0-9.)]|[A-Za-z]")


def q(s):
    """A YAML scalar for string s: plain when that is safe, else double-quoted."""
    if PLAIN.fullmatch(s) and s.lower() not in RESERVED and ": " not in s and " #" not in s:
        return s
    return json.dumps(s)


def num(x):
    return repr(x) if isinstance(x, float) else str(x)


def scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return num(v)
    return q(v)


def flow(d):
    """A one-line flow mapping (the style people use for short check bodies)."""
    parts = []
    for k, v in d.items():
        if isinstance(v, list):
            v = "[" + ", ".join(scalar(x) for x in v) + "]"
        else:
            v = scalar(v)
        parts.append("%s: %s" % (k, v))
    return "{" + ", ".join(parts) + "}"


class Gen:
    def __init__(self, rng):
        self.rng = rng

    def hexstr(self, nchars):
        return "%0*x" % (nchars, self.rng.getrandbits(nchars * 4))

    def sentence(self, lo, hi):
        words = [self.rng.choice(PROSE) for _ in range(self.rng.randint(lo, hi))]
        text = " ".join(words)
        return text[0].upper() + text[1:]

    def split_counts(self, count):
        n_ds = max(1, round(count * 0.15))
        n_dv = max(n_ds, round(count * 0.35)) if count >= 4 else 1
        n_qr = max(1, round(count * 0.20))
        n_ex = max(1, round(count * 0.05))
        n_run = count - n_ds - n_dv - n_qr - n_ex
        if n_run < 0:
            sys.exit("--count %d is too small (need at least 8)" % count)
        return n_ds, n_dv, n_qr, n_ex, n_run

    # ---- Datasets -------------------------------------------------------

    def schema(self):
        rng = self.rng
        ncols = rng.randint(10, 40)
        base = rng.choice(WORDS)
        cols = [
            {"name": "%s_id" % base, "type": "string", "nullable": False,
             "description": "Stable %s identifier" % base},
            {"name": "event_time", "type": "timestamp", "nullable": False,
             "description": "When the %s record was produced, in UTC" % base},
        ]
        used = {c["name"] for c in cols}
        while len(cols) < ncols:
            kind = rng.random()
            if kind < 0.35:
                name, typ = "%s_%s" % (rng.choice(WORDS), rng.choice(MEASURES)), rng.choice(["number", "integer"])
            elif kind < 0.65:
                name, typ = "%s_%s" % (rng.choice(WORDS), rng.choice(["code", "name", "type", "status", "key", "ref"])), "string"
            elif kind < 0.8:
                name, typ = "is_%s_%s" % (rng.choice(WORDS), rng.choice(["active", "valid", "flagged", "test", "new"])), "boolean"
            elif kind < 0.9:
                name, typ = "%s_%s" % (rng.choice(WORDS), rng.choice(["created_at", "updated_at", "seen_at"])), "timestamp"
            else:
                name, typ = "%s_%s" % (rng.choice(WORDS), rng.choice(["date", "day", "start_date"])), "date"
            if name in used:
                continue
            used.add(name)
            col = {"name": name, "type": typ}
            if rng.random() < 0.5:
                col["nullable"] = rng.random() < 0.5
            if rng.random() < 0.7:
                col["description"] = self.sentence(3, 9)
            cols.append(col)
        return cols

    def dataset(self, name, team, domain):
        rng = self.rng
        fmt = rng.choices(["csv", "jsonl", "parquet"], [0.45, 0.25, 0.30])[0]
        spec = {
            "description": self.sentence(8, 24),
            "owner": "%s-data@example.com" % team,
            "format": fmt,
            "columns": self.schema(),
        }
        if fmt != "parquet" and rng.random() < 0.3:
            spec["compression"] = rng.choice(["none", "gzip"])
        labels = {"team": team, "domain": domain}
        if rng.random() < 0.3:
            labels["tier"] = rng.choice(["gold", "silver", "bronze"])
        if rng.random() < 0.2:
            labels["pii"] = "true"
        ann = {}
        if rng.random() < 0.4:
            ann["example.com/source-system"] = "%s-%s" % (domain, rng.choice(["db", "kafka", "s3", "api"]))
        return {"kind": "Dataset", "name": name, "labels": labels, "annotations": ann, "spec": spec}

    # ---- QualityRules ---------------------------------------------------

    def check(self, typ, cols):
        rng = self.rng
        by_type = {}
        for c in cols:
            by_type.setdefault(c["type"], []).append(c)
        strings = by_type.get("string", [])
        numeric = by_type.get("integer", []) + by_type.get("number", [])
        times = by_type.get("timestamp", []) + by_type.get("date", [])
        if typ == "range" and not numeric:
            typ = "missing"
        thr = rng.choice([0, 0, 0, 5, 100, "0.1%", "0.5%", "1%", "5%"])
        if typ == "rowCount":
            lo = rng.choice([1, 100, 1000, 10000, 50000])
            body = {"min": lo}
            if rng.random() < 0.5:
                body["max"] = lo * rng.choice([100, 1000, 10000])
        elif typ == "missing":
            body = {"column": rng.choice(cols)["name"], "threshold": thr}
        elif typ == "unique":
            body = {"columns": [cols[0]["name"]] + ([cols[1]["name"]] if rng.random() < 0.2 else [])}
            if rng.random() < 0.5:
                body["threshold"] = 0
        elif typ == "allowedValues":
            vals = sorted({"%s%d" % (rng.choice(["a", "b", "c", "x"]), rng.randint(0, 20)) for _ in range(rng.randint(2, 8))})
            body = {"column": rng.choice(strings)["name"], "values": vals, "threshold": thr}
        elif typ == "range":
            body = {"column": rng.choice(numeric)["name"]}
            r = rng.random()
            if r < 0.8:
                body["min"] = rng.choice([0, 0, 1, -100, 0.5])
            if r > 0.4:
                body["max"] = rng.choice([1, 100, 1000, 1e6, 99.9])
            body["threshold"] = thr
        elif typ == "regex":
            col = rng.choice(strings)
            pat = rng.choice([r"^[A-Z]{2}-[0-9]{4,8}$", r"^[a-z0-9_-]+$", r"^[^@\s]+@[^@\s]+$",
                              r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$", r"^\S+$"])
            body = {"column": col["name"], "pattern": pat, "threshold": thr}
        elif typ == "schema":
            pick = rng.sample(cols, min(len(cols), rng.randint(3, 8)))
            body = {"columns": [{"name": c["name"], "type": c["type"]} for c in pick],
                    "allowExtraColumns": rng.random() < 0.8}
        else:  # freshness
            body = {"column": rng.choice(times)["name"],
                    "maxAge": rng.choice(["30m", "6h", "36h", "48h", "2d", "7d", "90d", "3600s"])}
        return typ, body

    def rule(self, name, ds):
        rng = self.rng
        cols = ds["spec"]["columns"]
        n = rng.randint(3, 8)
        types = rng.sample(CHECK_TYPES, n)
        checks = []
        for i, t in enumerate(types):
            t, body = self.check(t, cols)
            c = {"type": t, "body": body}
            if rng.random() < 0.7:
                c["name"] = "%s-%d" % (t.lower(), i + 1)
            if rng.random() < 0.2:
                c["severity"] = rng.choice(["warn", "fail"])
            checks.append(c)
        spec = {"dataset": ds["name"], "severity": rng.choice(["warn", "fail"]), "checks": checks}
        if rng.random() < 0.7:
            spec["description"] = self.sentence(4, 12)
        return {"kind": "QualityRule", "name": name, "labels": {"team": ds["labels"]["team"]},
                "annotations": {}, "spec": spec}

    # ---- Runs -----------------------------------------------------------

    def run(self, name, exp, versions_of):
        rng = self.rng
        pool = [v for d in exp["spec"]["datasets"] for v in versions_of.get(d, [])]
        inputs = rng.sample(pool, min(len(pool), rng.randint(1, 3))) if pool else []
        model = rng.choice(MODELS)
        params = {"model": model.replace("-", "_")}
        for _ in range(rng.randint(3, 10)):
            k = rng.choice(["learning_rate", "epochs", "batch_size", "max_depth", "n_estimators",
                            "dropout", "l2", "seed", "early_stopping", "shuffle", "optimizer",
                            "warmup_steps", "subsample", "feature_set", "class_weight"])
            if k in ("early_stopping", "shuffle"):
                params[k] = rng.random() < 0.5
            elif k in ("optimizer",):
                params[k] = rng.choice(["adam", "sgd", "adamw", "lbfgs"])
            elif k in ("feature_set", "class_weight"):
                params[k] = rng.choice(["v1", "v2", "balanced", "baseline-2026", "none"])
            elif k in ("learning_rate", "dropout", "l2", "subsample"):
                v = round(rng.choice([0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 0.8]), 3)
                params[k] = str(v) if rng.random() < 0.3 else v
            else:
                params[k] = rng.choice([1, 3, 5, 8, 16, 32, 64, 100, 128, 256, 500, 1000])
        repo = "https://github.com/example-%s/%s-models" % (exp["labels"]["team"], exp["labels"]["team"])
        spec = {
            "experiment": exp["name"],
            "description": self.sentence(3, 10),
            "inputs": inputs,
            "code": {"repository": repo, "commit": self.hexstr(40)},
            "image": {"reference": "ghcr.io/example/%s-train:%d.%d" % (exp["labels"]["team"], rng.randint(1, 4), rng.randint(0, 20)),
                      "digest": "sha256:" + self.hexstr(64)},
            "command": ["python3", "-m", "train", "--model", model],
            "params": params,
            "execute": False,
            "evidence": rng.random() < 0.2,
        }
        labels = {"team": exp["labels"]["team"], "model": model}
        if rng.random() < 0.5:
            labels["stage"] = rng.choice(["exploration", "candidate", "baseline"])
        if rng.random() < 0.3:
            labels["example.com/owner"] = rng.choice(["alice", "bob", "chen", "dana", "eli", "fatima"])
        ann = {"example.com/notes": self.sentence(5, 16)}
        if rng.random() < 0.5:
            ann["example.com/ticket"] = "https://tracker.example.com/browse/ML-%d" % rng.randint(100, 9999)
        if rng.random() < 0.3:
            ann["example.com/gpu"] = rng.choice(["none", "a10g", "l4", "a100"])
        return {"kind": "Run", "name": name, "labels": labels, "annotations": ann, "spec": spec}


# ---- YAML emission -------------------------------------------------------

def emit(obj, out):
    w = out.append
    w("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n" % (API, obj["kind"], obj["name"]))
    if obj["labels"]:
        w("  labels:\n")
        for k, v in obj["labels"].items():
            w("    %s: %s\n" % (k, q(v)))
    if obj["annotations"]:
        w("  annotations:\n")
        for k, v in obj["annotations"].items():
            w("    %s: %s\n" % (k, q(v)))
    w("spec:\n")
    s = obj["spec"]
    kind = obj["kind"]
    if kind == "Dataset":
        w("  description: %s\n  owner: %s\n  format: %s\n" % (q(s["description"]), s["owner"], s["format"]))
        if "compression" in s:
            w("  compression: %s\n" % s["compression"])
        w("  schema:\n    columns:\n")
        for c in s["columns"]:
            w("      - name: %s\n        type: %s\n" % (c["name"], c["type"]))
            if "nullable" in c:
                w("        nullable: %s\n" % scalar(c["nullable"]))
            if "description" in c:
                w("        description: %s\n" % q(c["description"]))
    elif kind == "DatasetVersion":
        w("  dataset: %s\n" % s["dataset"])
        if "description" in s:
            w("  description: %s\n" % q(s["description"]))
        w("  source:\n")
        if "path" in s:
            w("    path: %s\n" % s["path"])
        else:
            w("    url: %s\n    sha256: %s\n" % (s["url"], s["sha256"]))
    elif kind == "QualityRule":
        w("  dataset: %s\n  severity: %s\n" % (s["dataset"], s["severity"]))
        if "description" in s:
            w("  description: %s\n" % q(s["description"]))
        w("  checks:\n")
        for c in s["checks"]:
            lead = "    - "
            if "name" in c:
                w("%sname: %s\n" % (lead, c["name"]))
                lead = "      "
            if "severity" in c:
                w("%sseverity: %s\n" % (lead, c["severity"]))
                lead = "      "
            body = c["body"]
            if c["type"] == "schema":
                w("%sschema:\n" % lead)
                w("        allowExtraColumns: %s\n        columns:\n" % scalar(body["allowExtraColumns"]))
                for col in body["columns"]:
                    w("          - {name: %s, type: %s}\n" % (col["name"], col["type"]))
            else:
                w("%s%s: %s\n" % (lead, c["type"], flow(body)))
    elif kind == "Experiment":
        if "description" in s:
            w("  description: %s\n" % q(s["description"]))
        w("  datasets: [%s]\n" % ", ".join(s["datasets"]))
        w("  objective:\n    metric: %s\n    goal: %s\n" % s["objective"])
    elif kind == "Run":
        w("  experiment: %s\n  description: %s\n" % (s["experiment"], q(s["description"])))
        if s["inputs"]:
            w("  inputs:\n")
            for v in s["inputs"]:
                w("    - datasetVersion: %s\n" % v)
        w("  code:\n    repository: %s\n    commit: %s\n" % (s["code"]["repository"], s["code"]["commit"]))
        w("  image:\n    reference: %s\n    digest: %s\n" % (s["image"]["reference"], s["image"]["digest"]))
        w("  command: [%s]\n" % ", ".join(q(x) for x in s["command"]))
        w("  params:\n")
        for k, v in s["params"].items():
            w("    %s: %s\n" % (k, scalar(v)))
        w("  execute: %s\n  evidence: %s\n" % (scalar(s["execute"]), scalar(s["evidence"])))


def data_file(rng, ds, path):
    """A small data file that matches the dataset's schema."""
    cols = ds["spec"]["columns"]

    def value(c):
        t = c["type"]
        if c.get("nullable", True) and rng.random() < 0.05:
            return None
        if t == "string":
            return "%s-%05d" % (c["name"].split("_")[0], rng.randint(0, 99999))
        if t == "integer":
            return rng.randint(0, 5000)
        if t == "number":
            return round(rng.uniform(0, 1000), 2)
        if t == "boolean":
            return rng.random() < 0.5
        if t == "date":
            return "2026-%02d-%02d" % (rng.randint(1, 10), rng.randint(1, 28))
        return "2026-%02d-%02dT%02d:%02d:%02dZ" % (rng.randint(1, 10), rng.randint(1, 28),
                                                    rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59))

    rows = [[value(c) for c in cols] for _ in range(rng.randint(2, 6))]
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        if ds["spec"]["format"] == "csv":
            f.write(",".join(c["name"] for c in cols) + "\n")
            for r in rows:
                f.write(",".join("" if v is None else ("true" if v is True else "false" if v is False else str(v)) for v in r) + "\n")
        else:
            for r in rows:
                f.write(json.dumps(dict(zip((c["name"] for c in cols), r)), separators=(",", ":")) + "\n")


def main():
    ap = argparse.ArgumentParser(description="Generate a large, valid DataPilot manifests repository.")
    ap.add_argument("outdir")
    ap.add_argument("--count", type=int, default=10000, help="number of manifests (default 10000)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--path-versions", type=int, default=None,
                    help="DatasetVersions with source.path (default: 3%% of --count)")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    g = Gen(rng)
    n_ds, n_dv, n_qr, n_ex, n_run = g.split_counts(args.count)
    n_path = args.path_versions if args.path_versions is not None else round(args.count * 0.03)

    # Datasets, grouped by team so that files read like a team's folder.
    datasets = []
    for i in range(n_ds):
        team = TEAMS[i % len(TEAMS)]
        domain = rng.choice(DOMAINS[team])
        name = "%s-%s-%s-%04d" % (team, domain, rng.choice(NOUNS), i)
        datasets.append(g.dataset(name, team, domain))

    # Versions: every dataset gets one, the rest are spread at random.
    owners = list(range(n_ds)) + [rng.randrange(n_ds) for _ in range(n_dv - n_ds)]
    owners.sort()
    versions = []
    versions_of = {}
    seq = {}
    for idx in owners:
        ds = datasets[idx]
        k = seq[idx] = seq.get(idx, 0) + 1
        name = "%s-v%d" % (ds["name"], k) if rng.random() < 0.7 else "%s.2026-%02d.r%d" % (ds["name"], (k - 1) % 12 + 1, k)
        spec = {"dataset": ds["name"]}
        if rng.random() < 0.5:
            spec["description"] = g.sentence(3, 10)
        versions.append({"kind": "DatasetVersion", "name": name,
                         "labels": {"team": ds["labels"]["team"]}, "annotations": {}, "spec": spec, "ds": ds})
        versions_of.setdefault(ds["name"], []).append(name)
    # which versions read a file from the repository (csv/jsonl, uncompressed only)
    local_ok = [v for v in versions
                if v["ds"]["spec"]["format"] in ("csv", "jsonl") and v["ds"]["spec"].get("compression", "none") == "none"]
    local = set(id(v) for v in rng.sample(local_ok, min(n_path, len(local_ok))))
    for v in versions:
        if id(v) not in local:
            ext = {"csv": "csv", "jsonl": "jsonl", "parquet": "parquet"}[v["ds"]["spec"]["format"]]
            if v["ds"]["spec"].get("compression") == "gzip":
                ext += ".gz"
            v["spec"]["url"] = "https://data.example.com/%s/%s/%s.%s" % (
                v["ds"]["labels"]["team"], v["ds"]["name"], v["name"], ext)
            v["spec"]["sha256"] = g.hexstr(64)

    rules = []
    # Rules check CSV and JSONL datasets only: dpctl validate refuses a rule that would have to read Parquet.
    evaluable = [i for i, d in enumerate(datasets) if d["spec"]["format"] != "parquet"]
    first = evaluable[:min(len(evaluable), n_qr)]
    rule_owners = sorted(first + [rng.choice(evaluable) for _ in range(n_qr - len(first))])
    rseq = {}
    for idx in rule_owners:
        ds = datasets[idx]
        k = rseq[idx] = rseq.get(idx, 0) + 1
        rules.append(g.rule("%s-%s" % (ds["name"], ["hygiene", "contract", "drift", "sla", "freshness"][(k - 1) % 5] + ("" if k <= 5 else "-%d" % k)), ds))

    experiments = []
    for i in range(n_ex):
        team = TEAMS[i % len(TEAMS)]
        own = [d for d in datasets if d["labels"]["team"] == team] or datasets
        picked = rng.sample(own, min(len(own), rng.randint(1, 3)))
        metric = rng.choice(METRICS)
        experiments.append({"kind": "Experiment", "name": "%s-%s-%03d" % (team, rng.choice(["baselines", "ablation", "tuning", "v2", "retrain"]), i),
                            "labels": {"team": team}, "annotations": {},
                            "spec": {"description": g.sentence(6, 16), "datasets": [d["name"] for d in picked], "objective": metric}})

    runs = []
    for i in range(n_run):
        exp = experiments[i % n_ex]
        runs.append(g.run("%s-run-%04d" % (exp["name"], i // n_ex + 1), exp, versions_of))

    # ---- lay the objects out in files --------------------------------------
    # manifests/<team>/<kind folder>/<team>-<kind>-NN.yaml, 20-80 documents a
    # file; references cross files and folders freely.
    groups = {}
    for o in datasets + versions + rules + experiments + runs:
        groups.setdefault((o["labels"]["team"], o["kind"]), []).append(o)
    mdir = os.path.join(args.outdir, "manifests")
    ddir = os.path.join(args.outdir, "data")
    os.makedirs(ddir, exist_ok=True)
    nfiles = ndocs = nbytes = ndata = ndata_bytes = 0
    for team in TEAMS:
        for kind, sub in KIND_FOLDERS:
            objs = groups.get((team, kind), [])
            pos = part = 0
            while pos < len(objs):
                size = rng.randint(20, 80)
                if len(objs) - (pos + size) < 10:
                    size = len(objs) - pos  # no tiny tail files
                chunk = objs[pos:pos + size]
                pos += size
                part += 1
                folder = os.path.join(mdir, team, sub)
                os.makedirs(folder, exist_ok=True)
                ext = "yml" if rng.random() < 0.15 else "yaml"
                path = os.path.join(folder, "%s-%s-%02d.%s" % (team, sub, part, ext))
                out = ["# Generated by bench/validate/generate.py (seed %d): %d documents\n" % (args.seed, len(chunk))]
                for j, o in enumerate(chunk):
                    if j or rng.random() < 0.5:
                        out.append("---\n")
                    if o["kind"] == "DatasetVersion" and id(o) in local:
                        fmt = o["ds"]["spec"]["format"]
                        dpath = os.path.join(ddir, team, "%s.%s" % (o["name"], fmt))
                        os.makedirs(os.path.dirname(dpath), exist_ok=True)
                        data_file(rng, o["ds"], dpath)
                        ndata += 1
                        ndata_bytes += os.path.getsize(dpath)
                        o["spec"]["path"] = os.path.relpath(dpath, folder).replace(os.sep, "/")
                    emit(o, out)
                text = "".join(out)
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(text)
                nfiles += 1
                ndocs += len(chunk)
                nbytes += len(text.encode("utf-8"))

    print("%d files, %d documents, %d bytes (%.1f MB) of manifests; %d data files, %d bytes"
          % (nfiles, ndocs, nbytes, nbytes / 1e6, ndata, ndata_bytes))


if __name__ == "__main__":
    main()
