#!/usr/bin/env python3
"""A fake Kubernetes API server for DataPilot's Kubernetes executor tests (no cluster runs here).

It serves HTTPS with a certificate the test makes, and enforces the documented request and
response shapes of exactly the endpoints the executor uses:

  POST   /api/v1/namespaces/NS/secrets
  POST   /apis/networking.k8s.io/v1/namespaces/NS/networkpolicies
  POST   /apis/batch/v1/namespaces/NS/jobs
  GET    /apis/batch/v1/namespaces/NS/jobs[?labelSelector=&fieldSelector=metadata.name=]
  GET    /apis/batch/v1/namespaces/NS/jobs?watch=1&resourceVersion=&fieldSelector=&timeoutSeconds=
  GET    /apis/batch/v1/namespaces/NS/jobs/NAME
  PATCH  /apis/batch/v1/namespaces/NS/jobs/NAME      (application/merge-patch+json)
  DELETE /apis/batch/v1/namespaces/NS/jobs/NAME      (a DeleteOptions body; propagationPolicy)
  GET    /api/v1/namespaces/NS/pods?labelSelector=job-name=NAME
  GET    /api/v1/namespaces/NS/pods/POD/log[?container=&limitBytes=]

Every request needs `Authorization: Bearer TOKEN` (401 Status otherwise); errors are Status
objects (404 NotFound, 409 AlreadyExists, 415, 422 Invalid, 405); every change moves one global
resourceVersion on; a watch streams `{"type": ADDED|MODIFIED|DELETED|BOOKMARK, "object": ...}`
lines (chunked) from the version asked for, and a version older than the kept history gets an
ERROR event with a 410 Expired Status, as the real API sends. A Job that is not suspended gets
a running Pod; deleting a Job with propagationPolicy Background removes its Pods and the objects
it owns (ownerReferences) right after; Orphan (the batch/v1 default) leaves them.

Test controls, without a token, under /_fake/:
  POST /_fake/jobs/NS/NAME/complete   {"log": "...", "exitCode": 0}
  POST /_fake/jobs/NS/NAME/fail       {"reason": "BackoffLimitExceeded", "message": "...", "exitCode": 3, "log": "..."}
  POST /_fake/jobs/NS                 a Job object stored as given (status included), for GC tests
  POST /_fake/compact                 forget the history: every older resourceVersion is now too old
  GET  /_fake/requests                every API request: method, path, query, content type, body, status
  GET  /_fake/objects                 every stored object by resource

Usage: fake_apiserver.py --cert CERT --key KEY --token TOKEN [--client-ca CA]   (prints "PORT <n>" once listening)
With --client-ca, a request that presents a client certificate signed by CA is authenticated too
(the x509 client-certificate authentication of the real API server).
"""
import argparse
import base64
import copy
import datetime
import json
import re
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")

# resource -> (group/version path prefix, apiVersion, kind)
RESOURCES = {
    "secrets": ("/api/v1", "v1", "Secret"),
    "pods": ("/api/v1", "v1", "Pod"),
    "networkpolicies": ("/apis/networking.k8s.io/v1", "networking.k8s.io/v1", "NetworkPolicy"),
    "jobs": ("/apis/batch/v1", "batch/v1", "Job"),
}
PATH = re.compile(r"^(/api/v1|/apis/batch/v1|/apis/networking\.k8s\.io/v1)/namespaces/([^/]+)/([a-z]+)(?:/([^/]+))?(?:/(log))?$")


def qualified(resource):
    """The resource as the API names it in messages: jobs.batch, secrets, ..."""
    return {"jobs": "jobs.batch", "networkpolicies": "networkpolicies.networking.k8s.io"}.get(resource, resource)


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}
    if details:
        body["details"] = details
    return body


class Problem(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.body = status(code, reason, message, details)
        self.code = code


class Store:
    def __init__(self):
        self.lock = threading.Condition()
        self.version = 100
        self.floor = 0          # watches from a version below this are too old
        self.history = []       # (version, resource, namespace, type, object)
        self.objects = {name: {} for name in RESOURCES}   # resource -> {(ns, name): obj}
        self.logs = {}          # (ns, pod) -> bytes
        self.requests = []

    def bump(self, resource, namespace, kind, obj):
        """Records a change (caller holds the lock): a new resourceVersion and a history entry."""
        self.version += 1
        if kind != "DELETED":
            obj["metadata"]["resourceVersion"] = str(self.version)
        else:
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(self.version)
        self.history.append((self.version, resource, namespace, kind, copy.deepcopy(obj)))
        self.lock.notify_all()

    def put(self, resource, namespace, obj, kind):
        self.objects[resource][(namespace, obj["metadata"]["name"])] = obj
        self.bump(resource, namespace, kind, obj)

    def remove(self, resource, namespace, name):
        obj = self.objects[resource].pop((namespace, name), None)
        if obj is not None:
            self.bump(resource, namespace, "DELETED", obj)
        return obj


STORE = Store()
TOKEN = None


def selector_matches(obj, label_selector, field_selector):
    labels = obj["metadata"].get("labels") or {}
    for term in filter(None, (label_selector or "").split(",")):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.split("=", 1)
            if labels.get(key.rstrip("=")) != value:
                return False
        elif labels.get(term) is None:
            return False
    for term in filter(None, (field_selector or "").split(",")):
        key, _, value = term.partition("=")
        if key == "metadata.name":
            if obj["metadata"]["name"] != value:
                return False
        elif key == "metadata.namespace":
            if obj["metadata"].get("namespace") != value:
                return False
        else:
            raise Problem(400, "BadRequest", f'"{key}" is not a known field selector: only "metadata.name", "metadata.namespace"')
    return True


def require_object(body, resource, namespace):
    _, api_version, kind = RESOURCES[resource]
    if not isinstance(body, dict):
        raise Problem(400, "BadRequest", "the body must be a JSON object")
    if body.get("apiVersion") != api_version or body.get("kind") != kind:
        raise Problem(400, "BadRequest", f"the body must be a {kind} ({api_version}), got {body.get('kind')} ({body.get('apiVersion')})")
    meta = body.get("metadata")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        raise Problem(422, "Invalid", f"{kind}: metadata.name: Required value")
    name = meta["name"]
    limit, pattern = (63, DNS_LABEL) if kind == "Job" else (253, DNS_SUBDOMAIN)
    if len(name) > limit or not pattern.match(name):
        raise Problem(422, "Invalid", f'{kind} "{name}" is invalid: metadata.name: a lowercase RFC 1123 name of at most {limit} characters')
    if meta.get("namespace", namespace) != namespace:
        raise Problem(400, "BadRequest", "the namespace of the provided object does not match the namespace sent on the request")
    for key, value in (meta.get("labels") or {}).items():
        if not isinstance(value, str) or len(value) > 63 or not re.match(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", value):
            raise Problem(422, "Invalid", f'{kind} "{name}" is invalid: metadata.labels: Invalid value: "{value}"')
    for owner in meta.get("ownerReferences") or []:
        for field in ("apiVersion", "kind", "name", "uid"):
            if not isinstance(owner.get(field), str) or not owner[field]:
                raise Problem(422, "Invalid", f'{kind} "{name}" is invalid: metadata.ownerReferences.{field}: Required value')
    if kind == "Job":
        spec = body.get("spec") or {}
        pod = (spec.get("template") or {}).get("spec") or {}
        containers = pod.get("containers") or []
        if not containers or not all(isinstance(c.get("name"), str) and c.get("image") for c in containers):
            raise Problem(422, "Invalid", f'Job "{name}" is invalid: spec.template.spec.containers: Required value (each with a name and an image)')
        if pod.get("restartPolicy") not in ("Never", "OnFailure"):
            raise Problem(422, "Invalid", f'Job "{name}" is invalid: spec.template.spec.restartPolicy: Unsupported value: "{pod.get("restartPolicy")}"')
    if kind == "Secret":
        for key, value in (body.get("stringData") or {}).items():
            if not isinstance(value, str):
                raise Problem(400, "BadRequest", f"stringData.{key} must be a string")
    if kind == "NetworkPolicy" and "podSelector" not in (body.get("spec") or {}):
        raise Problem(422, "Invalid", f'NetworkPolicy "{name}" is invalid: spec.podSelector: Required value')
    return name


def new_object(body, namespace):
    obj = copy.deepcopy(body)
    meta = obj["metadata"]
    meta["namespace"] = namespace
    meta["uid"] = str(uuid.uuid4())
    meta["creationTimestamp"] = now()
    meta["generation"] = 1
    return obj


def start_pod(job):
    """A running Pod for a Job that is not suspended (caller holds the lock)."""
    namespace, name = job["metadata"]["namespace"], job["metadata"]["name"]
    template = job["spec"]["template"]
    labels = dict((template.get("metadata") or {}).get("labels") or {})
    labels.update({"job-name": name, "batch.kubernetes.io/job-name": name,
                   "controller-uid": job["metadata"]["uid"], "batch.kubernetes.io/controller-uid": job["metadata"]["uid"]})
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": f"{name}-{uuid.uuid4().hex[:5]}", "namespace": namespace, "labels": labels,
                        "uid": str(uuid.uuid4()), "creationTimestamp": now(),
                        "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": name, "uid": job["metadata"]["uid"],
                                             "controller": True, "blockOwnerDeletion": True}]},
           "spec": copy.deepcopy(template["spec"]),
           "status": {"phase": "Running", "startTime": now(),
                      "containerStatuses": [{"name": c["name"], "ready": True, "restartCount": 0, "image": c["image"],
                                             "state": {"running": {"startedAt": now()}}} for c in template["spec"]["containers"]]}}
    STORE.put("pods", namespace, pod, "ADDED")
    STORE.logs[(namespace, pod["metadata"]["name"])] = b""
    job["status"] = {"active": 1, "startTime": now()}


def finish_job(namespace, name, succeeded, body):
    with STORE.lock:
        job = STORE.objects["jobs"].get((namespace, name))
        if job is None:
            raise Problem(404, "NotFound", f'jobs.batch "{name}" not found')
        pods = [p for (ns, _), p in STORE.objects["pods"].items() if ns == namespace and p["metadata"]["labels"].get("job-name") == name]
        if not pods:
            raise Problem(409, "Conflict", f'job "{name}" has no pod (is it suspended?)')
        exit_code = body.get("exitCode", 0 if succeeded else 1)
        for pod in pods:
            pod["status"]["phase"] = "Succeeded" if succeeded else "Failed"
            for container in pod["status"]["containerStatuses"]:
                container["ready"] = False
                container["state"] = {"terminated": {"exitCode": exit_code, "reason": "Completed" if succeeded else "Error",
                                                     "startedAt": pod["status"]["startTime"], "finishedAt": now()}}
            STORE.logs[(namespace, pod["metadata"]["name"])] = body.get("log", "").encode()
            STORE.bump("pods", namespace, "MODIFIED", pod)
        stamp = now()
        status_ = job.setdefault("status", {})
        status_.pop("active", None)
        if succeeded:
            status_["succeeded"] = 1
            status_["completionTime"] = stamp
            status_["conditions"] = [
                {"type": "SuccessCriteriaMet", "status": "True", "lastProbeTime": stamp, "lastTransitionTime": stamp},
                {"type": "Complete", "status": "True", "lastProbeTime": stamp, "lastTransitionTime": stamp}]
        else:
            status_["failed"] = 1
            reason = body.get("reason", "BackoffLimitExceeded")
            message = body.get("message", "Job has reached the specified backoff limit")
            status_["conditions"] = [
                {"type": "FailureTarget", "status": "True", "reason": reason, "message": message, "lastProbeTime": stamp, "lastTransitionTime": stamp},
                {"type": "Failed", "status": "True", "reason": reason, "message": message, "lastProbeTime": stamp, "lastTransitionTime": stamp}]
        STORE.bump("jobs", namespace, "MODIFIED", job)
        return job


def delete_dependents(namespace, owner_uid, job_name):
    time.sleep(0.2)   # the garbage collector works after the owner is gone
    with STORE.lock:
        for resource in ("pods", "secrets", "networkpolicies"):
            for (ns, name), obj in list(STORE.objects[resource].items()):
                owners = [o.get("uid") for o in obj["metadata"].get("ownerReferences") or []]
                if ns == namespace and owner_uid in owners:
                    STORE.remove(resource, ns, name)
                    STORE.logs.pop((ns, name), None)


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-kube-apiserver"

    def log_message(self, format, *args):
        sys.stderr.write("fake-apiserver: " + (format % args) + "\n")

    # -- plumbing ---------------------------------------------------------------------------
    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            raise Problem(400, "BadRequest", "send the body with a Content-Length")
        return self.rfile.read(length) if length else b""

    def send_json(self, code, body, record=None):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        if record is not None:
            record["status"] = code

    def handle_any(self, method):
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        try:
            raw = self.read_body()
        except Problem as problem:
            self.send_json(problem.code, problem.body)
            return
        if url.path.startswith("/_fake/"):
            try:
                self.fake(method, url.path, json.loads(raw) if raw else {})
            except Problem as problem:
                self.send_json(problem.code, problem.body)
            return
        record = {"method": method, "path": url.path, "query": query,
                  "contentType": self.headers.get("Content-Type"), "authorized": False}
        with STORE.lock:
            STORE.requests.append(record)
        try:
            has_client_certificate = bool(getattr(self.connection, "getpeercert", lambda: None)())
            if self.headers.get("Authorization") != f"Bearer {TOKEN}" and not has_client_certificate:
                raise Problem(401, "Unauthorized", "Unauthorized")
            record["clientCertificate"] = has_client_certificate
            record["authorized"] = True
            body = None
            if raw:
                if method in ("POST", "PUT") and self.headers.get("Content-Type") != "application/json":
                    raise Problem(415, "UnsupportedMediaType", f'the body of a {method} must be application/json, got "{self.headers.get("Content-Type")}"')
                try:
                    body = json.loads(raw)
                except ValueError as error:
                    raise Problem(400, "BadRequest", f"the body is not JSON: {error}")
            record["body"] = body
            self.api(method, url.path, query, body, record)
        except Problem as problem:
            self.send_json(problem.code, problem.body, record)
        except BrokenPipeError:
            pass

    def do_GET(self): self.handle_any("GET")
    def do_POST(self): self.handle_any("POST")
    def do_PUT(self): self.handle_any("PUT")
    def do_PATCH(self): self.handle_any("PATCH")
    def do_DELETE(self): self.handle_any("DELETE")

    # -- the API ----------------------------------------------------------------------------
    def api(self, method, path, query, body, record):
        match = PATH.match(path)
        if not match or match.group(3) not in RESOURCES or RESOURCES[match.group(3)][0] != match.group(1):
            raise Problem(404, "NotFound", "the server could not find the requested resource")
        _, namespace, resource, name, sub = match.groups()
        _, api_version, kind = RESOURCES[resource]
        if sub == "log":
            if resource != "pods" or method != "GET":
                raise Problem(404, "NotFound", "the server could not find the requested resource")
            return self.pod_log(namespace, name, query, record)
        allowed = {"secrets": {"POST"}, "networkpolicies": {"POST"}, "pods": {"GET"} if name is None else set(),
                   "jobs": {"POST", "GET"} if name is None else {"GET", "PATCH", "DELETE"}}[resource]
        if method not in allowed:
            raise Problem(405, "MethodNotAllowed", f"the server does not allow this method on the requested resource ({method} {resource})")
        if name is None and method == "GET":
            return self.list_or_watch(resource, namespace, query, api_version, kind, record)
        if method == "POST":
            return self.create(resource, namespace, body, record)
        with STORE.lock:
            obj = STORE.objects[resource].get((namespace, name))
            if obj is None:
                raise Problem(404, "NotFound", f'{qualified(resource)} "{name}" not found', {"name": name, "kind": resource})
            if method == "GET":
                return self.send_json(200, obj, record)
            if method == "PATCH":
                if self.headers.get("Content-Type") != "application/merge-patch+json":
                    raise Problem(415, "UnsupportedMediaType", f'PATCH takes application/merge-patch+json here, got "{self.headers.get("Content-Type")}"')
                if not isinstance(body, dict) or set(body) - {"spec", "metadata"}:
                    raise Problem(422, "Invalid", "the patch may change spec and metadata only")
                was_suspended = bool(obj["spec"].get("suspend"))
                patched = merge_patch(obj, body)
                obj.clear()
                obj.update(patched)
                if was_suspended and not obj["spec"].get("suspend"):
                    start_pod(obj)
                STORE.bump(resource, namespace, "MODIFIED", obj)
                return self.send_json(200, obj, record)
            # DELETE: DeleteOptions in the body (or propagationPolicy in the query).
            options = body or {}
            if body is not None and (options.get("kind") != "DeleteOptions" or options.get("apiVersion") not in ("v1", "meta.k8s.io/v1")):
                raise Problem(400, "BadRequest", "the body of a DELETE must be DeleteOptions (kind DeleteOptions, apiVersion v1)")
            policy = options.get("propagationPolicy") or query.get("propagationPolicy") or "Orphan"
            if policy not in ("Orphan", "Background", "Foreground"):
                raise Problem(400, "BadRequest", f'propagationPolicy must be Orphan, Background or Foreground, got "{policy}"')
            preconditions = options.get("preconditions") or {}
            if preconditions.get("uid") and preconditions["uid"] != obj["metadata"]["uid"]:
                raise Problem(409, "Conflict", f'Precondition failed: UID in precondition: {preconditions["uid"]}, UID in object meta: {obj["metadata"]["uid"]}')
            record["propagationPolicy"] = policy
            STORE.remove(resource, namespace, name)
            if policy != "Orphan":
                threading.Thread(target=delete_dependents, args=(namespace, obj["metadata"]["uid"], name), daemon=True).start()
            return self.send_json(200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                                        "details": {"name": name, "kind": resource, "uid": obj["metadata"]["uid"]}}, record)

    def create(self, resource, namespace, body, record):
        name = require_object(body, resource, namespace)
        with STORE.lock:
            if (namespace, name) in STORE.objects[resource]:
                raise Problem(409, "AlreadyExists", f'{qualified(resource)} "{name}" already exists', {"name": name, "kind": resource})
            obj = new_object(body, namespace)
            if resource == "secrets":
                data = obj.setdefault("data", {})
                for key, value in (obj.pop("stringData", None) or {}).items():
                    data[key] = base64.b64encode(value.encode()).decode()
                obj.setdefault("type", "Opaque")
            if resource == "jobs":
                labels = {"batch.kubernetes.io/controller-uid": obj["metadata"]["uid"], "controller-uid": obj["metadata"]["uid"],
                          "batch.kubernetes.io/job-name": name, "job-name": name}
                obj["spec"]["selector"] = {"matchLabels": {"batch.kubernetes.io/controller-uid": obj["metadata"]["uid"]}}
                template_meta = obj["spec"]["template"].setdefault("metadata", {})
                template_meta.setdefault("labels", {}).update(labels)
                obj["status"] = {}
                if obj["spec"].get("suspend"):
                    obj["status"]["conditions"] = [{"type": "Suspended", "status": "True", "reason": "JobSuspended",
                                                    "lastProbeTime": now(), "lastTransitionTime": now()}]
                else:
                    start_pod(obj)
            STORE.put(resource, namespace, obj, "ADDED")
            self.send_json(201, obj, record)

    def list_or_watch(self, resource, namespace, query, api_version, kind, record):
        labels, fields = query.get("labelSelector"), query.get("fieldSelector")
        if query.get("watch") not in (None, "", "0", "false"):
            if resource != "jobs":
                raise Problem(405, "MethodNotAllowed", "the executor only watches jobs")
            return self.watch(resource, namespace, query, labels, fields, record)
        with STORE.lock:
            items = [copy.deepcopy(o) for (ns, _), o in sorted(STORE.objects[resource].items())
                     if ns == namespace and selector_matches(o, labels, fields)]
            self.send_json(200, {"kind": kind + "List", "apiVersion": api_version,
                                 "metadata": {"resourceVersion": str(STORE.version)}, "items": items}, record)

    def watch(self, resource, namespace, query, labels, fields, record):
        try:
            timeout = int(query.get("timeoutSeconds") or 1800)
        except ValueError:
            raise Problem(400, "BadRequest", "timeoutSeconds must be a whole number")
        version = query.get("resourceVersion")
        deadline = time.monotonic() + timeout
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        record["status"] = 200
        record["watch"] = True

        def send(event):
            data = (json.dumps(event) + "\n").encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        try:
            with STORE.lock:
                if version in (None, "", "0"):
                    for (ns, _), obj in sorted(STORE.objects[resource].items()):
                        if ns == namespace and selector_matches(obj, labels, fields):
                            send({"type": "ADDED", "object": obj})
                    seen = STORE.version
                else:
                    try:
                        seen = int(version)
                    except ValueError:
                        raise Problem(400, "BadRequest", f'resourceVersion "{version}" is not one this server made')
                    if seen < STORE.floor:
                        record["expired"] = True
                        send({"type": "ERROR", "object": status(410, "Expired", f"too old resource version: {seen} ({STORE.floor})")})
                        self.wfile.write(b"0\r\n\r\n")
                        return
                while True:
                    for entry in [h for h in STORE.history if h[0] > seen]:
                        entry_version, entry_resource, entry_namespace, kind, obj = entry
                        seen = entry_version
                        if entry_resource == resource and entry_namespace == namespace and selector_matches(obj, labels, fields):
                            send({"type": kind, "object": obj})
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    STORE.lock.wait(timeout=min(left, 1.0))
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def pod_log(self, namespace, name, query, record):
        with STORE.lock:
            pod = STORE.objects["pods"].get((namespace, name))
            if pod is None:
                raise Problem(404, "NotFound", f'pods "{name}" not found', {"name": name, "kind": "pods"})
            containers = [c["name"] for c in pod["spec"]["containers"]]
            container = query.get("container")
            if container is None and len(containers) > 1:
                raise Problem(400, "BadRequest", f"a container name must be specified for pod {name}, choose one of: {containers}")
            if container is not None and container not in containers:
                raise Problem(400, "BadRequest", f"container {container} is not valid for pod {name}")
            data = STORE.logs.get((namespace, name), b"")
        if "limitBytes" in query:
            data = data[: int(query["limitBytes"])]
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        record["status"] = 200

    # -- test controls ----------------------------------------------------------------------
    def fake(self, method, path, body):
        parts = path.strip("/").split("/")
        if method == "POST" and len(parts) == 5 and parts[1] == "jobs" and parts[4] in ("complete", "fail"):
            return self.send_json(200, finish_job(parts[2], parts[3], parts[4] == "complete", body))
        if method == "POST" and len(parts) == 3 and parts[1] == "jobs":
            with STORE.lock:
                obj = copy.deepcopy(body)
                obj["metadata"].setdefault("uid", str(uuid.uuid4()))
                obj["metadata"]["namespace"] = parts[2]
                STORE.put("jobs", parts[2], obj, "ADDED")
            return self.send_json(201, obj)
        if method == "POST" and parts == ["_fake", "compact"]:
            with STORE.lock:
                STORE.floor = STORE.version + 1
                STORE.history = []
            return self.send_json(200, {"floor": STORE.floor})
        if method == "GET" and parts == ["_fake", "requests"]:
            with STORE.lock:
                return self.send_json(200, STORE.requests)
        if method == "GET" and parts == ["_fake", "objects"]:
            with STORE.lock:
                return self.send_json(200, {r: list(objs.values()) for r, objs in STORE.objects.items()})
        raise Problem(404, "NotFound", f"no fake control {method} {path}")


def main():
    global TOKEN
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--client-ca")
    arguments = parser.parse_args()
    TOKEN = arguments.token
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(arguments.cert, arguments.key)
    if arguments.client_ca:
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(arguments.client_ca)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
