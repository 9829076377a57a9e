"""Reads a report dpctl wrote and checks it as the CI tools that consume it would.

usage: check_reports.py sarif FILE EXPECTED.json | junit FILE EXPECTED.json | sarif-model FILE

EXPECTED lists the diagnostics (dpctl validate -o json's "diagnostics") the report must carry;
sarif-model checks only the log itself (the object model, rule indexes, levels, regions).
SARIF is loaded with sarif-pydantic's SARIF 2.1.0 object model, then checked where code
scanning is strict: version, rules indexed by ruleIndex, levels, 1-based regions, URIs. JUnit is
parsed with junitparser. Prints nothing and exits 0 when the report holds; says why otherwise.
"""
import json
import sys
from urllib.parse import unquote, urlparse


def fail(message):
    print(message)
    sys.exit(1)


def check_sarif_model(path):
    from sarif_pydantic import Sarif

    raw = json.load(open(path))
    log = Sarif.model_validate(raw)
    if log.version != "2.1.0":
        fail(f"version {log.version!r}, not 2.1.0")
    if len(log.runs) != 1:
        fail(f"{len(log.runs)} runs, not 1")
    run = raw["runs"][0]
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    if len(set(ids)) != len(ids):
        fail(f"rule ids repeat: {ids}")
    for result in run["results"]:
        if ids[result["ruleIndex"]] != result["ruleId"]:
            fail(f"ruleIndex {result['ruleIndex']} points at {ids[result['ruleIndex']]!r}, not {result['ruleId']!r}")
        if result["level"] not in ("none", "note", "warning", "error"):
            fail(f"level {result['level']!r}")
        for location in result.get("locations", []):
            region = location.get("physicalLocation", {}).get("region")
            if region is not None and (region["startLine"] < 1 or region["startColumn"] < 1):
                fail(f"region {region} is not 1-based")
    return raw, ids


def check_sarif(path, expected):
    raw, ids = check_sarif_model(path)
    run = raw["runs"][0]
    results = run["results"]
    if len(results) != len(expected):
        fail(f"{len(results)} results for {len(expected)} diagnostics")
    for result, diagnostic in zip(results, expected):
        if result["ruleId"] != diagnostic["code"]:
            fail(f"ruleId {result['ruleId']!r} for code {diagnostic['code']!r}")
        if ids[result["ruleIndex"]] != result["ruleId"]:
            fail(f"ruleIndex {result['ruleIndex']} points at {ids[result['ruleIndex']]!r}, not {result['ruleId']!r}")
        if result["level"] not in ("none", "note", "warning", "error") or result["level"] != diagnostic["severity"]:
            fail(f"level {result['level']!r} for severity {diagnostic['severity']!r}")
        location = result["locations"][0]["physicalLocation"]
        region = location["region"]
        if (region["startLine"], region["startColumn"]) != (diagnostic["line"], diagnostic["column"]):
            fail(f"region {region} for {diagnostic['line']}:{diagnostic['column']}")
        uri = location["artifactLocation"]["uri"]
        parsed = urlparse(uri)
        file = unquote(parsed.path) if parsed.scheme == "file" else unquote(uri)
        if parsed.scheme not in ("", "file") or file != diagnostic["file"].removeprefix("./"):
            fail(f"uri {uri!r} for file {diagnostic['file']!r}")
        if diagnostic["message"] not in result["message"]["text"]:
            fail(f"message {result['message']['text']!r} lacks {diagnostic['message']!r}")


def check_junit(path, expected):
    from junitparser import Failure, JUnitXml

    xml = JUnitXml.fromfile(path)
    failures = {}
    cases = 0
    for suite in xml:
        for case in suite:
            cases += 1
            for entry in case.result:
                if isinstance(entry, Failure):
                    failures.setdefault(case.name, []).append(entry)
    errors = [d for d in expected if d["severity"] == "error"]
    files_with_errors = {d["file"] for d in errors}
    if set(failures) != files_with_errors:
        fail(f"failing cases {sorted(failures)}, files with errors {sorted(files_with_errors)}")
    for diagnostic in errors:
        found = [f for f in failures[diagnostic["file"]] if f.type == diagnostic["code"] and diagnostic["message"] in f.message]
        if not found:
            fail(f"no failure of type {diagnostic['code']} with {diagnostic['message']!r} in {diagnostic['file']}")
    if cases < len(files_with_errors):
        fail(f"{cases} cases")


kind, path = sys.argv[1:3]
if kind == "sarif-model":
    check_sarif_model(path)
else:
    expected = json.load(open(sys.argv[3]))
    {"sarif": check_sarif, "junit": check_junit}[kind](path, expected)
