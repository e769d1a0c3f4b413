public import BoxCore

/// A field selector (`metadata.name=web,status.phase!=Running`): every requirement must hold. Only the fields
/// Kubernetes supports for the type are accepted; another is a 400, as upstream.
public struct FieldSelector: Hashable, Sendable, CustomStringConvertible {
    public struct Requirement: Hashable, Sendable {
        public var field: String
        public var equals: Bool
        public var value: String
    }

    public var requirements: [Requirement]

    public static let everything = FieldSelector(requirements: [])

    public init(requirements: [Requirement]) { self.requirements = requirements }

    /// Parses `f=v`, `f==v`, `f!=v`, comma-separated, checking each field against `type`.
    public init(parsing text: String, for type: ResourceType) throws(KubeError) {
        var requirements: [Requirement] = []
        for clause in text.split(separator: ",", omittingEmptySubsequences: true) {
            let clause = String(clause).trimmingSpaces
            let parts: (String, Bool, String)
            if let range = clause.range(of: "!=") {
                parts = (String(clause[..<range.lowerBound]), false, String(clause[range.upperBound...]))
            } else if let range = clause.range(of: "==") {
                parts = (String(clause[..<range.lowerBound]), true, String(clause[range.upperBound...]))
            } else if let range = clause.range(of: "=") {
                parts = (String(clause[..<range.lowerBound]), true, String(clause[range.upperBound...]))
            } else {
                throw .badRequest("invalid field selector: '\(clause)': expected an operator (=, == or !=)")
            }
            let field = parts.0.trimmingSpaces
            guard Self.supportedFields(type).contains(field) else {
                throw .badRequest(
                    "field label not supported: \(field) (\"\(type.apiVersion), Kind=\(type.kind)\" supports "
                        + Self.supportedFields(type).sorted().joined(separator: ", ") + ")")
            }
            requirements.append(Requirement(field: field, equals: parts.1, value: parts.2.trimmingSpaces))
        }
        self.requirements = requirements
    }

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ object: JSONValue) -> Bool {
        requirements.allSatisfy { requirement in
            (Self.value(of: requirement.field, in: object) == requirement.value) == requirement.equals
        }
    }

    /// The name this selector pins, if it is `metadata.name=X` (the deletion wait and `rollout status` ask so).
    public var pinnedName: String? {
        requirements.first { $0.field == "metadata.name" && $0.equals }?.value
    }

    public var description: String {
        requirements.map { "\($0.field)\($0.equals ? "=" : "!=")\($0.value)" }.joined(separator: ",")
    }

    /// The field's value as a selector compares it: strings as they are, booleans and numbers as text, missing as
    /// `""` (or `false` for the boolean fields).
    static func value(of field: String, in object: JSONValue) -> String {
        let path = field.split(separator: ".").map(String.init)
        switch object[path: path] {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double(let number): return JSONValue.numberText(number)
        default: return ["spec.unschedulable", "spec.hostNetwork"].contains(field) ? "false" : ""
        }
    }

    static func supportedFields(_ type: ResourceType) -> Set<String> {
        var fields: Set<String> = ["metadata.name"]
        if type.namespaced { fields.insert("metadata.namespace") }
        switch type {
        case .pod:
            fields.formUnion([
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
            ])
        case .event:
            fields.formUnion([
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                "reportingComponent", "source", "type",
            ])
        case .namespace: fields.insert("status.phase")
        case .node: fields.insert("spec.unschedulable")
        case .job: fields.insert("status.successful")
        case .replicaSet, .replicationController: fields.insert("status.replicas")
        case .secret: fields.insert("type")
        default: break
        }
        return fields
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while view.first == " " { view = view.dropFirst() }
        while view.last == " " { view = view.dropLast() }
        return String(view)
    }
}
