#!/usr/bin/env python3
"""An independent check of a DataPilot evidence bundle: DSSE signatures verified by
securesystemslib (over the DSSE pre-authentication encoding) with the pinned keys, and every
statement checked against in-toto Statement v1, SLSA Provenance v1 and test-result v0.1.

usage: verify_bundle.py BUNDLE KEYS    (KEYS: the server's /.well-known/datapilot/evidence-keys)
Prints one line per finding; exit 0 when everything holds, 1 otherwise."""
import base64
import json
import sys

from securesystemslib.dsse import Envelope
from securesystemslib.signer import SSlibKey

STATEMENT = "https://in-toto.io/Statement/v1"
PROVENANCE = "https://slsa.dev/provenance/v1"
TEST_RESULT = "https://in-toto.io/attestation/test-result/v0.1"
TEST_RESULT_FIELDS = {"result", "configuration", "url", "passedTests", "warnedTests", "failedTests"}
DESCRIPTOR_FIELDS = {"name", "uri", "digest", "content", "downloadLocation", "mediaType", "annotations"}

problems = []


def problem(text):
    problems.append(text)
    print("FAIL " + text)


def descriptor(where, item):
    extra = set(item) - DESCRIPTOR_FIELDS
    if extra:
        problem(f"{where}: fields a ResourceDescriptor does not have: {sorted(extra)}")
    if not ({"uri", "digest", "content"} & set(item)):
        problem(f"{where}: a ResourceDescriptor needs uri, digest or content")
    uri = item.get("uri")
    if uri is not None and ":" not in uri:
        problem(f"{where}: uri {uri!r} has no scheme")


def main():
    bundle = json.load(open(sys.argv[1]))
    document = json.load(open(sys.argv[2]))
    keys = []
    for entry in document["keys"]:
        raw = base64.b64decode(entry["publicKey"])
        keys.append(SSlibKey(entry["keyid"], "ed25519", "ed25519", {"public": raw.hex()}))
    for index, envelope in enumerate(bundle["envelopes"]):
        parsed = Envelope.from_dict(envelope)
        try:
            parsed.verify(keys, 1)
        except Exception as error:  # securesystemslib raises VerificationError
            problem(f"envelopes[{index}]: signature does not verify: {error}")
            continue
        statement = json.loads(parsed.payload)
        where = f"envelopes[{index}]"
        if statement.get("_type") != STATEMENT:
            problem(f"{where}: _type is {statement.get('_type')!r}")
        for s, subject in enumerate(statement.get("subject", [])):
            if not subject.get("name") or not subject.get("digest"):
                problem(f"{where}.subject[{s}]: needs name and digest")
        kind = statement.get("predicateType")
        predicate = statement.get("predicate", {})
        if kind == TEST_RESULT:
            extra = set(predicate) - TEST_RESULT_FIELDS
            if extra:
                problem(f"{where}: test-result fields the predicate does not have: {sorted(extra)}")
            if predicate.get("result") not in ("PASSED", "WARNED", "FAILED"):
                problem(f"{where}: test-result result {predicate.get('result')!r}")
            for c, item in enumerate(predicate.get("configuration", [])):
                descriptor(f"{where}.configuration[{c}]", item)
        elif kind == PROVENANCE:
            definition = predicate.get("buildDefinition", {})
            if not definition.get("buildType"):
                problem(f"{where}: provenance without buildType")
            for d, item in enumerate(definition.get("resolvedDependencies", [])):
                descriptor(f"{where}.resolvedDependencies[{d}]", item)
            if not predicate.get("runDetails", {}).get("builder", {}).get("id"):
                problem(f"{where}: provenance without runDetails.builder.id")
        print(f"ok {where}: {kind}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
