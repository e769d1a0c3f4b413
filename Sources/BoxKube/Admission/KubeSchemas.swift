public import BoxCore

/// The fields each kind has: strict field validation (`fieldValidation=Strict` rejects unknown fields) and the
/// OpenAPI schemas `kubectl explain` reads.
///
/// A compact hand-written table (`KubeSchemas+Meta`, `+Pod`, `+Core`, `+Workloads`) in upstream's schema names,
/// rather than the upstream OpenAPI files: it covers the fields kubectl, the Python client and common manifests
/// send, and every status field the controllers write.
public enum KubeSchemas {
    /// Paths of fields `object` has that `type` does not know (`spec.foo`,
    /// `spec.template.spec.containers[0].imagee`), for `strict decoding error: unknown field "spec.foo"`.
    public static func unknownFields(_ object: JSONValue, type: ResourceType) -> [String] {
        guard let schema = schemas[schemaName(type)] else { return [] }
        var found: [String] = []
        walk(object, schema: schema, path: "", into: &found)
        return found
    }

    /// OpenAPI v3 `components.schemas` entries for the kinds of one group-version (and every type they
    /// reference), keyed by schema name.
    public static func componentSchemas(group: String, version: String) -> [String: JSONValue] {
        var pending = ResourceType.all.filter { $0.group == group && $0.version == version }.map(schemaName)
        var out: [String: JSONValue] = [:]
        while let name = pending.popLast() {
            guard out[name] == nil, let schema = schemas[name] else { continue }
            out[name] = schema.openAPI
            pending += schema.fields.values.compactMap(\.type.referenced)
        }
        return out
    }

    /// `io.k8s.api.apps.v1.Deployment`.
    static func schemaName(_ type: ResourceType) -> String {
        let package =
            switch type.group {
            case "": "core"
            case "discovery.k8s.io": "discovery"
            default: type.group
            }
        return "io.k8s.api.\(package).\(type.version).\(type.kind)"
    }

    private static func walk(_ value: JSONValue, schema: Schema, path: String, into found: inout [String]) {
        guard case .object(let members) = value else { return }
        for key in members.keys.sorted() {
            let child = path.isEmpty ? key : "\(path).\(key)"
            guard let field = schema.fields[key] else {
                found.append(child)
                continue
            }
            walk(members[key] ?? .null, type: field.type, path: child, into: &found)
        }
    }

    private static func walk(_ value: JSONValue, type: FieldType, path: String, into found: inout [String]) {
        switch type {
        case .ref(let name):
            if let schema = schemas[name] { walk(value, schema: schema, path: path, into: &found) }
        case .array(let element):
            for (index, item) in (value.arrayValue ?? []).enumerated() {
                walk(item, type: element, path: "\(path)[\(index)]", into: &found)
            }
        case .map(let element):
            for (key, item) in (value.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                walk(item, type: element, path: "\(path)[\(key)]", into: &found)
            }
        default: break
        }
    }

    /// Every schema, by name.
    static let schemas: [String: Schema] = {
        var all: [String: Schema] = [:]
        for schema in meta + podSpec + podParts + podStatus + core + workloads { all[schema.name] = schema }
        return all
    }()
}

/// One schema: an object type with named fields, or (with no fields and a `scalar`) a string-encoded type such as
/// Quantity.
struct Schema: Sendable {
    var name: String
    var description: String
    var fields: [String: Field]
    /// For string-encoded types (Quantity, Time, IntOrString): the OpenAPI type and format.
    var scalar: (type: String, format: String)?
    var required: [String]

    init(
        _ name: String, _ description: String, _ fields: [String: Field] = [:], required: [String] = [],
        scalar: (type: String, format: String)? = nil
    ) {
        self.name = name
        self.description = description
        self.fields = fields
        self.scalar = scalar
        self.required = required
    }

    /// The `x-kubernetes-group-version-kind` of a top-level kind.
    var groupVersionKind: JSONValue? {
        guard let type = ResourceType.all.first(where: { KubeSchemas.schemaName($0) == name }) else { return nil }
        return [["group": .string(type.group), "version": .string(type.version), "kind": .string(type.kind)]]
    }

    var openAPI: JSONValue {
        var members: [String: JSONValue] = ["description": .string(description)]
        if let scalar {
            members["type"] = .string(scalar.type)
            if !scalar.format.isEmpty { members["format"] = .string(scalar.format) }
            return .object(members)
        }
        members["type"] = "object"
        members["properties"] = .object(fields.mapValues(\.openAPI))
        if !required.isEmpty { members["required"] = .array(required.map { .string($0) }) }
        if let groupVersionKind { members["x-kubernetes-group-version-kind"] = groupVersionKind }
        return .object(members)
    }
}

/// A field: its type and a short description.
struct Field: Sendable {
    var type: FieldType
    var description: String

    var openAPI: JSONValue {
        var schema = type.openAPI
        if case .ref = type { schema = ["allOf": [schema]] }
        if !description.isEmpty { schema.set(["description"], .string(description)) }
        return schema
    }
}

/// The type of a field.
indirect enum FieldType: Sendable {
    case string, integer, boolean, number
    /// Any JSON (`fieldsV1`, raw extensions).
    case free
    /// Another schema, by name.
    case ref(String)
    case array(FieldType)
    /// An object with arbitrary keys (labels, annotations, data, resource lists).
    case map(FieldType)

    var referenced: String? {
        switch self {
        case .ref(let name): name
        case .array(let element), .map(let element): element.referenced
        default: nil
        }
    }

    var openAPI: JSONValue {
        switch self {
        case .string: ["type": "string"]
        case .integer: ["type": "integer", "format": "int32"]
        case .boolean: ["type": "boolean"]
        case .number: ["type": "number", "format": "double"]
        case .free: ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        case .ref(let name): ["$ref": .string("#/components/schemas/\(name)")]
        case .array(let element): ["type": "array", "items": element.openAPI]
        case .map(let element): ["type": "object", "additionalProperties": element.openAPI]
        }
    }
}

/// Shorthands for the schema tables: `"image": .string`, `"ports": .array(.core("ContainerPort"))`,
/// `"replicas": .integer ~ "Number of desired pods."`.
extension Field: ExpressibleByStringLiteral {
    init(stringLiteral description: String) { self.init(type: .string, description: description) }

    static let string = Field(type: .string, description: "")
    static let integer = Field(type: .integer, description: "")
    static let boolean = Field(type: .boolean, description: "")
    static let number = Field(type: .number, description: "")
    static let free = Field(type: .free, description: "")
    static let strings = Field(type: .array(.string), description: "")
    static let stringMap = Field(type: .map(.string), description: "")
    static let quantities = Field(type: .map(.ref(KubeSchemas.quantity)), description: "")
    static let time = Field(type: .ref(KubeSchemas.timeName), description: "")
    static let intOrString = Field(type: .ref(KubeSchemas.intOrString), description: "")
    static let quantity = Field(type: .ref(KubeSchemas.quantity), description: "")

    static func core(_ name: String) -> Field { Field(type: .ref("io.k8s.api.core.v1." + name), description: "") }
    static func meta(_ name: String) -> Field {
        Field(type: .ref("io.k8s.apimachinery.pkg.apis.meta.v1." + name), description: "")
    }
    static func apps(_ name: String) -> Field { Field(type: .ref("io.k8s.api.apps.v1." + name), description: "") }
    static func batch(_ name: String) -> Field { Field(type: .ref("io.k8s.api.batch.v1." + name), description: "") }
    static func discovery(_ name: String) -> Field {
        Field(type: .ref("io.k8s.api.discovery.v1." + name), description: "")
    }
    static func array(_ element: Field) -> Field { Field(type: .array(element.type), description: "") }
    static func map(_ element: Field) -> Field { Field(type: .map(element.type), description: "") }

    /// The same field with a description.
    static func ~ (field: Field, description: String) -> Field { Field(type: field.type, description: description) }
}

infix operator ~ : AdditionPrecedence
