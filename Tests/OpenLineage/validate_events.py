"""Validates OpenLineage events, one JSON object a line, against the OpenLineage JSON Schema
(spec/OpenLineage.json, RunEvent) and each facet against the schema its `_schemaURL` names:
the spec's facet schemas in spec/facets, or (for custom facets) the schema fetched from the URL
when it starts with one of the --fetch prefixes (DataPilot's server). A facet whose schema is
unknown fails. Formats (date-time, uri, uuid) are checked.

    validate_events.py EVENTS.jsonl --fetch http://127.0.0.1:PORT/

Prints one JSON line: {"events": N, "facets": {"name": count}, "types": {...}}; exit 1 with the
errors otherwise.
"""

import json
import pathlib
import sys
import urllib.request

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

HERE = pathlib.Path(__file__).parent / "spec"


def load_registry(fetch_prefixes):
    resources = []
    for path in [HERE / "OpenLineage.json", *sorted((HERE / "facets").glob("*.json"))]:
        schema = json.loads(path.read_text())
        resources.append((schema["$id"], Resource.from_contents(schema, default_specification=DRAFT202012)))

    def retrieve(uri):
        if not any(uri.startswith(prefix) for prefix in fetch_prefixes):
            raise LookupError(f"unknown schema {uri}")
        with urllib.request.urlopen(uri, timeout=30) as answer:
            return Resource.from_contents(json.load(answer), default_specification=DRAFT202012)

    return Registry(retrieve=retrieve).with_resources(resources)


def main():
    args = sys.argv[1:]
    fetch = [args[i + 1] for i, a in enumerate(args) if a == "--fetch"]
    files = [a for i, a in enumerate(args) if a != "--fetch" and (i == 0 or args[i - 1] != "--fetch")]
    registry = load_registry(fetch)
    checker = jsonschema.FormatChecker()
    base = "https://openlineage.io/spec/2-0-2/OpenLineage.json"

    def validator(ref):
        return jsonschema.Draft202012Validator({"$ref": ref}, registry=registry, format_checker=checker)

    run_event = validator(base + "#/$defs/RunEvent")
    errors, facets, types, count = [], {}, {}, 0
    for file in files:
        for number, line in enumerate(pathlib.Path(file).read_text().splitlines(), 1):
            if not line.strip():
                continue
            count += 1
            where = f"{file}:{number}"
            event = json.loads(line)
            types[event.get("eventType")] = types.get(event.get("eventType"), 0) + 1
            for error in run_event.iter_errors(event):
                errors.append(f"{where}: RunEvent {list(error.absolute_path)}: {error.message}")
            groups = [("run", event.get("run", {}).get("facets", {})), ("job", event.get("job", {}).get("facets", {}))]
            for side in ("inputs", "outputs"):
                for index, dataset in enumerate(event.get(side, [])):
                    for key in ("facets", "inputFacets", "outputFacets"):
                        groups.append((f"{side}[{index}].{key}", dataset.get(key, {})))
            for place, group in groups:
                for name, facet in group.items():
                    url = facet.get("_schemaURL", "")
                    if "#" not in url:
                        errors.append(f"{where}: {place}.{name}: _schemaURL {url!r} names no definition")
                        continue
                    document = url.split("#")[0]
                    try:
                        # The facet itself against its definition, and the facet's key against the document.
                        for error in validator(url).iter_errors(facet):
                            errors.append(f"{where}: {place}.{name} {list(error.absolute_path)}: {error.message}")
                        for error in validator(document).iter_errors({name: facet}):
                            errors.append(f"{where}: {place} key {name}: {error.message}")
                    except Exception as problem:  # an unknown schema, say
                        errors.append(f"{where}: {place}.{name}: cannot check against {url}: {problem}")
                    facets[name] = facets.get(name, 0) + 1
    if errors:
        print("\n".join(errors[:50]))
        sys.exit(1)
    print(json.dumps({"events": count, "facets": facets, "types": types}))


if __name__ == "__main__":
    main()
