import Foundation
import Manifests
import TestSupport

/// docs/openapi.yaml, and a check of an encoded value against one of its schemas: the keys
/// the type writes are the documented properties, the required ones are there, and every
/// value has the documented type, enum and limits. Enough JSON Schema for the API's bodies.
struct OpenAPIDocument {
    let root: JSONValue

    static let path = repositoryRoot.appendingPathComponent("docs/openapi.yaml")

    init() throws {
        let text = try String(contentsOf: Self.path, encoding: .utf8)
        guard case .success(let root) = JSONText.parse(text) else { throw CheckFailure("docs/openapi.yaml does not parse") }
        self.root = root
    }

    func schema(named name: String) throws -> JSONValue {
        guard let schema = root["components"]?["schemas"]?[name] else { throw CheckFailure("no schema \(name)") }
        return schema
    }

    func requestBody(_ method: String, _ path: String) throws -> JSONValue {
        guard let schema = root["paths"]?[path]?[method]?["requestBody"]?["content"]?["application/json"]?["schema"] else {
            throw CheckFailure("no JSON request body for \(method) \(path)")
        }
        return schema
    }

    func resolve(_ schema: JSONValue) throws -> JSONValue {
        guard let ref = schema["$ref"]?.stringValue else { return schema }
        guard ref.hasPrefix("#/components/schemas/") else { throw CheckFailure("unsupported $ref \(ref)") }
        return try resolve(try self.schema(named: String(ref.dropFirst("#/components/schemas/".count))))
    }

    /// Every mismatch between `value` and `schema`, each naming its path.
    func mismatches(_ value: JSONValue, _ schema: JSONValue, at path: String = "") throws -> [String] {
        let schema = try resolve(schema)
        var out: [String] = []
        if let options = schema["enum"]?.arrayValue, !options.contains(value) {
            out.append("\(path): \(value.jsonString()) is not one of \(JSONValue.array(options).jsonString())")
        }
        switch schema["type"]?.stringValue {
        case "object"?:
            guard let members = value.objectValue else { return out + ["\(path): not an object"] }
            let properties = schema["properties"]?.objectValue ?? []
            for name in schema["required"]?.arrayValue?.compactMap(\.stringValue) ?? [] where value[name] == nil {
                out.append("\(path).\(name): required by the document, not written by the type")
            }
            for member in members {
                if let property = properties.first(where: { $0.key == member.key }) {
                    out += try mismatches(member.value, property.value, at: "\(path).\(member.key)")
                } else if let additional = schema["additionalProperties"], additional.objectValue != nil {
                    out += try mismatches(member.value, additional, at: "\(path).\(member.key)")
                } else {
                    out.append("\(path).\(member.key): written by the type, not in the document")
                }
            }
        case "array"?:
            guard let items = value.arrayValue else { return out + ["\(path): not an array"] }
            if let max = schema["maxItems"]?.numberValue, Double(items.count) > max { out.append("\(path): more than \(Int(max)) items") }
            for (index, item) in items.enumerated() { out += try mismatches(item, schema["items"] ?? .object([]), at: "\(path)[\(index)]") }
        case "string"?:
            guard let text = value.stringValue else { return out + ["\(path): not a string"] }
            if let max = schema["maxLength"]?.numberValue, Double(text.count) > max { out.append("\(path): longer than \(Int(max))") }
            if let pattern = schema["pattern"]?.stringValue, text.range(of: pattern, options: .regularExpression) == nil {
                out.append("\(path): \"\(text)\" does not match \(pattern)")
            }
        case "integer"?:
            guard case .int(let n) = value else { return out + ["\(path): not an integer"] }
            if let min = schema["minimum"]?.numberValue, Double(n) < min { out.append("\(path): below \(Int(min))") }
        case "boolean"?:
            if value.boolValue == nil { out.append("\(path): not a boolean") }
        default:
            break  // {} takes any value
        }
        return out
    }
}

struct CheckFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
