import Foundation

/// The executables this package builds, found next to the test binary.
public enum Products {
    /// The built executable `name` (`dpctl`, `datapilot-server`).
    public static func executable(_ name: String) throws -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        throw SetupError(
            .notBuilt, "\(name) was not built next to the test binary \(CommandLine.arguments[0]): run `swift build --build-tests` first")
    }

    public static func path(_ name: String) throws -> String { try executable(name).path }
}

/// The root of this checkout (this file is Tests/TestSupport/Products.swift).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
