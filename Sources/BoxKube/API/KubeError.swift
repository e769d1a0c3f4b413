public import BoxCore

/// A failed request, as the `Status` object Kubernetes answers with: HTTP code, reason, message and details.
public struct KubeError: Error, Hashable, Sendable, CustomStringConvertible {
    /// One field error of an Invalid (422) answer: `{reason, message, field}`.
    public struct Cause: Hashable, Sendable {
        public var reason: String
        public var message: String
        public var field: String

        public init(reason: String, message: String, field: String) {
            self.reason = reason
            self.message = message
            self.field = field
        }

        /// `FieldValueRequired`: `spec.selector: Required value`.
        public static func required(_ field: String, _ detail: String = "") -> Cause {
            Cause(
                reason: "FieldValueRequired", message: detail.isEmpty ? "Required value" : "Required value: \(detail)",
                field: field)
        }

        /// `FieldValueInvalid`: `metadata.name: Invalid value: "Bad": a lowercase RFC 1123 subdomain …`.
        public static func invalid(_ field: String, _ value: JSONValue, _ detail: String) -> Cause {
            Cause(reason: "FieldValueInvalid", message: "Invalid value: \(value.text): \(detail)", field: field)
        }

        /// `FieldValueNotSupported`: `spec.restartPolicy: Unsupported value: "Sometimes": supported values: …`.
        public static func notSupported(_ field: String, _ value: JSONValue, supported: [String]) -> Cause {
            Cause(
                reason: "FieldValueNotSupported",
                message: "Unsupported value: \(value.text): supported values: "
                    + supported.map { "\"\($0)\"" }.joined(separator: ", "),
                field: field)
        }

        public static func duplicate(_ field: String, _ value: JSONValue) -> Cause {
            Cause(reason: "FieldValueDuplicate", message: "Duplicate value: \(value.text)", field: field)
        }

        public static func forbidden(_ field: String, _ detail: String) -> Cause {
            Cause(reason: "FieldValueForbidden", message: "Forbidden: \(detail)", field: field)
        }

        var json: JSONValue {
            .object(["reason": .string(reason), "message": .string(message), "field": .string(field)])
        }
    }

    public var code: Int
    public var reason: String
    public var message: String
    /// `details.name`, `details.group`, `details.kind` (the plural for most reasons, the Kind for Invalid).
    public var name: String?
    public var group: String?
    public var kind: String?
    public var causes: [Cause]
    /// Seconds for `Retry-After` (429/503).
    public var retryAfterSeconds: Int?

    public init(
        code: Int, reason: String, message: String, name: String? = nil, group: String? = nil, kind: String? = nil,
        causes: [Cause] = [], retryAfterSeconds: Int? = nil
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `Status` object for the response body (and for watch ERROR events).
    public var status: JSONValue {
        var details: [String: JSONValue] = [:]
        if let name { details["name"] = .string(name) }
        if let group { details["group"] = .string(group) }
        if let kind { details["kind"] = .string(kind) }
        if !causes.isEmpty { details["causes"] = .array(causes.map(\.json)) }
        if let retryAfterSeconds { details["retryAfterSeconds"] = .int(retryAfterSeconds) }
        var members: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]), "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(code),
        ]
        if !details.isEmpty { members["details"] = .object(details) }
        return .object(members)
    }
}

extension KubeError {
    public static func badRequest(_ message: String) -> KubeError {
        KubeError(code: 400, reason: "BadRequest", message: message)
    }

    public static func unauthorized() -> KubeError {
        KubeError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }

    public static func forbidden(_ message: String, type: ResourceType? = nil, name: String? = nil) -> KubeError {
        KubeError(code: 403, reason: "Forbidden", message: message, name: name, group: type?.group, kind: type?.plural)
    }

    /// `pods "x" not found`, `deployments.apps "web" not found`.
    public static func notFound(_ type: ResourceType, _ name: String) -> KubeError {
        KubeError(
            code: 404, reason: "NotFound", message: "\(type.qualifiedName) \"\(name)\" not found", name: name,
            group: type.group, kind: type.plural)
    }

    /// A path the server does not serve at all.
    public static func pathNotFound(_ path: String) -> KubeError {
        KubeError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    public static func methodNotAllowed(_ message: String) -> KubeError {
        KubeError(code: 405, reason: "MethodNotAllowed", message: message)
    }

    public static func alreadyExists(_ type: ResourceType, _ name: String) -> KubeError {
        KubeError(
            code: 409, reason: "AlreadyExists", message: "\(type.qualifiedName) \"\(name)\" already exists",
            name: name, group: type.group, kind: type.plural)
    }

    public static func conflict(_ type: ResourceType, _ name: String, _ why: String? = nil) -> KubeError {
        KubeError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(type.qualifiedName) \"\(name)\": "
                + (why ?? "the object has been modified; please apply your changes to the latest version and try again"),
            name: name, group: type.group, kind: type.plural)
    }

    /// `too old resource version: 5 (101)`.
    public static func expired(_ message: String) -> KubeError {
        KubeError(code: 410, reason: "Expired", message: message)
    }

    public static func unsupportedMediaType(_ contentType: String) -> KubeError {
        KubeError(
            code: 415, reason: "UnsupportedMediaType",
            message:
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf"
        )
    }

    /// `Deployment.apps "bad" is invalid: [spec.selector: Required value, …]`; details name the Kind.
    public static func invalid(_ type: ResourceType, _ name: String, _ causes: [Cause]) -> KubeError {
        let kindName = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
        let list = causes.map { "\($0.field): \($0.message)" }
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return KubeError(
            code: 422, reason: "Invalid", message: "\(kindName) \"\(name)\" is invalid: \(joined)", name: name,
            group: type.group, kind: type.kind, causes: causes)
    }

    public static func internalError(_ message: String) -> KubeError {
        KubeError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }

    public static func unavailable(_ message: String) -> KubeError {
        KubeError(code: 503, reason: "ServiceUnavailable", message: message, retryAfterSeconds: 1)
    }
}
