import YAML

/// A string found while validating whose meaning reaches beyond its document: a reference to
/// another object, a column name, a data file path, a regular expression.
public struct StringOccurrence: Sendable, Hashable {
    public var role: StringType.Role
    public var value: String
    public var path: FieldPath
    public var mark: Mark
}

/// Checks one document's nodes against the model's field types and builds its JSON form.
/// Every problem is recorded, not just the first; a field with a problem is left out of the result.
struct NodeValidator {
    let file: String
    var diagnostics: [Diagnostic] = []
    var occurrences: [StringOccurrence] = []
    var path = FieldPath()

    init(file: String) { self.file = file }

    mutating func error(_ code: Diagnostic.Code, _ mark: Mark, _ message: String, at path: FieldPath? = nil) {
        diagnostics.append(
            Diagnostic(
                .error, code, file: file, line: mark.line, column: mark.column,
                path: (path ?? self.path).dotted, message: message))
    }

    /// Validates `node` as `type`; nil when it is not valid (the reason is recorded).
    mutating func value(_ node: YAMLNode, _ type: FieldType) -> JSONValue? {
        switch type {
        case .string(let stringType): return string(node, stringType)
        case .integer(let minimum):
            guard let i = integer(node, type) else { return nil }
            if let minimum, i < minimum {
                error(.invalidValue, node.mark, "\(i) is below the minimum of \(minimum)")
                return nil
            }
            return .int(i)
        case .number(let minimum):
            guard let d = number(node, type) else { return nil }
            if let minimum, d < minimum {
                error(.invalidValue, node.mark, "\(d) is below the minimum of \(minimum)")
                return nil
            }
            return d == d.rounded() && abs(d) < 9e15 ? .int(Int64(d)) : .double(d)
        case .boolean:
            if case .bool(let b) = resolved(node) { return .bool(b) }
            return mismatch(node, type)
        case .scalar:
            switch resolved(node) {
            case .string(let s): return .string(s)
            case .int(let i): return .int(i)
            case .float(let d) where d.isFinite: return .double(d)
            case .bool(let b): return .bool(b)
            default: return mismatch(node, type)
            }
        case .countOrPercent:
            switch resolved(node) {
            case .int(let i) where i >= 0: return .int(i)
            case .string(let s) where StringFormat.percent.accepts(s): return .string(s)
            case .string(let s) where StringFormat.looksLikePercent(s):
                error(.invalidValue, node.mark, "\"\(s)\" is over 100%")
                return nil
            default: return mismatch(node, type)
            }
        case .array(let element, let minItems):
            guard case .sequence(let items) = node.value else { return mismatch(node, type) }
            if items.count < minItems {
                error(.invalidValue, node.mark, "expected at least \(minItems) item\(minItems == 1 ? "" : "s"), found \(items.count)")
                return nil
            }
            var out: [JSONValue] = []
            out.reserveCapacity(items.count)
            var ok = true
            for (i, item) in items.enumerated() {
                path.push(.index(i))
                if item.isNull {
                    error(.wrongType, item.mark, "expected \(element.expectation), found an empty item")
                    ok = false
                } else if let v = value(item, element) {
                    out.append(v)
                } else {
                    ok = false
                }
                path.pop()
            }
            return ok ? .array(out) : nil
        case .map(let keyFormat, let valueType):
            guard case .mapping(let pairs) = node.value else { return mismatch(node, type) }
            var out: [JSONMember] = []
            var ok = true
            for pair in pairs {
                guard let key = pair.key.scalar?.text else {
                    error(.wrongType, pair.key.mark, "keys must be strings, found \(describe(pair.key))")
                    ok = false
                    continue
                }
                path.push(.key(key))
                if let keyFormat, !keyFormat.accepts(key) {
                    error(.invalidName, pair.key.mark, "key \"\(key)\" is not \(keyFormat.expectation)")
                    ok = false
                } else if pair.value.isNull {
                    // An explicit null is the same as leaving the key out, as in an object.
                } else if let v = value(pair.value, valueType) {
                    out.append(JSONMember(key, v))
                } else {
                    ok = false
                }
                path.pop()
            }
            return ok ? .object(out) : nil
        case .object(let objectType):
            return object(node, objectType)
        }
    }

    mutating func object(_ node: YAMLNode, _ type: ObjectType) -> JSONValue? {
        guard case .mapping(let pairs) = node.value else { return mismatch(node, .object(type)) }
        var out: [JSONMember] = []
        var present: Set<String> = []
        var ok = true
        for pair in pairs {
            guard let key = pair.key.scalar?.text else {
                error(.wrongType, pair.key.mark, "keys must be strings, found \(describe(pair.key))")
                ok = false
                continue
            }
            guard let field = type.field(named: key) else {
                error(
                    .unknownField, pair.key.mark,
                    "unknown field \"\(key)\"" + Suggest.hint(for: key, in: type.fields.map(\.name))
                        + "; expected one of " + type.fields.map(\.name).joined(separator: ", "))
                ok = false
                continue
            }
            present.insert(key)
            // An explicit null is the same as leaving the field out (as Kubernetes prunes it):
            // fine for an optional field, missing for a required one.
            if pair.value.isNull {
                if field.required {
                    error(
                        .missingField, pair.value.mark, "required field \"\(key)\" is empty; expected \(field.type.expectation)",
                        at: path.appending(.key(key)))
                    ok = false
                }
                present.remove(key)
                continue
            }
            path.push(.key(key))
            if let v = value(pair.value, field.type) { out.append(JSONMember(key, v)) } else { ok = false }
            path.pop()
        }
        for field in type.fields where field.required && !present.contains(field.name) {
            if pairs.contains(where: { $0.key.scalar?.text == field.name }) { continue }  // reported as empty
            error(.missingField, node.mark, "missing required field \"\(field.name)\" (\(field.description.lowercasedFirst))")
            ok = false
        }
        for group in type.exactlyOneOf {
            let given = group.filter(present.contains)
            if given.count != 1 {
                let which = given.isEmpty ? "none was given" : "found " + given.joined(separator: " and ")
                error(.invalidValue, node.mark, "exactly one of \(group.joined(separator: ", ")) is required; \(which)")
                ok = false
            }
        }
        for group in type.atLeastOneOf where !group.contains(where: present.contains) {
            error(.missingField, node.mark, "at least one of \(group.joined(separator: ", ")) is required")
            ok = false
        }
        guard ok else { return nil }
        let result = JSONValue.object(out)
        for rule in type.rules {
            if let message = rule.violation(in: result) {
                error(.invalidValue, node.mark, message)
                return nil
            }
        }
        return result
    }

    mutating func string(_ node: YAMLNode, _ type: StringType) -> JSONValue? {
        guard case .string(let s) = resolved(node) else { return mismatch(node, .string(type)) }
        if let allowed = type.allowed, !allowed.contains(s) {
            error(.invalidValue, node.mark, "\"\(s)\" is not one of \(allowed.joined(separator: ", "))" + Suggest.hint(for: s, in: allowed))
            return nil
        }
        if let format = type.format, !format.accepts(s) {
            let code: Diagnostic.Code = format == .dnsSubdomain ? .invalidName : .invalidValue
            error(code, node.mark, "\"\(Self.clip(s))\" is not \(format.expectation)")
            return nil
        }
        if let role = type.role {
            occurrences.append(StringOccurrence(role: role, value: s, path: path, mark: node.mark))
        }
        return .string(s)
    }

    mutating func integer(_ node: YAMLNode, _ type: FieldType) -> Int64? {
        switch resolved(node) {
        case .int(let i): return i
        case .float(let d) where d == d.rounded() && abs(d) < 9e15: return Int64(d)
        default:
            _ = mismatch(node, type)
            return nil
        }
    }

    mutating func number(_ node: YAMLNode, _ type: FieldType) -> Double? {
        switch resolved(node) {
        case .int(let i): return Double(i)
        case .float(let d) where d.isFinite: return d
        default:
            _ = mismatch(node, type)
            return nil
        }
    }

    func resolved(_ node: YAMLNode) -> ImplicitScalar? {
        guard case .scalar(let s) = node.value else { return nil }
        return ImplicitScalar.resolve(s, tag: node.tag)
    }

    mutating func mismatch(_ node: YAMLNode, _ type: FieldType) -> JSONValue? {
        var message = "expected \(type.expectation), found \(describe(node))"
        if case .string = type, let scalar = node.scalar, scalar.style == .plain {
            message += "; quote it (\"\(Self.clip(scalar.text))\") to make it a string"
        } else if let scalar = node.scalar, scalar.style != .plain,
            case .string(let s) = resolved(node), ImplicitScalar.resolve(YAMLScalar(text: s, style: .plain), tag: nil) != .string(s)
        {
            message += "; write it without quotes"
        }
        error(.wrongType, node.mark, message)
        return nil
    }

    func describe(_ node: YAMLNode) -> String {
        switch node.value {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar:
            switch resolved(node)! {
            case .null: return "null"
            case .bool(let b): return "the boolean \(b)"
            case .int(let i): return "the number \(i)"
            case .float(let d): return "the number \(d)"
            case .string(let s): return "the string \"\(Self.clip(s))\""
            }
        }
    }

    static func clip(_ s: String) -> String {
        s.count <= 80 ? s : String(s.prefix(77)) + "..."
    }
}

extension String {
    var lowercasedFirst: String {
        guard let first else { return self }
        return first.lowercased() + dropFirst()
    }
}
