#!/usr/bin/env python3
"""Checks manifests against the generated JSON Schemas and CRDs, the way other tools would.

usage: check.py REPOSITORY_ROOT FOLDER

Every FOLDER/*.yaml file holds one manifest written as JSON (so that no YAML 1.1/1.2 difference
between parsers plays a part) and is named NNNN-<kind>.yaml after the kind it was made from.
Prints one JSON object: {file name: {"schema": [errors], "crd": [errors]}}; no errors means valid.

- "schema": python-jsonschema (draft 2020-12) with schemas/<kind>.json, the kind chosen from the
  file name, as an editor or a CI linter picks a schema for a file.
- "crd": what a Kubernetes API server does with the object given crds/*.yaml, with
  `kubectl apply` and its default server-side field validation (Strict):
  1. the object is routed by apiVersion and kind; no served CRD, no object;
  2. metadata gets the API server's own ObjectMeta checks (a CRD may not constrain metadata
     beyond its name): name a DNS-1123 subdomain, label keys and values, annotation keys; a null
     label or annotation value is taken as left out, like the pruning below (how an API server
     coerces a null inside metadata is an assumption here, not checked against one);
  3. nulls are pruned where the structural schema is not nullable (object properties and map
     values, not list items), as k8s.io/apiextensions-apiserver's PruneNonNullableNullsWithoutDefaults;
  4. unknown fields are errors (Strict field validation) where the schema declares properties;
  5. the openAPIV3Schema is validated with python-jsonschema after converting the Kubernetes
     extensions (x-kubernetes-int-or-string is an integer or a string; preserve-unknown-fields
     has no type of its own);
  6. x-kubernetes-list-type: map lists must not repeat their keys;
  7. x-kubernetes-validations rules are evaluated by a small evaluator for the CEL forms the
     generator writes (`!has(self.a) || has(self.b)`, `self.a <= self.b` joined by `||`); any
     other form is an error here, so a new rule cannot pass unchecked.

Regular expressions: JSON Schema patterns are ECMA-262 and CRD patterns RE2; in both, `$` with no
multiline flag matches only at the very end. Python's `re` also lets `$` match before a final
newline, so patterns are compiled with a trailing `$` as `\\Z`.
"""

import json
import os
import re
import sys

import jsonschema
import yaml

API_VERSION = "datapilot.io/v1alpha1"


def ecma_pattern(pattern):
    return re.compile(re.sub(r"(?<!\\)\$$", r"\\Z", pattern))


def pattern_keyword(validator, pattern, instance, schema):
    if validator.is_type(instance, "string") and not ecma_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": pattern_keyword})


def errors_of(validator, instance):
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(instance)]


# --- Kubernetes ObjectMeta (k8s.io/apimachinery validation) -------------------------------------

DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS_SUBDOMAIN = re.compile(rf"{DNS_LABEL}(\.{DNS_LABEL})*\Z")
QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
OBJECT_META_FIELDS = {
    "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
    "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
    "ownerReferences", "finalizers", "managedFields",
}


def is_subdomain(s):
    return len(s) <= 253 and DNS_SUBDOMAIN.match(s) is not None


def is_qualified_name(key):
    """IsQualifiedName: an optional DNS subdomain prefix and '/', then a name of at most 63."""
    parts = key.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix or not is_subdomain(prefix):
            return False
    else:
        return False
    return 0 < len(name) <= 63 and QUALIFIED_NAME.match(name) is not None


def is_label_value(value):
    return value == "" or (len(value) <= 63 and QUALIFIED_NAME.match(value) is not None)


def object_meta_errors(meta):
    if meta is None:
        return ["metadata.name: Required value"]
    if not isinstance(meta, dict):
        return ["metadata: must be an object"]
    errors = [f"metadata.{k}: unknown field" for k in meta if k not in OBJECT_META_FIELDS]
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        errors.append("metadata.name: Required value" if name is None else "metadata.name: must be a string")
    elif not is_subdomain(name):
        errors.append(f"metadata.name: {name!r} is not a DNS-1123 subdomain")
    for field, value_ok in (("labels", is_label_value), ("annotations", lambda v: True)):
        values = meta.get(field)
        if values is None:
            continue
        if not isinstance(values, dict):
            errors.append(f"metadata.{field}: must be a map of strings")
            continue
        for key, value in values.items():
            # Annotation keys are checked in lower case (ValidateAnnotations).
            if not is_qualified_name(key.lower() if field == "annotations" else key):
                errors.append(f"metadata.{field}: invalid key {key!r}")
            if value is None:
                continue
            if not isinstance(value, str):
                errors.append(f"metadata.{field}.{key}: must be a string")
            elif not value_ok(value):
                errors.append(f"metadata.{field}.{key}: invalid value {value!r}")
    return errors


# --- structural schema handling ------------------------------------------------------------------


def prune_nulls(value, schema):
    """PruneNonNullableNullsWithoutDefaults."""
    if isinstance(value, dict):
        for key in list(value):
            sub = None
            if schema is not None:
                sub = schema.get("properties", {}).get(key)
                if sub is None and isinstance(schema.get("additionalProperties"), dict):
                    sub = schema["additionalProperties"]
            if value[key] is None and sub is not None and not sub.get("nullable") and "default" not in sub:
                del value[key]
            else:
                prune_nulls(value[key], sub)
    elif isinstance(value, list):
        items = schema.get("items") if schema is not None else None
        for item in value:
            prune_nulls(item, items)


def to_json_schema(schema):
    """The structural schema as a plain JSON Schema, with Strict field validation."""
    if isinstance(schema, list):
        return [to_json_schema(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for key, value in schema.items():
        if key.startswith("x-kubernetes-") or key in ("nullable", "description"):
            continue
        if key in ("properties",):
            out[key] = {name: to_json_schema(sub) for name, sub in value.items()}
        else:
            out[key] = to_json_schema(value)
    if schema.get("x-kubernetes-int-or-string"):
        out["type"] = ["integer", "string"]
    if schema.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"] if isinstance(out["type"], str) else out["type"] + ["null"]
    if "properties" in schema and "additionalProperties" not in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    return out


def has(obj, field):
    return isinstance(obj, dict) and field in obj


CEL_TERM = [
    (re.compile(r"!has\(self\.(\w+)\)\Z"), lambda obj, m: not has(obj, m[1])),
    (re.compile(r"has\(self\.(\w+)\)\Z"), lambda obj, m: has(obj, m[1])),
    (re.compile(r"self\.(\w+) <= self\.(\w+)\Z"), lambda obj, m: obj[m[1]] <= obj[m[2]]),
]


def cel(rule, obj):
    """The CEL forms the generator writes: terms joined by ||, evaluated left to right."""
    for term in rule.split(" || "):
        for pattern, evaluate in CEL_TERM:
            m = pattern.match(term.strip())
            if m:
                if evaluate(obj, m):
                    return True
                break
        else:
            raise ValueError(f"CEL form not understood by this checker: {rule!r}")
    return False


def extension_errors(value, schema, path):
    """x-kubernetes-validations and x-kubernetes-list-type: map, over the (pruned) object."""
    if schema is None:
        return []
    errors = []
    if isinstance(value, dict):
        for rule in schema.get("x-kubernetes-validations", []):
            if not cel(rule["rule"], value):
                errors.append(f"{path}: {rule['message']}")
        for key, sub in value.items():
            child = schema.get("properties", {}).get(key)
            if child is None and isinstance(schema.get("additionalProperties"), dict):
                child = schema["additionalProperties"]
            errors += extension_errors(sub, child, f"{path}.{key}")
    elif isinstance(value, list):
        if schema.get("x-kubernetes-list-type") == "map":
            keys = schema["x-kubernetes-list-map-keys"]
            seen = set()
            for item in value:
                if isinstance(item, dict):
                    key = json.dumps([item.get(k) for k in keys])
                    if key in seen:
                        errors.append(f"{path}: Duplicate value: {key}")
                    seen.add(key)
        for i, item in enumerate(value):
            errors += extension_errors(item, schema.get("items"), f"{path}[{i}]")
    return errors


class CRDs:
    def __init__(self, root):
        self.by_kind = {}
        folder = os.path.join(root, "crds")
        for name in sorted(os.listdir(folder)):
            if not name.startswith("datapilot.io_"):
                continue
            with open(os.path.join(folder, name)) as f:
                crd = yaml.safe_load(f)
            for version in crd["spec"]["versions"]:
                if version["served"]:
                    api_version = f"{crd['spec']['group']}/{version['name']}"
                    schema = version["schema"]["openAPIV3Schema"]
                    self.by_kind[(api_version, crd["spec"]["names"]["kind"])] = (
                        schema, Validator(to_json_schema(schema)))

    def errors(self, obj):
        if not isinstance(obj, dict):
            return ["not an object"]
        route = (obj.get("apiVersion"), obj.get("kind"))
        served = self.by_kind.get(route) if all(isinstance(part, str) for part in route) else None
        if served is None:
            return [f"no CRD serves apiVersion {obj.get('apiVersion')!r} kind {obj.get('kind')!r}"]
        schema, validator = served
        errors = object_meta_errors(obj.get("metadata"))
        obj = json.loads(json.dumps(obj))
        obj.pop("metadata", None)  # checked above, as the API server checks ObjectMeta
        prune_nulls(obj, schema)
        errors += errors_of(validator, obj)
        if not errors:
            errors += extension_errors(obj, schema, "")
        return errors


def main():
    root, folder = sys.argv[1], sys.argv[2]
    schemas = {}
    for name in os.listdir(os.path.join(root, "schemas")):
        with open(os.path.join(root, "schemas", name)) as f:
            schema = json.load(f)
        Validator.check_schema(schema)
        schemas[name[: -len(".json")]] = Validator(schema)
    crds = CRDs(root)
    results = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            obj = json.load(f)
        kind = name[: -len(".yaml")].split("-", 1)[1]
        results[name] = {"schema": errors_of(schemas[kind], obj), "crd": crds.errors(obj)}
    json.dump(results, sys.stdout, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
