import Foundation
import TestSupport

/// Runs the built dpctl in the repository's root (or `cwd`).
func dpctl(_ arguments: String..., stdin: String? = nil, cwd: URL? = nil, environment: [String: String] = [:]) async throws -> ProcessResult
{
    try await dpctl(arguments, stdin: stdin, cwd: cwd, environment: environment)
}

func dpctl(_ arguments: [String], stdin: String? = nil, cwd: URL? = nil, environment: [String: String] = [:]) async throws -> ProcessResult
{
    try await Subprocess.run(try Products.path("dpctl"), arguments, stdin: stdin, in: cwd ?? repositoryRoot, environment: environment)
}
