import DataPilotServer
import Foundation
import TestSupport
import Testing

/// deploy/ and crds/: they render with `kubectl kustomize`, validate against the Kubernetes
/// schemas offline and pass checkov (scripts/validate-k8s.sh), and have the shape
/// docs/operations.md promises.
@Suite struct KustomizeTests {
    /// The custom-resource kinds the offline validator has no schema for (named in the docs).
    static let schemaless: Set = [
        "postgresql.cnpg.io/v1/Cluster", "postgresql.cnpg.io/v1/ScheduledBackup",
        "monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PrometheusRule",
    ]

    @Test func everyKustomizationRendersValidatesAndPassesTheSecurityScan() async throws {
        let folder = try scratchFolder("render")
        defer { try? FileManager.default.removeItem(at: folder) }
        var files: [String] = []
        for kustomization in kustomizations {
            let file = folder.appendingPathComponent(kustomization.replacingOccurrences(of: "/", with: "-") + ".yaml")
            try await Data(try render(kustomization).utf8).write(to: file)
            files.append(file.path)
        }
        let outcome = try await run(repositoryRoot.appendingPathComponent("scripts/validate-k8s.sh").path, files)
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stderr.contains("Failed checks: 0") || !outcome.stderr.contains("Failed checks"), "\(outcome.stderr)")
        // Only the custom resources named in the docs go without a schema check.
        let unchecked = Set(
            outcome.stderr.split(separator: "\n").compactMap { line -> String? in
                guard let range = line.range(of: "not schema-checked (custom resource, no schema offline): ") else { return nil }
                return String(line[range.upperBound...])
            })
        #expect(unchecked == Self.schemaless)
    }

    /// The gate fails on what it should: a field Kubernetes does not know, a privileged
    /// container in a batch/v1 Job, a custom kind nobody listed.
    @Test func theValidatorRefusesBadManifests() async throws {
        let folder = try scratchFolder("bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let job = """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: train, namespace: datapilot}
            spec:
              backoffLimt: 2
              template:
                spec:
                  restartPolicy: Never
                  containers:
                    - name: train
                      image: registry.example.com/train:1
                      securityContext: {privileged: true}
            ---
            apiVersion: example.com/v1
            kind: Widget
            metadata: {name: w}
            """
        let file = folder.appendingPathComponent("job.yaml")
        try Data(job.utf8).write(to: file)
        let outcome = try await run(repositoryRoot.appendingPathComponent("scripts/validate-k8s.sh").path, [file.path])
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("'backoffLimt' was unexpected"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("example.com/v1/Widget has no Kubernetes schema"), "\(outcome.stderr)")
        #expect(outcome.stderr.contains("CKV_K8S_16"), "privileged containers fail checkov: \(outcome.stderr)")
        await #expect(try run(repositoryRoot.appendingPathComponent("scripts/validate-k8s.sh").path, []).status == 2)
    }

    static let overlays = ["deploy/base", "deploy/dev", "deploy/production"]

    /// Non-root, read-only root filesystem, no privilege escalation, no capabilities, no API
    /// token, and writable volumes only where DataPilot writes.
    @Test(arguments: overlays)
    func everyPodIsLockedDown(_ overlay: String) async throws {
        let workloads = try await objects(in: render(overlay)).filter { $0.podSpec != nil }
        #expect(!workloads.isEmpty)
        for workload in workloads {
            let pod = workload.podSpec!
            let what = "\(overlay): \(workload.kind)/\(workload.name)"
            #expect(pod["automountServiceAccountToken"] as? Bool == false, "\(what)")
            #expect(pod[path: "securityContext.runAsNonRoot"] as? Bool == true, "\(what)")
            #expect((pod[path: "securityContext.runAsUser"] as? Int ?? 0) >= 10000, "\(what)")
            #expect(pod[path: "securityContext.seccompProfile.type"] as? String == "RuntimeDefault", "\(what)")
            let volumes = Dictionary(uniqueKeysWithValues: (pod["volumes"] as? [Object] ?? []).map { ($0.name(of: "name"), $0) })
            for container in (pod["containers"] as? [Object] ?? []) + (pod["initContainers"] as? [Object] ?? []) {
                let c = "\(what) container \(container.name(of: "name"))"
                #expect(container[path: "securityContext.allowPrivilegeEscalation"] as? Bool == false, "\(c)")
                #expect(container[path: "securityContext.readOnlyRootFilesystem"] as? Bool == true, "\(c)")
                #expect(container[path: "securityContext.capabilities.drop"] as? [String] == ["ALL"], "\(c)")
                #expect(container[path: "resources.limits.memory"] != nil && container[path: "resources.requests.cpu"] != nil, "\(c)")
                var writable: [String] = []
                for mount in container["volumeMounts"] as? [Object] ?? [] where mount["readOnly"] as? Bool != true {
                    let volume = volumes[mount.name(of: "name")] ?? [:]
                    #expect(
                        volume["emptyDir"] != nil || volume["persistentVolumeClaim"] != nil || workload.kind == "StatefulSet",
                        "\(c): writable mount \(mount.name(of: "mountPath")) is not a scratch or data volume")
                    writable.append(mount.name(of: "mountPath"))
                }
                if (container["image"] as? String ?? "").contains("datapilot") {
                    // The web UI alone writes nowhere: no spool, no cache, sessions in memory.
                    let expected =
                        workload.name == "datapilot-reconciler"
                        ? ["/var/cache/datapilot"] : workload.name == "datapilot-ui" ? [] : ["/var/lib/datapilot"]
                    #expect(
                        writable == expected, "\(c): the only writable place is the git cache (reconciler) or the upload spool (server)")
                }
            }
        }
    }

    @Test func theBaseHasWhatTheIssueLists() async throws {
        let all = try await objects(in: render("deploy/base"))
        func one(_ kind: String, _ name: String) -> Object? { all.first { $0.kind == kind && $0.name == name } }
        #expect(one("Namespace", "datapilot") != nil)
        for name in ["datapilot-server", "datapilot-reconciler"] {
            #expect(one("ServiceAccount", name) != nil)
            #expect(one("Service", name) != nil)
            #expect(one("PodDisruptionBudget", name) != nil)
            let deployment = try #require(one("Deployment", name))
            let annotations = deployment[path: "spec.template.metadata.annotations"] as? [String: Any] ?? [:]
            #expect(annotations["prometheus.io/scrape"] as? String == "true")
            let container = try #require((deployment.podSpec?["containers"] as? [Object])?.first)
            #expect(container[path: "livenessProbe.httpGet.path"] as? String == "/healthz")
            #expect(container[path: "readinessProbe.httpGet.path"] as? String == "/readyz")
        }
        #expect(one("Deployment", "datapilot-reconciler")?[path: "spec.replicas"] as? Int == 2)
        #expect(all.filter { $0.kind == "NetworkPolicy" }.count >= 3)
        let ingress = try #require(one("Ingress", "datapilot-webhooks"))
        #expect(ingress[path: "spec.rules.0.http.paths.0.path"] as? String == "/hooks/")
        #expect(ingress[path: "spec.rules.0.http.paths.0.backend.service.name"] as? String == "datapilot-reconciler")
        // The Secrets the base expects, as docs/operations.md lists them.
        let referenced = Set(all.flatMap { secretNames(in: $0) })
        #expect(
            referenced == [
                "datapilot-database", "datapilot-s3", "datapilot-bootstrap", "datapilot-reconciler-token",
                "datapilot-git", "datapilot-known-hosts", "datapilot-webhooks", "datapilot-signing-keys",
            ])
        let operations = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/operations.md"), encoding: .utf8)
        for secret in referenced { #expect(operations.contains("`\(secret)`"), "docs/operations.md names the Secret \(secret)") }
    }

    /// Production: one Deployment per seed service on its seed port, the gateway forwarding to
    /// their Services, and each process's settings (config file + env) accepted by the server.
    @Test func productionSplitsTheControlPlanePerService() async throws {
        let all = try await objects(in: render("deploy/production"))
        let config = try #require(all.first { $0.kind == "ConfigMap" && $0.name.hasPrefix("datapilot-server-config") })
        let file = try scratchFolder("server-config").appendingPathComponent("server.yaml")
        defer { try? FileManager.default.removeItem(at: file.deletingLastPathComponent()) }
        try Data(try #require((config["data"] as? Object)?["server.yaml"] as? String).utf8).write(to: file)
        let services = all.filter { $0.kind == "Service" }
        // The web UI (`ui`, deploy/production/ui.yaml) is checked below: one replica, no config file.
        for mode in ServerConfiguration.ServiceMode.allCases where mode != .all && mode != .ui {
            let name = mode == .gateway ? "datapilot-server" : "datapilot-\(mode.rawValue)"
            let deployment = try #require(all.first { $0.kind == "Deployment" && $0.name == name }, "\(name)")
            let container = try #require((deployment.podSpec?["containers"] as? [Object])?.first)
            var environment: [String: String] = [:]
            for variable in container["env"] as? [Object] ?? [] {
                environment[variable.name(of: "name")] = variable["value"] as? String ?? "from-a-secret"
            }
            #expect(environment["DATAPILOT_SERVICE"] == mode.rawValue)
            var settings = ServerConfiguration()
            try settings.load(file: file.path)
            try settings.load(environment: environment)
            try settings.check()
            let port = try #require((container["ports"] as? [Object])?.first?["containerPort"] as? Int)
            #expect(settings.effectivePort == port, "\(name) listens where its pod says")
            #expect(port == mode.defaultPort)
            #expect(deployment[path: "spec.template.spec.topologySpreadConstraints"] != nil, "\(name)")
            #expect((deployment[path: "spec.replicas"] as? Int ?? 0) >= 2, "\(name)")
            if mode == .gateway {
                for (service, url) in settings.upstreams {
                    let host = try #require(URL(string: url)?.host)
                    #expect(services.contains { $0.name == host && $0[path: "spec.ports.0.port"] as? Int == service.defaultPort }, "\(url)")
                }
                // /api/reconciler/ goes to the reconciler's Service (docs/ui.md).
                let reconciler = try #require(settings.reconcilerURL.flatMap { URL(string: $0) })
                #expect(services.contains { $0.name == reconciler.host && $0[path: "spec.ports.0.port"] as? Int == reconciler.port })
            }
        }
        // The web UI alone: no config file, no Secret, no volume; it reaches the gateway's Service.
        let ui = try #require(all.first { $0.kind == "Deployment" && $0.name == "datapilot-ui" })
        let container = try #require((ui.podSpec?["containers"] as? [Object])?.first)
        var environment: [String: String] = [:]
        for variable in container["env"] as? [Object] ?? [] {
            #expect(variable["valueFrom"] == nil, "the UI holds no secret: \(variable.name(of: "name"))")
            environment[variable.name(of: "name")] = variable["value"] as? String ?? ""
        }
        #expect(ui.podSpec?["volumes"] == nil && container["volumeMounts"] == nil)
        var settings = ServerConfiguration()
        try settings.load(environment: environment)
        try settings.check()
        #expect(settings.services == [.ui])
        #expect(settings.effectivePort == (container["ports"] as? [Object])?.first?["containerPort"] as? Int)
        let gateway = try #require(settings.gatewayURL.flatMap { URL(string: $0) })
        #expect(services.contains { $0.name == gateway.host && $0[path: "spec.ports.0.port"] as? Int == gateway.port })
        #expect(services.contains { $0.name == "datapilot-ui" && $0[path: "spec.ports.0.port"] as? Int == 3000 })
        #expect(all.contains { $0.kind == "Cluster" && $0["apiVersion"] as? String == "postgresql.cnpg.io/v1" })
        #expect(all.contains { $0.kind == "ServiceMonitor" } && all.contains { $0.kind == "PrometheusRule" })
    }

    /// The sources file each overlay ships is one `dpctl reconcile` accepts as it is.
    @Test(arguments: overlays)
    func theSourcesConfigMapIsAcceptedByDpctlReconcile(_ overlay: String) async throws {
        let all = try await objects(in: render(overlay))
        let map = try #require(all.first { $0.kind == "ConfigMap" && $0.name.hasPrefix("datapilot-reconciler-sources") })
        let text = try #require((map["data"] as? Object)?["sources.yaml"] as? String)
        let folder = try scratchFolder("sources")
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("sources.yaml")
        try Data(text.utf8).write(to: file)
        let outcome = try await dpctl(["reconcile", "--config", file.path, "--check"])
        #expect(outcome.status == 0, "\(outcome.stdout)\(outcome.stderr)")
        #expect(outcome.stdout.contains("valid;"))
        // It listens on the pod's port and caches in the pod's writable volume.
        let deployment = try #require(all.first { $0.kind == "Deployment" && $0.name == "datapilot-reconciler" })
        let container = try #require((deployment.podSpec?["containers"] as? [Object])?.first)
        let port = try #require((container["ports"] as? [Object])?.first?["containerPort"] as? Int)
        #expect(outcome.stdout.contains("listen: 0.0.0.0:\(port)"))
        #expect(outcome.stdout.contains("cache-dir: /var/cache/datapilot"))
        // Every secret file it names is mounted from a Secret.
        let mounts = (container["volumeMounts"] as? [Object] ?? []).map { $0.name(of: "mountPath") }
        for line in outcome.stdout.split(separator: "\n") where line.hasPrefix("secret ") && line.contains("-file: ") {
            let path = line.components(separatedBy: "-file: ")[1].components(separatedBy: " ")[0]
            #expect(mounts.contains { path.hasPrefix($0 + "/") }, "\(path) is not under a mounted volume")
        }
    }

    func secretNames(in object: Object) -> [String] {
        var names: [String] = []
        func walk(_ value: Any) {
            if let object = value as? Object {
                if let name = object["secretName"] as? String { names.append(name) }
                if let reference = object["secretKeyRef"] as? Object, let name = reference["name"] as? String { names.append(name) }
                object.values.forEach(walk)
            } else if let array = value as? [Any] {
                array.forEach(walk)
            }
        }
        walk(object)
        // The Ingress's TLS certificate is the ingress controller's business, not DataPilot's.
        return names.filter { $0 != "datapilot-hooks-tls" }
    }
}

extension Dictionary where Key == String, Value == Any {
    func name(of key: String) -> String { self[key] as? String ?? "" }
}
