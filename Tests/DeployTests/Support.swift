import Foundation
import Reconciler
import TestSupport
import Yams

/// Runs a program (found on PATH when not a path) in the repository's root unless `cwd` says
/// otherwise. `environment` is added to this process's unless `clean` (then to PATH and HOME only).
func run(
    _ program: String, _ arguments: [String], cwd: URL? = nil, environment: [String: String] = [:],
    clean: Bool = false
) async throws -> ProcessResult {
    try await Subprocess.run(program, arguments, in: cwd ?? repositoryRoot, environment: environment, inheriting: !clean)
}

func dpctl(_ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessResult {
    try await run(try Products.path("dpctl"), arguments, environment: environment, clean: true)
}

/// The kustomizations under deploy/ that are meant to be applied, and crds/.
let kustomizations = ["deploy/base", "deploy/dev", "deploy/production", "crds"]

/// `kubectl kustomize FOLDER`: the rendered YAML (kubectl's built-in kustomize; no cluster needed).
func render(_ folder: String) async throws -> String {
    let outcome = try await run("kubectl", ["kustomize", folder])
    guard outcome.status == 0 else { throw SetupError(.commandFailed, "kubectl kustomize \(folder) failed:\n\(outcome.stderr)") }
    return outcome.stdout
}

/// A rendered object as plain dictionaries.
typealias Object = [String: Any]

func objects(in yaml: String) throws -> [Object] {
    try Yams.load_all(yaml: yaml).compactMap { $0 as? Object }
}

extension Dictionary where Key == String, Value == Any {
    subscript(path path: String) -> Any? {
        var current: Any? = self
        for key in path.split(separator: ".") {
            if let index = Int(key), let array = current as? [Any] {
                current = index < array.count ? array[index] : nil
            } else {
                current = (current as? Object)?[String(key)]
            }
        }
        return current
    }

    var kind: String { self["kind"] as? String ?? "" }
    var name: String { self[path: "metadata.name"] as? String ?? "" }

    /// The pod spec of a workload (Deployment, StatefulSet, Job), if it is one.
    var podSpec: Object? { self[path: "spec.template.spec"] as? Object }
}

/// `ReconcilerConfiguration.load` as the command calls it (no flag).
enum ReconcilerConfigurationProbe {
    static func load(_ path: String, _ environment: [String: String]) throws -> ReconcilerConfiguration {
        try ReconcilerConfiguration.load(file: path, environment: environment)
    }
}
