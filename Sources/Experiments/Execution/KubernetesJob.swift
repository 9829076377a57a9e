import Crypto
import Foundation
import Manifests

/// What the Kubernetes executor submits: a batch/v1 Job that runs the run's image and command,
/// the Secret holding its run-scoped token, and a NetworkPolicy refusing connections into the
/// run's pod. Locked down
/// as the cluster's admission policies expect: non-root, read-only root filesystem, no
/// privilege escalation, all capabilities dropped, no service account token, a deadline.
public enum KubernetesJob {
    /// A DNS-1123 label (≤ 63) `datapilot-run-<run>-<8 hex of the run's uid>`: a later run of the
    /// same name never meets the Job of an earlier one. Long names are shortened with a hash.
    public static func name(for run: String, uid: String) -> String {
        let suffix = "-" + uid.lowercased().filter(\.isHexDigit).prefix(8)
        let full = "datapilot-run-\(run)".lowercased().replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: "_", with: "-")
        guard full.count + suffix.count > 63 else { return full + suffix }
        let hash = Hex.encode(SHA256.hash(data: Array(run.utf8))).prefix(8)
        return String(full.prefix(45)).trimmingCharacters(in: ["-"]) + "-" + hash + suffix
    }

    /// The Secret holding the run's token: the Job's name with `-token`.
    public static func secretName(job: String) -> String { job + "-token" }

    /// The label every object of the executor carries (the garbage collector's selector).
    public static let managedBy = ("app.kubernetes.io/managed-by", "datapilot")
    public static let runUIDLabel = "datapilot.io/run-uid"

    /// `suspend`: the Job is created without a pod; the executor lets it start once its Secret
    /// and NetworkPolicy exist. `ttlSecondsAfterFinished`: the cluster removes it that long after.
    public static func render(
        run: String, uid: String, spec: JSONValue, publicURL: String, namespace: String, token: String,
        activeDeadlineSeconds: Int = 86_400, ttlSecondsAfterFinished: Int = 86_400,
        suspend: Bool = false
    ) -> (job: JSONValue, secret: JSONValue, networkPolicy: JSONValue) {
        let name = name(for: run, uid: uid)
        let secretName = secretName(job: name)
        let labels: JSONValue = [
            "app.kubernetes.io/name": "datapilot-run", "app.kubernetes.io/managed-by": "datapilot",
            "datapilot.io/run": .string(String(run.prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: "-._"))),
            "datapilot.io/run-uid": .string(uid),
        ]
        let image: String
        if let reference = spec["image"]?["reference"]?.stringValue, let digest = spec["image"]?["digest"]?.stringValue {
            // Pinned by digest (the tag kept for people): the cluster runs exactly the image the run names.
            let named = reference.split(separator: "@").first.map(String.init) ?? reference
            image = "\(named)@\(digest)"
        } else {
            image = spec["image"]?["reference"]?.stringValue ?? "python:3.12-slim"
        }
        let command = (spec["command"]?.strings() ?? []).map(JSONValue.string)
        let env: JSONValue = [
            ["name": "DATAPILOT_URL", "value": .string(publicURL)],
            ["name": "DATAPILOT_RUN_ID", "value": .string(run)],
            ["name": "DATAPILOT_RUN_TOKEN", "valueFrom": ["secretKeyRef": ["name": .string(secretName), "key": "token"]]],
            ["name": "HOME", "value": "/work"], ["name": "TMPDIR", "value": "/work"],
        ]
        let container: JSONValue = [
            "name": "run", "image": .string(image), "imagePullPolicy": "IfNotPresent",
            "command": .array(command), "workingDir": "/work", "env": env,
            "resources": ["requests": ["cpu": "500m", "memory": "512Mi"], "limits": ["cpu": "2", "memory": "4Gi"]],
            "securityContext": [
                "runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532, "readOnlyRootFilesystem": true,
                "allowPrivilegeEscalation": false, "privileged": false, "capabilities": ["drop": ["ALL"]],
                "seccompProfile": ["type": "RuntimeDefault"],
            ],
            "volumeMounts": [["name": "work", "mountPath": "/work"]],
        ]
        let job: JSONValue = [
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
            "spec": [
                "backoffLimit": 0, "activeDeadlineSeconds": .int(Int64(activeDeadlineSeconds)),
                "ttlSecondsAfterFinished": .int(Int64(ttlSecondsAfterFinished)), "suspend": .bool(suspend),
                "template": [
                    "metadata": ["labels": labels],
                    "spec": [
                        "restartPolicy": "Never", "automountServiceAccountToken": false, "enableServiceLinks": false,
                        "securityContext": ["runAsNonRoot": true, "fsGroup": 65532, "seccompProfile": ["type": "RuntimeDefault"]],
                        "containers": [container],
                        "volumes": [["name": "work", "emptyDir": ["sizeLimit": "20Gi"]]],
                    ],
                ],
            ],
        ]
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "type": "Opaque",
            "metadata": ["name": .string(secretName), "namespace": .string(namespace), "labels": labels],
            "stringData": ["token": .string(token)],
        ]
        // Nothing connects into a training pod; it calls out (to DataPilot, its registries).
        let networkPolicy: JSONValue = [
            "apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
            "spec": [
                "podSelector": ["matchLabels": ["datapilot.io/run-uid": .string(uid)]], "policyTypes": ["Ingress", "Egress"], "ingress": [],
                "egress": runEgress,
            ],
        ]
        return (job, secret, networkPolicy)
    }

    /// Where a run's pod may connect: cluster DNS, the DataPilot API's pods (it calls back on
    /// DATAPILOT_URL), and public addresses (external data, package indexes). Not the cluster's
    /// private ranges (Postgres, other pods, the Kubernetes API) nor link-local addresses (the
    /// cloud metadata service and its credentials).
    static let runEgress: JSONValue = [
        [
            "to": [["namespaceSelector": [:], "podSelector": ["matchLabels": ["k8s-app": "kube-dns"]]]],
            "ports": [["port": 53, "protocol": "UDP"], ["port": 53, "protocol": "TCP"]],
        ],
        ["to": [["podSelector": ["matchLabels": ["app.kubernetes.io/component": "control-plane"]]]]],
        [
            "to": [
                [
                    "ipBlock": [
                        "cidr": "0.0.0.0/0",
                        "except": [
                            "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
                            "169.254.0.0/16", "127.0.0.0/8",
                        ],
                    ]
                ],
                ["ipBlock": ["cidr": "::/0", "except": ["fc00::/7", "fe80::/10", "::1/128"]]],
            ]
        ],
    ]

    /// `object` owned by the Job `name` (uid `jobUID`): deleting the Job deletes it.
    public static func owned(_ object: JSONValue, byJob name: String, uid jobUID: String) -> JSONValue {
        guard case .object(var members) = object, let index = members.firstIndex(where: { $0.key == "metadata" }),
            case .object(var metadata) = members[index].value
        else { return object }
        metadata.append(
            JSONMember("ownerReferences", [["apiVersion": "batch/v1", "kind": "Job", "name": .string(name), "uid": .string(jobUID)]]))
        members[index].value = .object(metadata)
        return .object(members)
    }
}
