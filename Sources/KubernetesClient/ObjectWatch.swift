import Foundation
import Manifests

/// Follows one named object of a collection (`/apis/batch/v1/namespaces/NS/jobs`) the way the
/// API asks clients to: list it (with `fieldSelector=metadata.name=NAME`) to learn the
/// collection's resourceVersion, then watch from there, each event moving the version on; a
/// watch that answers 410 Gone (or an ERROR event with code 410: the version is older than
/// the API keeps) starts over with a list.
public struct ObjectWatch: Sendable {
    public let api: KubernetesAPI
    public let collection: String
    public let name: String
    /// The object as last seen; nil when it does not exist (or was deleted).
    public private(set) var object: JSONValue?
    /// Where the next watch starts; nil until listed (and again after a 410).
    public private(set) var resourceVersion: String?

    public init(api: KubernetesAPI, collection: String, name: String) {
        self.api = api
        self.collection = collection
        self.name = name
    }

    /// Brings `object` up to date: a list when needed, then a watch of at most `seconds` that
    /// ends early once `done(object)` holds. Returns the object as it then is.
    public mutating func update(seconds: Int, until done: @escaping @Sendable (JSONValue?) -> Bool) async throws(KubernetesError)
        -> JSONValue?
    {
        let selector = ("fieldSelector", "metadata.name=\(name)")
        guard let version = resourceVersion else {
            let list = try await api.send("GET", collection, query: [selector])
            object = list["items"]?.arrayValue?.first { $0["metadata"]?["name"]?.stringValue == name }
            resourceVersion = list["metadata"]?["resourceVersion"]?.stringValue
            return object
        }
        if done(object) { return object }
        let state = WatchState(object: object, resourceVersion: version)
        do {
            try await api.stream(
                collection,
                query: [
                    ("watch", "1"), ("resourceVersion", version), selector,
                    ("allowWatchBookmarks", "true"), ("timeoutSeconds", String(max(1, seconds))),
                ],
                timeoutSeconds: max(1, seconds) + 15
            ) { event in
                state.apply(event, done: done)
            }
        } catch  where error.isGone {
            resourceVersion = nil
            return object
        }
        object = state.object
        resourceVersion = state.resourceVersion
        if let error = state.error {
            if error.isGone { resourceVersion = nil } else { throw error }
        }
        return object
    }
}

/// What a watch stream has said so far (events arrive on the transfer's thread).
final class WatchState: @unchecked Sendable {
    private let lock = NSLock()
    private var _object: JSONValue?
    private var _resourceVersion: String?
    private var _error: KubernetesError?

    init(object: JSONValue?, resourceVersion: String) {
        _object = object
        _resourceVersion = resourceVersion
    }

    var object: JSONValue? { lock.withLock { _object } }
    var resourceVersion: String? { lock.withLock { _resourceVersion } }
    var error: KubernetesError? { lock.withLock { _error } }

    /// Applies one `{"type": ..., "object": ...}` event; false ends the stream.
    func apply(_ event: JSONValue, done: (JSONValue?) -> Bool) -> Bool {
        lock.withLock {
            let object = event["object"] ?? .null
            switch event["type"]?.stringValue {
            case "ADDED", "MODIFIED": _object = object
            case "DELETED": _object = nil
            case "BOOKMARK": break
            case "ERROR":
                let code = object["code"]?.numberValue.map { Int($0) }
                _error = KubernetesError(
                    status: code, reason: object["reason"]?.stringValue ?? "Error",
                    description: "the watch of \(object["details"]?["name"]?.stringValue ?? "the object") ended with an error: "
                        + (object["message"]?.stringValue ?? "\(event.jsonString())"))
                return false
            default:
                _error = KubernetesError(
                    status: nil, reason: "BadEvent",
                    description: "the watch sent an event that is not one: \(event.jsonString().prefix(300))")
                return false
            }
            if let version = object["metadata"]?["resourceVersion"]?.stringValue { _resourceVersion = version }
            return !done(_object)
        }
    }
}
