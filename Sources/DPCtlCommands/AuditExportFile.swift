import APIClient
import APIModel
import CLIKit
import Foundation
import Manifests

/// Audit entries and checkpoints as `dpctl audit verify` reads them: from the server a page at a
/// time, or from a saved file (`dpctl audit export`'s document, one page of GET /api/audit/events,
/// a JSON array of such pages, or a JSON array of entries).
enum AuditExportFile {
    /// A file's JSON; a file that cannot be read or is not JSON is exit status 2, naming it.
    static func readJSON(_ path: String, what: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError("cannot read the \(what) \(path): it does not exist or is not readable", exitCode: 2)
        }
        switch JSONText.parse(Array(data)) {
        case .success(let value): return value
        case .failure(let error): throw CLIError("the \(what) \(path) is not JSON: \(error)", exitCode: 2)
        }
    }

    /// The entries and the checkpoint (if the file carries one) of an export file.
    static func read(_ path: String) throws -> (items: [JSONValue], checkpoint: JSONValue?) {
        let document = try readJSON(path, what: "export")
        func page(_ value: JSONValue, at place: String) throws -> (items: [JSONValue], checkpoint: JSONValue?) {
            guard let items = value["items"]?.arrayValue else {
                throw CLIError(
                    "\(path): \(place) has no \"items\" list; give dpctl audit export's file or saved GET /api/audit/events pages",
                    exitCode: 2)
            }
            let checkpoint = value["checkpoint"].flatMap { $0 == .null ? nil : $0 }
            return (items, checkpoint)
        }
        switch document {
        case .object: return try page(document, at: "the document")
        case .array(let elements):
            if elements.allSatisfy({ $0["items"] == nil }) { return (elements, nil) }
            var items: [JSONValue] = []
            var checkpoint: JSONValue?
            for (index, element) in elements.enumerated() {
                let one = try page(element, at: "element \(index)")
                items += one.items
                checkpoint = one.checkpoint ?? checkpoint
            }
            return (items, checkpoint)
        default:
            throw CLIError("\(path) is neither an export document nor a list of pages or entries", exitCode: 2)
        }
    }

    /// The server's latest checkpoint, nil when it has signed none.
    static func latestCheckpoint(_ client: APIClient) async throws -> JSONValue? {
        do {
            return try await client.send("GET", APIPath.auditCheckpointLatest).json
        } catch let error as APIError where error.code == .notFound {
            return nil
        }
    }

    /// Every entry, oldest first, a page at a time; `body` gets each page and the index of its first item.
    static func pages(_ client: APIClient, _ body: ([JSONValue], Int) throws -> Void) async throws {
        var token: String?
        var offset = 0
        repeat {
            let response = try await client.send(
                "GET", APIPath.auditEvents + "?" + APIPath.query([("page_size", "1000")] + (token.map { [("page_token", $0)] } ?? [])))
            // Parsed as JSON text, not decoded: the entries must keep every value exactly as hashed.
            guard case .success(let page) = JSONText.parse(response.body), let items = page["items"]?.arrayValue else {
                throw CLIError("\(client.server)\(APIPath.auditEvents) did not answer a page of entries", exitCode: 2)
            }
            try body(items, offset)
            offset += items.count
            let next = page["next_page_token"]?.stringValue
            // A server that keeps answering empty pages, or the same token, would page forever.
            if next != nil, items.isEmpty || next == token {
                throw CLIError(
                    "\(client.server)\(APIPath.auditEvents) answered an empty page or the same page token again; stopped", exitCode: 2)
            }
            token = next
        } while token != nil
    }
}
