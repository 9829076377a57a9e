import ArgumentParser
import CLIKit
import Foundation
import Manifests

/// Writes (or checks) the JSON Schemas and CRDs generated from the manifest model.
struct GenerateSchemas: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schemas",
        abstract: "Generate the JSON Schemas (schemas/) and CRDs (crds/) from the manifest model.",
        discussion: "Without --write or --check, lists the files it would generate.")

    @Option(help: "Write the files under this folder (the repository root: schemas/ and crds/ go below it).")
    var write: String?

    @Option(help: "Compare the files under this folder with the model; exit 1 listing those that differ.")
    var check: String?

    func validate() throws {
        if write != nil && check != nil { throw ValidationError("give either --write or --check, not both") }
    }

    func run() throws {
        let files = GeneratedFiles.all()
        if let folder = write {
            for file in files {
                let url = URL(fileURLWithPath: folder).appendingPathComponent(file.path)
                try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Data(file.contents.utf8).write(to: url, options: .atomic)
                print("wrote \(file.path)")
            }
        } else if let folder = check {
            let stale = files.filter { file in
                let url = URL(fileURLWithPath: folder).appendingPathComponent(file.path)
                return (try? String(contentsOf: url, encoding: .utf8)) != file.contents
            }
            for file in stale {
                Terminal.standardError.write("\(file.path) differs from the model; run: dpctl schemas --write \(folder)\n")
            }
            if !stale.isEmpty { throw CLIError.exit(1) }
            print("\(files.count) generated files match the model")
        } else {
            for file in files { print(file.path) }
        }
    }
}
