import Curl
import Foundation
import KubernetesClient
import Manifests
import Testing

/// The Kubernetes executor against the fake API server (no cluster runs here): what it
/// creates, how it follows a Job to its end, cancel, a refused token, garbage collection.
@Suite struct KubernetesExecutorTests {
    static let namespace = "datapilot-runs"
    static let image = #"{"reference": "ghcr.io/acme/train:1.4", "digest": "sha256:\#(String(repeating: "c", count: 64))"}"#

    func newRun(_ server: TestServer, _ name: String) async throws -> JSONValue {
        if try await server.request("GET", "/api/experiments/churn-model").status == 404 {
            #expect(try await server.request("POST", "/api/experiments", json: experiment("churn-model")).status == 201)
        }
        let body = #"{"name": "\#(name)", "image": \#(Self.image), "command": ["python3", "train.py"]}"#
        let created = try await server.request("POST", "/api/experiments/churn-model/runs", json: body)
        #expect(created.status == 201, "\(created.text)")
        return created.json
    }

    func execute(_ server: TestServer, _ run: String) async throws -> HTTPResponse {
        try await server.request("POST", "/api/experiments/runs:execute", json: #"{"run": "\#(run)", "executor": "kubernetes"}"#)
    }

    func run(_ server: TestServer, _ name: String) async throws -> JSONValue {
        try await server.request("GET", "/api/experiment-runs/\(name)").json
    }

    /// Waits until the executor watches the Job (so what the test does next happens while it follows it).
    func watching(_ fake: FakeKubernetes, after count: Int = 0) async throws -> Bool {
        try await eventually(30) { try await fake.requests().dropFirst(count).contains { $0["watch"]?.boolValue == true } }
    }

    @Test func aJobThatCompletesEndsTheRunSucceededWithThePodsLog() async throws {
        try await withKubernetes { fake, server in
            let created = try await newRun(server, "k1")
            let uid = created["metadata"]?["uid"]?.stringValue ?? ""
            let started = try await execute(server, "k1")
            #expect(started.status == 202, "\(started.text)")
            #expect(started.json["status"]?["state"]?.stringValue == "RUNNING", "\(started.text)")
            #expect(started.json["status"]?["executor"]?.stringValue == "kubernetes")
            let name = try #require(started.json["kubernetes"]?["job"]?.stringValue)
            #expect(name == "datapilot-run-k1-" + uid.prefix(8))
            #expect(started.json["kubernetes"]?["namespace"]?.stringValue == Self.namespace)

            // The Job (suspended first), then its Secret and NetworkPolicy owned by it, then the Job may start.
            let requests = try await fake.requests()
            let writes = requests.filter { $0["method"]?.stringValue != "GET" }.map {
                "\($0["method"]!.stringValue!) \($0["path"]!.stringValue!)"
            }
            let base = "/namespaces/\(Self.namespace)/"
            #expect(
                Array(writes.prefix(4)) == [
                    "POST /apis/batch/v1\(base)jobs", "POST /api/v1\(base)secrets",
                    "POST /apis/networking.k8s.io/v1\(base)networkpolicies", "PATCH /apis/batch/v1\(base)jobs/\(name)",
                ], "\(writes)")
            #expect(requests.allSatisfy { $0["authorized"]?.boolValue == true && ($0["status"]?.numberValue ?? 0) < 300 }, "\(requests)")
            #expect(requests.first { $0["method"]?.stringValue == "POST" }?["body"]?["spec"]?["suspend"]?.boolValue == true)
            #expect(requests.first { $0["method"]?.stringValue == "PATCH" }?["contentType"]?.stringValue == "application/merge-patch+json")
            #expect(
                requests.filter { $0["method"]?.stringValue == "POST" }.allSatisfy { $0["contentType"]?.stringValue == "application/json" })

            let job = try #require(try await fake.objects("jobs").first)
            let jobUID = try #require(job["metadata"]?["uid"]?.stringValue)
            #expect(job["metadata"]?["labels"]?["app.kubernetes.io/managed-by"]?.stringValue == "datapilot")
            #expect(job["metadata"]?["labels"]?["datapilot.io/run-uid"]?.stringValue == uid)
            #expect(job["spec"]?["suspend"]?.boolValue == false)
            let container = job["spec"]?["template"]?["spec"]?["containers"]?[0]
            #expect(container?["image"]?.stringValue == "ghcr.io/acme/train:1.4@sha256:" + String(repeating: "c", count: 64))
            #expect(container?["securityContext"]?["readOnlyRootFilesystem"]?.boolValue == true)
            #expect(job["spec"]?["template"]?["spec"]?["automountServiceAccountToken"]?.boolValue == false)
            let secret = try #require(try await fake.objects("secrets").first)
            let policy = try #require(try await fake.objects("networkpolicies").first)
            for owned in [secret, policy] {
                let owner = owned["metadata"]?["ownerReferences"]?[0]
                #expect(
                    owner?["kind"]?.stringValue == "Job" && owner?["name"]?.stringValue == name && owner?["uid"]?.stringValue == jobUID,
                    "\(owned)")
            }
            let tokenRef = container?["env"]?.arrayValue?.first { $0["name"]?.stringValue == "DATAPILOT_RUN_TOKEN" }
            #expect(tokenRef?["valueFrom"]?["secretKeyRef"]?["name"]?.stringValue == secret["metadata"]?["name"]?.stringValue)
            #expect(
                container?["env"]?.arrayValue?.contains {
                    $0["name"]?.stringValue == "DATAPILOT_URL" && $0["value"]?.stringValue == "https://datapilot.example.com"
                } == true)
            // The Secret holds a working token of this run.
            let encoded = try #require(secret["data"]?["token"]?.stringValue)
            let token = String(decoding: Data(base64Encoded: encoded) ?? Data(), as: UTF8.self)
            #expect(try await server.request("GET", "/api/experiment-runs/k1", key: token).status == 200)
            #expect(policy["spec"]?["podSelector"]?["matchLabels"]?["datapilot.io/run-uid"]?.stringValue == uid)

            // While it follows the Job, the history is compacted: its next watch gets 410 and it lists again.
            #expect(try await watching(fake))
            #expect(try await fake.request("POST", "/_fake/compact").status == 200)
            #expect(try await eventually(30) { try await fake.requests().contains { $0["expired"]?.boolValue == true } })
            #expect(
                try await fake.request(
                    "POST", "/_fake/jobs/\(Self.namespace)/\(name)/complete", json: #"{"log": "epoch 1 loss 0.5\ndone\n", "exitCode": 0}"#
                ).status == 200)
            #expect(try await eventually(30) { try await run(server, "k1")["status"]?["state"]?.stringValue == "SUCCEEDED" })
            let finished = try await run(server, "k1")
            #expect(finished["status"]?["exitCode"]?.numberValue == 0, "\(finished)")
            #expect(finished["status"]?["message"]?.stringValue?.contains("completed") == true, "\(finished)")
            let log = try await server.request("GET", "/api/experiment-runs/k1/artifacts/run.log")
            #expect(log.status == 200 && log.text == "epoch 1 loss 0.5\ndone\n", "\(log.text)")
            // The re-list after the 410: a GET of the Job collection with the name's field selector and no watch.
            let all = try await fake.requests()
            let expired = try #require(all.firstIndex { $0["expired"]?.boolValue == true })
            #expect(
                all[(expired + 1)...].contains {
                    $0["path"]?.stringValue == "/apis/batch/v1\(base)jobs" && $0["query"]?["watch"] == nil
                        && $0["query"]?["fieldSelector"]?.stringValue == "metadata.name=\(name)"
                }, "\(all[expired...])")
            // The log was read from the Job's pod, found by its job-name label.
            #expect(
                all.contains {
                    $0["path"]?.stringValue == "/api/v1\(base)pods" && $0["query"]?["labelSelector"]?.stringValue == "job-name=\(name)"
                })
            #expect(all.contains { $0["path"]?.stringValue?.hasSuffix("/log") == true && $0["query"]?["container"]?.stringValue == "run" })
            // The token ended with the run.
            #expect(try await server.request("GET", "/api/experiment-runs/k1", key: token).status == 401)
        }
    }

    @Test func aJobThatFailsEndsTheRunFailedWithTheReason() async throws {
        try await withKubernetes { fake, server in
            _ = try await newRun(server, "k2")
            let name = try #require(try await execute(server, "k2").json["kubernetes"]?["job"]?.stringValue)
            #expect(try await watching(fake))
            let failure =
                #"{"reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline", "exitCode": 137, "log": "killed\n"}"#
            #expect(try await fake.request("POST", "/_fake/jobs/\(Self.namespace)/\(name)/fail", json: failure).status == 200)
            #expect(try await eventually(30) { try await run(server, "k2")["status"]?["state"]?.stringValue == "FAILED" })
            let status = try await run(server, "k2")["status"]
            #expect(
                status?["message"]?.stringValue
                    == "the Kubernetes Job \(name) failed: DeadlineExceeded: Job was active longer than specified deadline",
                "\(String(describing: status))")
            #expect(status?["exitCode"]?.numberValue == 137)
            #expect(try await server.request("GET", "/api/experiment-runs/k2/artifacts/run.log").text == "killed\n")
        }
    }

    @Test func cancelDeletesTheJobWithBackgroundPropagation() async throws {
        try await withKubernetes { fake, server in
            _ = try await newRun(server, "k3")
            let name = try #require(try await execute(server, "k3").json["kubernetes"]?["job"]?.stringValue)
            #expect(try await watching(fake))
            let cancelled = try await server.request("POST", "/api/experiment-runs/k3/cancel")
            #expect(cancelled.status == 202)
            #expect(cancelled.json["status"]?["state"]?.stringValue == "CANCELLED", "\(cancelled.text)")
            #expect(try await eventually(30) { try await fake.objects("jobs").isEmpty })
            let delete = try #require(try await fake.requests().first { $0["method"]?.stringValue == "DELETE" })
            #expect(delete["path"]?.stringValue == "/apis/batch/v1/namespaces/\(Self.namespace)/jobs/\(name)")
            #expect(
                delete["body"]?["kind"]?.stringValue == "DeleteOptions"
                    && delete["body"]?["propagationPolicy"]?.stringValue == "Background", "\(delete)")
            #expect(delete["propagationPolicy"]?.stringValue == "Background")
            // Background propagation: the cluster removes what the Job owns.
            #expect(
                try await eventually(10) {
                    let (secrets, policies, pods) = (
                        try await fake.objects("secrets"), try await fake.objects("networkpolicies"), try await fake.objects("pods")
                    )
                    return secrets.isEmpty && policies.isEmpty && pods.isEmpty
                })
            #expect(try await run(server, "k3")["status"]?["state"]?.stringValue == "CANCELLED")
        }
    }

    /// A replica without cluster credentials takes the cancel; the one following the Job deletes it at its next heartbeat.
    @Test func aCancelOnAnotherReplicaIsNoticedAtTheNextHeartbeat() async throws {
        try await withKubernetes { fake, server in
            _ = try await newRun(server, "k4")
            #expect(try await execute(server, "k4").status == 202)
            #expect(try await watching(fake))
            let other = try await server.sibling(environment: ["DATAPILOT_KUBECONFIG": "", "KUBERNETES_SERVICE_HOST": ""])
            #expect(try await other.request("POST", "/api/experiment-runs/k4/cancel").json["status"]?["state"]?.stringValue == "CANCELLED")
            #expect(try await eventually(30) { try await fake.objects("jobs").isEmpty })
            #expect(
                try await fake.requests().contains {
                    $0["method"]?.stringValue == "DELETE" && $0["body"]?["propagationPolicy"]?.stringValue == "Background"
                })
        }
    }

    /// The server following the Job dies; a replica (or the server started again) follows it from there.
    @Test func aJobWhoseServerStoppedIsFollowedByAnotherReplica() async throws {
        try await withKubernetes(environment: ["DATAPILOT_RUN_HEARTBEAT_TIMEOUT_SECONDS": "20"]) { fake, server in
            _ = try await newRun(server, "k7")
            let name = try #require(try await execute(server, "k7").json["kubernetes"]?["job"]?.stringValue)
            #expect(try await watching(fake))
            server.stop()
            let count = try await fake.requests().count
            let other = try await server.sibling(environment: [
                "DATAPILOT_EXECUTORS": "kubernetes", "DATAPILOT_KUBECONFIG": try fake.kubeconfig(),
                "DATAPILOT_KUBERNETES_NAMESPACE": Self.namespace,
                "DATAPILOT_RUN_HEARTBEAT_TIMEOUT_SECONDS": "20",
            ])
            #expect(try await watching(fake, after: count))
            #expect(try await run(other, "k7")["status"]?["state"]?.stringValue == "RUNNING")
            #expect(
                try await fake.request("POST", "/_fake/jobs/\(Self.namespace)/\(name)/complete", json: #"{"log": "resumed\n"}"#).status
                    == 200)
            #expect(try await eventually(30) { try await run(other, "k7")["status"]?["state"]?.stringValue == "SUCCEEDED" })
            #expect(try await other.request("GET", "/api/experiment-runs/k7/artifacts/run.log").text == "resumed\n")
        }
    }

    /// 409 AlreadyExists: an object of this submission from an earlier attempt is taken as done;
    /// a Job of the same name that belongs to another run is not.
    @Test func alreadyExistingObjectsAreTakenAsDoneOnlyWhenTheyAreThisRuns() async throws {
        try await withKubernetes { fake, server in
            let uid = try #require(try await newRun(server, "k8")["metadata"]?["uid"]?.stringValue)
            let job = "datapilot-run-k8-" + uid.prefix(8)
            let policy =
                #"{"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "\#(job)"}, "spec": {"podSelector": {}}}"#
            #expect(
                try await fake.request(
                    "POST", "/apis/networking.k8s.io/v1/namespaces/\(Self.namespace)/networkpolicies", json: policy,
                    token: FakeKubernetes.token
                ).status == 201)
            let started = try await execute(server, "k8")
            #expect(started.json["status"]?["state"]?.stringValue == "RUNNING", "\(started.text)")
            #expect(try await fake.requests().contains { $0["method"]?.stringValue == "POST" && $0["status"]?.numberValue == 409 })
            #expect(try await fake.objects("pods").count == 1, "the Job was let start")

            let other = try #require(try await newRun(server, "k9")["metadata"]?["uid"]?.stringValue)
            let foreign =
                #"{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "datapilot-run-k9-\#(other.prefix(8))", "labels": {"datapilot.io/run-uid": "someone-else"}}, "spec": {"suspend": true, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "run", "image": "x"}]}}}}"#
            #expect(
                try await fake.request(
                    "POST", "/apis/batch/v1/namespaces/\(Self.namespace)/jobs", json: foreign, token: FakeKubernetes.token
                ).status == 201)
            let refused = try await execute(server, "k9")
            #expect(refused.json["status"]?["state"]?.stringValue == "FAILED", "\(refused.text)")
            #expect(refused.json["status"]?["message"]?.stringValue?.contains("is not this run's") == true, "\(refused.text)")
            #expect(
                try await fake.objects("jobs").contains { $0["metadata"]?["name"]?.stringValue == "datapilot-run-k9-\(other.prefix(8))" },
                "the other Job is left alone")
        }
    }

    @Test func aRefusedTokenEndsTheRunFailedSayingWhatToCheck() async throws {
        try await withKubernetes(token: "wrong-token") { fake, server in
            _ = try await newRun(server, "k5")
            let started = try await execute(server, "k5")
            #expect(started.status == 202, "\(started.text)")
            #expect(started.json["status"]?["state"]?.stringValue == "FAILED", "\(started.text)")
            let message = started.json["status"]?["message"]?.stringValue ?? ""
            #expect(
                message.contains("401 Unauthorized") && message.contains("check that the token") && message.contains("kubeconfig"),
                "\(message)")
            #expect(try await fake.objects("jobs").isEmpty)
            #expect(try await fake.requests().allSatisfy { $0["authorized"]?.boolValue == false })
        }
    }

    @Test func withoutClusterCredentialsExecutionIsRefusedAndTheRunStaysQueued() async throws {
        try await withServer(environment: ["DATAPILOT_EXECUTORS": "kubernetes", "KUBERNETES_SERVICE_HOST": ""]) { server in
            _ = try await newRun(server, "k6")
            let refused = try await execute(server, "k6")
            #expect(refused.status == 503, "\(refused.text)")
            #expect(refused.json["detail"]?.stringValue?.contains("set kubeconfig") == true, "\(refused.text)")
            #expect(try await run(server, "k6")["status"]?["state"]?.stringValue == "QUEUED")
        }
    }

    @Test func theCollectorDeletesOldFinishedJobsAndJobsOfRunsNoLongerRunning() async throws {
        func job(_ name: String, managed: Bool, finished: String?, runUID: String? = nil) -> String {
            var labels = managed ? #""app.kubernetes.io/managed-by": "datapilot""# : #""app": "other""#
            if let runUID { labels += #", "datapilot.io/run-uid": "\#(runUID)""# }
            let status =
                finished.map {
                    #"{"succeeded": 1, "completionTime": "\#($0)", "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": "\#($0)"}]}"#
                } ?? #"{"active": 1}"#
            return
                #"{"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "\#(name)", "labels": {\#(labels)}}, "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "run", "image": "x"}]}}}, "status": \#(status)}"#
        }
        let recent = ISO8601DateFormatter().string(from: Date())
        try await withKubernetes(
            environment: ["DATAPILOT_KUBERNETES_JOB_RETENTION_SECONDS": "3600"],
            before: { (fake: FakeKubernetes) async throws in
                for body in [
                    job("old-managed", managed: true, finished: "2026-01-01T00:00:00Z"),
                    job("old-other", managed: false, finished: "2026-01-01T00:00:00Z"),
                    job("recent-managed", managed: true, finished: recent),
                    job("orphan-active", managed: true, finished: nil, runUID: UUID().uuidString.lowercased()),
                ] {
                    #expect(try await fake.request("POST", "/_fake/jobs/\(Self.namespace)", json: body).status == 201)
                }
            }
        ) { fake, server in
            #expect(
                try await eventually(30) {
                    Set(try await fake.objects("jobs").compactMap { $0["metadata"]?["name"]?.stringValue }) == [
                        "old-other", "recent-managed",
                    ]
                })
            let deletes = try await fake.requests().filter { $0["method"]?.stringValue == "DELETE" }
            #expect(
                deletes.count == 2 && deletes.allSatisfy { $0["body"]?["propagationPolicy"]?.stringValue == "Background" }, "\(deletes)")
            #expect(
                try await fake.requests().contains {
                    $0["query"]?["labelSelector"]?.stringValue == "app.kubernetes.io/managed-by=datapilot"
                })
        }
    }

    /// The client alone, with in-cluster credentials (a service-account folder) and a kubeconfig
    /// whose CA is a file next to it.
    @Test func theClientReadsInClusterAndKubeconfigCredentials() async throws {
        let fake = try await FakeKubernetes()
        defer { fake.stop() }
        let account = fake.folder.appendingPathComponent("serviceaccount")
        try FileManager.default.createDirectory(at: account, withIntermediateDirectories: true)
        try Data(FakeKubernetes.token.utf8).write(to: account.appendingPathComponent("token"))
        try FileManager.default.copyItem(atPath: fake.certificate, toPath: account.appendingPathComponent("ca.crt").path)
        try Data("team-a\n".utf8).write(to: account.appendingPathComponent("namespace"))
        let inCluster = try KubernetesCredentials.inCluster(
            environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(fake.port)],
            directory: account.path)
        #expect(inCluster.namespace == "team-a")
        let list = try await KubernetesAPI(credentials: inCluster).send("GET", "/apis/batch/v1/namespaces/team-a/jobs")
        #expect(list["kind"]?.stringValue == "JobList" && list["metadata"]?["resourceVersion"]?.stringValue != nil)
        // A rotated token is read again on the next request.
        try Data("rotated".utf8).write(to: account.appendingPathComponent("token"))
        await #expect(throws: KubernetesError.self) {
            try await KubernetesAPI(credentials: inCluster).send("GET", "/apis/batch/v1/namespaces/team-a/jobs")
        }

        let fromFile = try KubernetesCredentials.kubeconfig(try fake.kubeconfig(inlineCA: false))
        #expect(fromFile.namespace == "from-context")
        let missing = await #expect(throws: KubernetesError.self) {
            try await KubernetesAPI(credentials: fromFile).send("GET", "/apis/batch/v1/namespaces/team-a/jobs/nope")
        }
        #expect(missing?.isNotFound == true && missing?.reason == "NotFound", "\(String(describing: missing))")
        #expect(throws: KubernetesError.self) { try KubernetesCredentials.inCluster(environment: [:], directory: account.path) }

        // A client certificate and key (inline PEM) instead of a token: x509 client authentication.
        let certified = try KubernetesCredentials.kubeconfig(try fake.kubeconfig(clientCertificate: true))
        if case .none = certified.token {} else { Issue.record("the client-certificate user has no token") }
        let before = try await fake.requests().count
        #expect(
            try await KubernetesAPI(credentials: certified).send("GET", "/api/v1/namespaces/team-a/pods")["kind"]?.stringValue == "PodList")
        #expect(try await fake.requests().dropFirst(before).first?["clientCertificate"]?.boolValue == true)
    }
}
