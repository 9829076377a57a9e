/// What in a Run decides the code it starts: the fields written once on the server, refused from
/// git sources without `execute: allowed`, and shown first to a reviewer by `dpctl plan`.
public enum RunExecution {
    /// `spec.execute`, `command`, `image`, `code`.
    public static let fields = ["execute", "command", "image", "code"]

    /// Whether a Run's spec asks to be executed as soon as it is created.
    public static func executesOnCreate(_ spec: JSONValue) -> Bool { spec["execute"]?.boolValue == true }
}
