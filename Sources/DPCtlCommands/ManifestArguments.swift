import ArgumentParser
import CLIKit
import Foundation
import Manifests

/// `-f PATH... [-R] [--root DIR]`, shared by validate's siblings apply, diff and delete.
struct ManifestArguments: ParsableArguments {
    @Option(
        name: [.customShort("f"), .customLong("filename")],
        help: "A file or folder of manifests; '-' reads standard input. Repeatable.")
    var filenames: [String] = []

    @Flag(name: [.customShort("R"), .long], help: "Walk folders given with -f recursively.")
    var recursive = false

    @Option(
        help: "Repository root that data file paths must stay inside (default: the git work tree holding the files, or the folder given).")
    var root: String?

    func validate() throws {
        if filenames.filter({ $0 == "-" }).count > 1 {
            throw ValidationError("-f - (standard input) can be given only once")
        }
    }

    /// The repository root the manifests' data paths and source paths are relative to.
    var resolvedRoot: String {
        root ?? LocalSourceTree.root(for: filenames.first { $0 != "-" } ?? FileManager.default.currentDirectoryPath)
    }

    /// Loads and checks the manifests; on any error prints every diagnostic and ends the
    /// command with `exitCode`, before anything is sent to the server.
    func load(exitCode: Int32) throws -> [Manifest] {
        var inputs: [ManifestInput] = []
        for name in filenames {
            if name == "-" {
                inputs.append(.bytes(name: "<stdin>", Array(FileHandle.standardInput.readDataToEndOfFile())))
            } else {
                inputs.append(.path(name))
            }
        }
        let set = ManifestLoader(options: LoadOptions(recursive: recursive, root: root, allowExternalReferences: true)).load(inputs)
        let err = Terminal.standardError
        let style = Style(enabled: err.isColorful)
        for diagnostic in set.diagnostics where diagnostic.severity == .error {
            let field = diagnostic.path.isEmpty ? "" : style.bold(diagnostic.path) + ": "
            err.write(
                "\(style.bold("\(diagnostic.file):\(diagnostic.line):\(diagnostic.column):")) \(style.red("error:")) \(field)\(diagnostic.message)\n"
            )
        }
        if !set.isValid {
            err.write(
                "Error: \(set.errors.count) error\(set.errors.count == 1 ? "" : "s") in the manifests; nothing was sent to the server\n")
            throw CLIError.exit(exitCode)
        }
        return set.manifests
    }
}
