import Manifests

/// The custom run facet `datapilot`: which DataPilot object a run event is about (its kind,
/// name and uid), so a lineage tool links back to `dpctl get <kind> <name>`. Its JSON Schema is
/// served by the server at `/openlineage/facets/1-0-0/DataPilotObjectRunFacet.json`, which
/// `_schemaURL` names (under `public-url`).
public enum DataPilotObjectFacet {
    public static let path = "/openlineage/facets/1-0-0/DataPilotObjectRunFacet.json"

    public static func member(kind: String, name: String, uid: String?, publicURL: String) -> JSONMember {
        var members = [
            JSONMember("_producer", .string(Facets.producer)),
            JSONMember("_schemaURL", .string(schemaID(publicURL) + "#/$defs/DataPilotObjectRunFacet")),
            JSONMember("kind", .string(kind)), JSONMember("name", .string(name)),
        ]
        if let uid { members.append(JSONMember("uid", .string(uid))) }
        return JSONMember("datapilot", .object(members))
    }

    static func schemaID(_ publicURL: String) -> String {
        (publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL) + path
    }

    /// The facet's JSON Schema (draft 2020-12, as OpenLineage's own facets), with `$id` under `publicURL`.
    public static func schema(publicURL: String) -> JSONValue {
        return [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": .string(schemaID(publicURL)),
            "$defs": [
                "DataPilotObjectRunFacet": [
                    "allOf": [
                        ["$ref": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunFacet"],
                        [
                            "type": "object",
                            "properties": [
                                "kind": [
                                    "description": "The DataPilot kind: Run, Evaluation or Source.", "type": "string",
                                    "enum": ["Run", "Evaluation", "Source"],
                                ],
                                "name": .object([JSONMember("description", "The object's name."), JSONMember("type", "string")]),
                                "uid": .object([
                                    JSONMember("description", "The object's uid, where it has one."), JSONMember("type", "string"),
                                ]),
                            ],
                            "required": ["kind", "name"],
                        ],
                    ],
                    "type": "object",
                ]
            ],
            "type": "object",
            "properties": ["datapilot": ["$ref": "#/$defs/DataPilotObjectRunFacet"]],
        ]
    }
}
