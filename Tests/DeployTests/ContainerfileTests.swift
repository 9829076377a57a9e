import Foundation
import TestSupport
import Testing

/// The Containerfile cannot be built here (no container engine on the test machines), so what can
/// be checked is: its runtime stage installs exactly the Debian packages owning the shared
/// libraries the executables link, and it keeps to the rules in docs/operations.md.
@Suite struct ContainerfileTests {
    static let containerfile = repositoryRoot.appendingPathComponent("Containerfile")

    /// The value of `ARG NAME="..."` in the Containerfile, split on spaces.
    static func argument(_ name: String) throws -> Set<String> {
        let text = try String(contentsOf: containerfile, encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("ARG \(name)=") }, "ARG \(name)")
        let value = line.dropFirst("ARG \(name)=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        return Set(value.split(separator: " ").map(String.init))
    }

    /// The Debian packages whose libraries `executables` link: each NEEDED entry, resolved with
    /// ldd and mapped with `dpkg -S`. Libraries no Debian package owns are the Swift toolchain's
    /// (linked statically into the image with --static-swift-stdlib), so their own NEEDED entries
    /// count instead. libc6 is left out: every Debian image has it.
    static func linkedPackages(_ executables: [String]) async throws -> (packages: Set<String>, toolchain: Set<String>) {
        var packages: Set<String> = [], toolchain: Set<String> = [], seen: Set<String> = []
        var level = executables
        // Breadth first, one `dpkg -S` per level (it is slow to start).
        while !level.isEmpty {
            var needed: [(soname: String, path: String)] = []
            for file in level where seen.insert(file).inserted {
                await needed += try neededLibraries(of: file)
            }
            let owners = try await owners(of: needed.map(\.path))
            level = []
            for (soname, path) in needed {
                if let package = owners[path] {
                    if package != "libc6" { packages.insert(package) }
                } else if !seen.contains(path) {
                    toolchain.insert(soname)
                    level.append(path)
                }
            }
        }
        return (packages, toolchain)
    }

    /// The NEEDED entries of `file` (readelf) with the paths ldd resolves them to.
    static func neededLibraries(of file: String) async throws -> [(soname: String, path: String)] {
        let ldd = try await run("ldd", [file])
        #expect(ldd.status == 0, "ldd \(file): \(ldd.stderr)")
        var paths: [String: String] = [:]
        for line in ldd.stdout.split(separator: "\n") {
            let parts = line.split(whereSeparator: \.isWhitespace)
            if parts.count >= 3, parts[1] == "=>" { paths[String(parts[0])] = String(parts[2]) }
        }
        let readelf = try await run("readelf", ["-d", file])
        let needed = readelf.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }.compactMap { line -> String? in
            guard let open = line.firstIndex(of: "["), let close = line.lastIndex(of: "]") else { return nil }
            return String(line[line.index(after: open)..<close])
        }
        // The dynamic loader is libc6's (ldd prints it without "=>").
        return try needed.filter { !$0.hasPrefix("ld-linux") }.map { soname in
            (soname, try #require(paths[soname], "ldd does not resolve \(soname) of \(file)"))
        }
    }

    /// The package owning each path that a Debian package owns, trying the merged-/usr spellings.
    static func owners(of paths: [String]) async throws -> [String: String] {
        var spellings: [String: String] = [:]  // candidate -> original path
        for path in Set(paths) {
            let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            for p in [path, real] {
                spellings[p] = path
                spellings[p.hasPrefix("/usr/") ? String(p.dropFirst(4)) : "/usr" + p] = path
            }
        }
        guard !spellings.isEmpty else { return [:] }
        // Exit status 1 when some path has no owner; the others are still listed.
        let outcome = try await run("dpkg", ["-S"] + spellings.keys.sorted())
        var owners: [String: String] = [:]
        for line in outcome.stdout.split(separator: "\n") {
            guard let separator = line.range(of: ": ") else { continue }
            let package = line[..<separator.lowerBound].split(separator: ":").first.map(String.init) ?? ""
            if let path = spellings[String(line[separator.upperBound...])] { owners[path] = package }
        }
        return owners
    }

    @Test func theRuntimeStageInstallsExactlyTheLinkedLibrariesPackages() async throws {
        let executables = try ["dpctl", "datapilot-server", "datapilot-reconciler"].map { try Products.path($0) }
        let (linked, toolchain) = try await Self.linkedPackages(executables)
        #expect(linked.contains("libgit2-1.5") && linked.contains("libpq5") && linked.contains("libcurl4"), "\(linked)")
        #expect(toolchain.contains { $0.hasPrefix("libswiftCore") } || toolchain.isEmpty, "\(toolchain)")
        #expect(
            try Self.argument("RUNTIME_PACKAGES") == linked,
            "Containerfile RUNTIME_PACKAGES must be exactly the packages of the linked libraries: \(linked.sorted().joined(separator: " "))"
        )
        #expect(try Self.argument("EXTRA_PACKAGES") == ["ca-certificates", "gpgv", "openssh-client"])
    }

    @Test func theImageFollowsTheRules() throws {
        let text = try String(contentsOf: Self.containerfile, encoding: .utf8)
        let stages = text.split(separator: "\n").filter { $0.hasPrefix("FROM ") }
        #expect(stages.count == 2, "multi-stage: build, then runtime")
        #expect(stages.first?.contains("swift:") == true && stages.first?.contains("bookworm") == true)
        #expect(stages.last?.contains("debian:bookworm-slim") == true, "run on slim Debian 12, the build stage's release")
        #expect(text.contains("--static-swift-stdlib"))
        #expect(text.contains("USER 10001:10001"), "non-root, the UID deploy/ runs as")
        #expect(text.contains("rm -rf /var/lib/apt/lists/*"))
        for executable in ["datapilot-server", "datapilot-reconciler", "dpctl"] { #expect(text.contains("\"$bin/\(executable)\"")) }
        let ignore = try String(contentsOf: repositoryRoot.appendingPathComponent(".dockerignore"), encoding: .utf8)
        for entry in [".build", ".git", "Tests"] { #expect(ignore.split(separator: "\n").contains(Substring(entry))) }
    }
}
