import Foundation
import Hummingbird
import Manifests
import ServiceKit

/// The fields of one MLflow request: the JSON body of a POST, the query of a GET, read with
/// MLflow's types (int64 as a number or a numeric string, as protobuf's JSON allows). Every bad
/// field is an INVALID_PARAMETER_VALUE naming it.
struct MLflowRequest: Sendable {
    let fields: JSONValue
    /// Read from a query, where a list of one is a single value.
    var fromQuery = false

    static func read(_ request: Request, _ context: APIRequestContext, limit: Int = 4 << 20) async throws -> MLflowRequest {
        if request.method == .get || request.method == .head {
            var members: [JSONMember] = []
            // As HTML forms (and Python's requests) encode it: `+` is a space, `%2B` a plus.
            for pair in (request.uri.query ?? "").split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                func decode(_ text: Substring) -> String? { text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
                guard let key = decode(parts[0]), let text = parts.count > 1 ? decode(parts[1]) : "" else {
                    throw MLflowError.invalid("the query has a bad percent-encoding in '\(pair.prefix(64))'")
                }
                let value = JSONValue.string(text)
                if let index = members.firstIndex(where: { $0.key == key }) {
                    // A repeated parameter is a list (experiment_ids=1&experiment_ids=2).
                    let earlier = members[index].value
                    members[index].value = .array((earlier.arrayValue ?? [earlier]) + [value])
                } else {
                    members.append(JSONMember(key, value))
                }
            }
            return MLflowRequest(fields: .object(members), fromQuery: true)
        }
        let bytes: [UInt8]
        do {
            bytes = try await request.jsonBody(context: context, limit: limit)
        } catch let problem as Problem {
            throw MLflowError(.invalidParameterValue, problem.detail)
        }
        if bytes.isEmpty { return MLflowRequest(fields: .object([])) }
        switch JSONText.parse(bytes) {
        case .success(let value) where value.objectValue != nil: return MLflowRequest(fields: value)
        case .success: throw MLflowError.invalid("the request body must be a JSON object")
        case .failure(let error): throw MLflowError.invalid("the request body is not valid JSON: \(error)")
        }
    }

    subscript(_ key: String) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) throws -> String? {
        guard let value = self[key] else { return nil }
        guard let text = value.stringValue else { throw Self.type(key, "a string", value) }
        return text
    }

    func required(_ key: String) throws -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw MLflowError.invalid("Missing value for required parameter '\(key)'.")
        }
        return text
    }

    func int64(_ key: String) throws -> Int64? {
        guard let value = self[key] else { return nil }
        return try Self.int64(value, at: key)
    }

    static func int64(_ value: JSONValue, at path: String) throws -> Int64 {
        if case .int(let n) = value { return n }
        if let n = value.numberValue, n == n.rounded(), abs(n) < 9.2e18 { return Int64(n) }
        if let text = value.stringValue, let n = Int64(text) { return n }
        throw type(path, "a whole number (int64)", value)
    }

    static func double(_ value: JSONValue, at path: String) throws -> Double {
        if let n = value.numberValue { return n }
        if let text = value.stringValue, let n = Double(text), !text.isEmpty { return n }
        throw type(path, "a number", value)
    }

    func array(_ key: String) throws -> [JSONValue] {
        guard let value = self[key] else { return [] }
        if let items = value.arrayValue { return items }
        // A GET's single value of a repeated field.
        if fromQuery, value.stringValue != nil { return [value] }
        throw Self.type(key, "a list", value)
    }

    func object(_ key: String) throws -> JSONValue? {
        guard let value = self[key] else { return nil }
        guard value.objectValue != nil else { throw Self.type(key, "an object", value) }
        return value
    }

    /// The run a request names: `run_id`, or the older `run_uuid`; both must agree.
    func runID() throws -> String {
        let id = try string("run_id")
        let uuid = try string("run_uuid")
        if let id, let uuid, !id.isEmpty, !uuid.isEmpty, id != uuid {
            throw MLflowError.invalid("run_id '\(id)' and run_uuid '\(uuid)' name different runs; send one of them")
        }
        guard let run = [id, uuid].compactMap({ $0 }).first(where: { !$0.isEmpty }) else {
            throw MLflowError.invalid("Missing value for required parameter 'run_id'.")
        }
        return run
    }

    static func type(_ path: String, _ expected: String, _ value: JSONValue) -> MLflowError {
        MLflowError.invalid("Invalid value \(value.jsonString()) for parameter '\(path)' supplied: it must be \(expected)")
    }
}
