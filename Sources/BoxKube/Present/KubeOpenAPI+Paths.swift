import BoxCore

/// The path items of one kind, shaped as upstream's: collection (`list`, `post`, `deletecollection`), object
/// (`get`, `put`, `patch`, `delete`), `/status` and `/scale`, and for namespaced kinds the all-namespaces list.
/// Every operation carries `x-kubernetes-action` and `x-kubernetes-group-version-kind`; writes declare the
/// `fieldValidation` query parameter, which is what makes kubectl validate and send `fieldValidation=Strict`.
struct OpenAPIPaths {
    var type: ResourceType

    var items: [(String, JSONValue)] {
        let base = type.groupVersionPath
        let collection = type.namespaced ? "\(base)/namespaces/{namespace}/\(type.plural)" : "\(base)/\(type.plural)"
        let object = collection + "/{name}"
        let scope = type.namespaced ? "Namespaced" : ""
        let gvk = type.responseKind
        var items: [(String, JSONValue)] = [
            (
                collection,
                pathItem(
                    parameters: type.namespaced ? [namespaceParameter] : [],
                    operations: [
                        "get": operation(
                            "list", "list\(prefix)\(scope)\(type.kind)", "list or watch objects of kind \(type.kind)",
                            gvk, listParameters),
                        "post": operation(
                            "post", "create\(prefix)\(scope)\(type.kind)", "create a \(type.kind)", gvk,
                            writeParameters, responses: ["200", "201", "202"]),
                        "delete": operation(
                            "deletecollection", "delete\(prefix)Collection\(scope)\(type.kind)",
                            "delete collection of \(type.kind)", gvk, listParameters),
                    ])
            ),
            (
                object,
                pathItem(
                    parameters: objectParameters,
                    operations: [
                        "get": operation(
                            "get", "read\(prefix)\(scope)\(type.kind)", "read the specified \(type.kind)", gvk, []),
                        "put": operation(
                            "put", "replace\(prefix)\(scope)\(type.kind)", "replace the specified \(type.kind)", gvk,
                            writeParameters, responses: ["200", "201"]),
                        "patch": operation(
                            "patch", "patch\(prefix)\(scope)\(type.kind)",
                            "partially update the specified \(type.kind)", gvk,
                            writeParameters + [queryParameter("force")], responses: ["200", "201"]),
                        "delete": operation(
                            "delete", "delete\(prefix)\(scope)\(type.kind)", "delete a \(type.kind)", gvk,
                            [
                                queryParameter("dryRun"), queryParameter("gracePeriodSeconds"),
                                queryParameter("propagationPolicy"),
                            ], responses: ["200", "202"]),
                    ])
            ),
        ]
        if type.namespaced {
            items.append(
                (
                    "\(base)/\(type.plural)",
                    pathItem(
                        parameters: [],
                        operations: [
                            "get": operation(
                                "list", "list\(prefix)\(type.kind)ForAllNamespaces",
                                "list or watch objects of kind \(type.kind)", gvk, listParameters)
                        ])
                ))
        }
        for sub in type.subresourceInfos where sub.name == "status" || sub.name == "scale" {
            let suffix = sub.name == "status" ? "Status" : "Scale"
            let name = "\(scope)\(type.kind)\(suffix)"
            items.append(
                (
                    "\(object)/\(sub.name)",
                    pathItem(
                        parameters: objectParameters,
                        operations: [
                            "get": operation(
                                "get", "read\(prefix)\(name)", "read \(sub.name) of the specified \(type.kind)",
                                sub.responseKind, []),
                            "put": operation(
                                "put", "replace\(prefix)\(name)", "replace \(sub.name) of the specified \(type.kind)",
                                sub.responseKind, writeParameters, responses: ["200", "201"]),
                            "patch": operation(
                                "patch", "patch\(prefix)\(name)",
                                "partially update \(sub.name) of the specified \(type.kind)", sub.responseKind,
                                writeParameters + [queryParameter("force")], responses: ["200", "201"]),
                        ])
                ))
        }
        return items
    }

    /// `CoreV1`, `AppsV1`, `DiscoveryV1`: the operationId infix upstream derives from the group's first label.
    private var prefix: String {
        let label = type.group.isEmpty ? "core" : String(type.group.prefix { $0 != "." })
        return capitalized(label) + capitalized(type.version)
    }

    private func capitalized(_ text: String) -> String { text.prefix(1).uppercased() + text.dropFirst() }

    private var namespaceParameter: JSONValue {
        [
            "name": "namespace", "in": "path", "required": true,
            "description": "object name and auth scope, such as for teams and projects",
            "schema": ["type": "string", "uniqueItems": true],
        ]
    }

    private var objectParameters: [JSONValue] {
        let name: JSONValue = [
            "name": "name", "in": "path", "required": true, "description": .string("name of the \(type.kind)"),
            "schema": ["type": "string", "uniqueItems": true],
        ]
        return [name] + (type.namespaced ? [namespaceParameter] : [])
    }

    private var writeParameters: [JSONValue] {
        [queryParameter("dryRun"), queryParameter("fieldManager"), queryParameter("fieldValidation")]
    }

    private var listParameters: [JSONValue] {
        [
            "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion", "resourceVersionMatch",
            "sendInitialEvents", "timeoutSeconds", "watch",
        ].map(queryParameter)
    }

    private func queryParameter(_ name: String) -> JSONValue {
        let type: String
        switch name {
        case "limit", "timeoutSeconds", "gracePeriodSeconds": type = "integer"
        case "watch", "force", "sendInitialEvents": type = "boolean"
        default: type = "string"
        }
        return ["name": .string(name), "in": "query", "schema": ["type": .string(type), "uniqueItems": true]]
    }

    private func pathItem(parameters: [JSONValue], operations: [String: JSONValue]) -> JSONValue {
        var item = operations
        if !parameters.isEmpty { item["parameters"] = .array(parameters) }
        return .object(item)
    }

    private func operation(
        _ action: String, _ operationID: String, _ description: String, _ gvk: JSONValue, _ parameters: [JSONValue],
        responses: [String] = ["200"]
    ) -> JSONValue {
        let descriptions = ["200": "OK", "201": "Created", "202": "Accepted"]
        var body: [String: JSONValue] = [
            "operationId": .string(operationID), "description": .string(description),
            "x-kubernetes-action": .string(action), "x-kubernetes-group-version-kind": gvk,
            "responses": .object(
                Dictionary(
                    uniqueKeysWithValues: responses.map { ($0, ["description": .string(descriptions[$0] ?? "OK")]) })),
        ]
        if !parameters.isEmpty { body["parameters"] = .array(parameters) }
        return .object(body)
    }
}
