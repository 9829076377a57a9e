import CLIKit
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Hands `dpctl reconcile ...` to `datapilot-reconciler`, the way git and kubectl run their
/// plugins: found next to dpctl's own executable (symlinks resolved), else on PATH, and run with
/// execv, so that it keeps dpctl's process id and its signals and exit status are the reconciler's.
public enum ReconcilerLauncher {
    static let program = "datapilot-reconciler"

    /// Runs the reconciler when `arguments` start with `reconcile`; returns only if that failed
    /// (the exit status, after saying why), and nil for every other command line.
    public static func dispatch(_ arguments: [String]) -> Int32? {
        guard arguments.first == ReconcileCommand.configuration.commandName else { return nil }
        return exec(arguments: Array(arguments.dropFirst()))
    }

    /// Replaces this process with the reconciler; returns 1 when it cannot.
    static func exec(arguments: [String]) -> Int32 {
        let own = ownFolder()
        let search = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let places = candidates(ownFolder: own, path: search)
        guard let found = places.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            let beside = own.map { "next to dpctl (\($0)/\(program))" } ?? "next to dpctl (its folder is unknown)"
            Terminal.standardError.write(
                """
                Error: dpctl reconcile runs \(program), which was not found \(beside) nor on PATH (\(search.isEmpty ? "empty" : search)); \
                install it beside dpctl (the release archive and the container image ship both) or put its folder on PATH\n
                """)
            return 1
        }
        var argv: [UnsafeMutablePointer<CChar>?] = ([found] + arguments).map { strdup($0) }
        argv.append(nil)
        execv(found, argv)
        let reason = String(cString: strerror(errno))
        for pointer in argv { free(pointer) }
        Terminal.standardError.write("Error: dpctl reconcile cannot run \(found): \(reason)\n")
        return 1
    }

    /// The reconciler next to dpctl first, then in each folder of PATH.
    static func candidates(ownFolder: String?, path: String) -> [String] {
        var places: [String] = []
        for folder in [ownFolder].compactMap({ $0 }) + path.split(separator: ":").map(String.init) where !folder.isEmpty {
            let place = folder.hasSuffix("/") ? folder + program : folder + "/" + program
            if !places.contains(place) { places.append(place) }
        }
        return places
    }

    /// The folder of this executable, symlinks resolved (`/proc/self/exe` on Linux).
    static func ownFolder() -> String? {
        #if os(Linux)
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
            if count > 0 {
                let path = String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                return URL(fileURLWithPath: path).deletingLastPathComponent().path
            }
        #endif
        return Bundle.main.executableURL?.resolvingSymlinksInPath().deletingLastPathComponent().path
    }
}
