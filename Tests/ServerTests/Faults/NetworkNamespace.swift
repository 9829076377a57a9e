import Foundation
import TestSupport

/// A network namespace of the test's own joined to this one by a veth pair (iproute2, as
/// root): a process started in it (`exec`) reaches this side only through the pair, at
/// `hostAddress`, and this side reaches it at `innerAddress`. `cut()` takes this side's end
/// down: a partition (connects fail after ARP gives up, about 3 s), `heal()` brings it back.
/// Files (git's file:// remotes, Postgres's Unix socket) are shared as usual.
struct NetworkNamespace: Sendable {
    let name: String
    /// This side's end of the pair.
    let link: String
    let hostAddress: String
    let innerAddress: String

    /// `ip netns exec NAME`: the launcher of a process inside.
    var exec: [String] { ["ip", "netns", "exec", name] }

    /// Why network namespaces cannot be made here (the kernel or the container refuses), or nil;
    /// probed once by making and removing one. Not root or no iproute2 count as refusals too.
    static let refusal: String? = {
        let probe = "dpprobe\(ProcessInfo.processInfo.processIdentifier)"
        defer { _ = try? Subprocess.run("ip", ["netns", "del", probe]) }
        guard let made = try? Subprocess.run("ip", ["netns", "add", probe]) else { return "no `ip` (iproute2) to run" }
        guard made.status == 0 else { return "ip netns add: \(made.stderr)" }
        return nil
    }()

    /// Makes the namespace, the pair and a /30 of 10.x.y.z picked at random (tests run at once).
    static func create() async throws -> NetworkNamespace {
        let tag = String(UInt32.random(in: 0...0xFFFFFF), radix: 16)
        let subnet = "10.\(Int.random(in: 100...250)).\(Int.random(in: 0...255)).\(Int.random(in: 0...63) * 4)"
        let base = subnet.split(separator: ".").map { Int($0)! }
        func address(_ host: Int) -> String { "\(base[0]).\(base[1]).\(base[2]).\(base[3] + host)" }
        let namespace = NetworkNamespace(name: "dpfault-\(tag)", link: "dph\(tag)", hostAddress: address(1), innerAddress: address(2))
        let inner = "dpn\(tag)"
        let steps: [[String]] = [
            ["netns", "add", namespace.name],
            ["link", "add", namespace.link, "type", "veth", "peer", "name", inner],
            ["link", "set", inner, "netns", namespace.name],
            ["addr", "add", namespace.hostAddress + "/30", "dev", namespace.link],
            ["link", "set", namespace.link, "up"],
            ["netns", "exec", namespace.name, "ip", "addr", "add", namespace.innerAddress + "/30", "dev", inner],
            ["netns", "exec", namespace.name, "ip", "link", "set", inner, "up"],
            ["netns", "exec", namespace.name, "ip", "link", "set", "lo", "up"],
        ]
        do {
            for step in steps { _ = try await Subprocess.check("ip", step) }
        } catch {
            await namespace.remove()
            throw error
        }
        return namespace
    }

    /// The partition: this side's end goes down (the inner end loses its carrier).
    func cut() async throws { _ = try await Subprocess.check("ip", ["link", "set", link, "down"]) }

    func heal() async throws { _ = try await Subprocess.check("ip", ["link", "set", link, "up"]) }

    /// Removes the pair (both ends) and the namespace.
    func remove() async {
        _ = try? await Subprocess.check("ip", ["link", "del", link])
        _ = try? await Subprocess.check("ip", ["netns", "del", name])
    }
}
