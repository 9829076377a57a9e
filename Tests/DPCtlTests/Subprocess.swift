import Foundation

/// What a finished process printed and how it ended.
struct Outcome: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The folder holding the built products (`dpctl`), found from the test binary's own path.
let productsFolder: URL = {
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    while url.path != "/" {
        if FileManager.default.isExecutableFile(atPath: url.appendingPathComponent("dpctl").path) { return url }
        url = url.deletingLastPathComponent()
    }
    fatalError("dpctl was not built next to the test binary \(CommandLine.arguments[0]); run `swift build` first")
}()

let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Runs a program to completion, with its output in files so that no pipe can fill and block.
func runProcess(_ executable: String, _ arguments: [String], stdin: String? = nil, cwd: URL? = nil,
                environment: [String: String] = [:]) throws -> Outcome {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("dpctl-run-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let out = folder.appendingPathComponent("out"), err = folder.appendingPathComponent("err"), inp = folder.appendingPathComponent("in")
    try Data((stdin ?? "").utf8).write(to: inp)
    try Data().write(to: out)
    try Data().write(to: err)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let cwd { process.currentDirectoryURL = cwd }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardInput = try FileHandle(forReadingFrom: inp)
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    try process.run()
    process.waitUntilExit()
    return Outcome(status: process.terminationStatus,
                   stdout: try String(contentsOf: out, encoding: .utf8),
                   stderr: try String(contentsOf: err, encoding: .utf8))
}

func dpctl(_ arguments: String..., stdin: String? = nil, cwd: URL? = nil, environment: [String: String] = [:]) throws -> Outcome {
    try runProcess(productsFolder.appendingPathComponent("dpctl").path, arguments, stdin: stdin, cwd: cwd ?? repositoryRoot,
                   environment: environment)
}
