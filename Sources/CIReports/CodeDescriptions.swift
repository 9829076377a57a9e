/// A sentence per diagnostic code, for SARIF rules and JUnit test names: what the code means,
/// not the particular finding (that is each result's message).
enum CodeDescriptions {
    static let table: [String: String] = [
        "yamlSyntax": "The file is not valid YAML.",
        "duplicateKey": "A mapping has the same key twice.",
        "undefinedAlias": "A YAML alias names no anchor.",
        "limitExceeded": "The file is beyond a size, depth or count limit.",
        "notAMapping": "A manifest or field is not a mapping where one is required.",
        "unsupportedAPIVersion": "The apiVersion is not one this dpctl knows.",
        "unknownKind": "The kind is not a DataPilot manifest kind.",
        "unknownField": "A field the kind does not have.",
        "missingField": "A required field is missing.",
        "wrongType": "A field has the wrong type.",
        "invalidValue": "A field's value is not allowed.",
        "invalidName": "A name is not a valid DNS subdomain.",
        "duplicateObject": "Two manifests define the same object.",
        "unresolvedReference": "A reference names an object not among the manifests.",
        "unknownColumn": "A quality check names a column the dataset's schema does not have.",
        "pathOutsideRepository": "A data file path leaves the repository.",
        "fileNotFound": "A file named by a manifest or on the command line does not exist.",
        "unreadable": "A file could not be read.",
    ]

    static func text(_ code: String) -> String { table[code] ?? "DataPilot manifest diagnostic \(code)." }
}
