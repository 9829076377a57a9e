import Foundation
import Reconciler
import Yams

/// What a finished process printed and how it ended.
struct Outcome: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The repository's root folder (this file is Tests/DeployTests/Support.swift).
let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// The folder holding the built products (`dpctl`, `datapilot-server`), found from the test binary's path.
let productsFolder: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("dpctl").path) { return url }
        url = url.deletingLastPathComponent()
    }
    fatalError("dpctl was not built next to the test binary \(CommandLine.arguments[0]); run `swift build` first")
}()

/// A fresh folder under the temporary directory.
func scratchFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("deploy-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Runs a program (found on PATH when not a path) to completion, its output in files so that
/// no pipe can fill and block. `environment` is added to this process's unless `clean`.
func run(_ program: String, _ arguments: [String], cwd: URL? = nil, environment: [String: String] = [:],
         clean: Bool = false) throws -> Outcome {
    let folder = try scratchFolder("run")
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err")
    try Data().write(to: out)
    try Data().write(to: err)
    let process = Process()
    if program.contains("/") {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [program] + arguments
    }
    process.currentDirectoryURL = cwd ?? repositoryRoot
    let base = clean ? ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
                        "HOME": ProcessInfo.processInfo.environment["HOME"] ?? "/tmp"]
                     : ProcessInfo.processInfo.environment
    process.environment = base.merging(environment) { $1 }
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    process.waitUntilExit()
    return Outcome(status: process.terminationStatus,
                   stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
}

func dpctl(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
    try run(productsFolder.appendingPathComponent("dpctl").path, arguments, environment: environment, clean: true)
}

/// The kustomizations under deploy/ that are meant to be applied, and crds/.
let kustomizations = ["deploy/base", "deploy/dev", "deploy/production", "crds"]

/// `kubectl kustomize FOLDER`: the rendered YAML (kubectl's built-in kustomize; no cluster needed).
func render(_ folder: String) throws -> String {
    let outcome = try run("kubectl", ["kustomize", folder])
    guard outcome.status == 0 else { throw RenderError(description: "kubectl kustomize \(folder) failed:\n\(outcome.stderr)") }
    return outcome.stdout
}

struct RenderError: Error, CustomStringConvertible { var description: String }

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
