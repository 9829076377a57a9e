import ServiceLifecycle
import Synchronization

/// The background services the routes bring along (the executors' periodic work), collected
/// while the router is built so that they run in the server's service group.
public final class BackgroundServices: Sendable {
    private let services = Mutex<[any Service]>([])

    public init() {}

    func add(_ more: [any Service]) { services.withLock { $0 += more } }

    public var all: [any Service] { services.withLock { $0 } }
}
