import BoxCore
import BoxKube
import Foundation

/// The REST paths of the resource types: collections, objects and subresources, with their verbs.
extension KubeHandler {
    /// Everything under `/api/v1` or `/apis/GROUP/VERSION`: `rest` is the path after the group-version.
    func resource(_ request: KubeHTTPRequest, group: String, version: String, rest: [String])
        async throws(KubeError) -> KubeHTTPResponse
    {
        var namespace: String?
        var rest = rest
        // `namespaces/NS/PLURAL…` is a namespaced path; `namespaces/NAME/status` is the namespace's subresource.
        if rest.count >= 3, rest[0] == "namespaces",
            ResourceType.find(group: group, version: version, plural: rest[2])?.namespaced == true
        {
            namespace = rest[1]
            rest.removeFirst(2)
        }
        guard let plural = rest.first, let type = ResourceType.find(group: group, version: version, plural: plural)
        else { throw .pathNotFound(request.path) }
        let name = rest.count > 1 ? rest[1] : nil
        let subresource = rest.count > 2 ? rest[2] : nil
        guard rest.count <= 3 else { throw .pathNotFound(request.path) }
        if type.namespaced && namespace == nil && name != nil { throw .pathNotFound(request.path) }
        let scope = type.namespaced ? namespace : nil
        switch (name, subresource) {
        case (nil, _):
            return try await collection(request, type: type, namespace: scope)
        case (let name?, nil):
            return try await object(request, type: type, namespace: scope ?? "", name: name)
        case (let name?, let sub?):
            return try await self.subresource(request, type: type, namespace: scope ?? "", name: name, sub)
        }
    }

    // MARK: - Collections

    func collection(_ request: KubeHTTPRequest, type: ResourceType, namespace: String?) async throws(KubeError)
        -> KubeHTTPResponse
    {
        switch request.method {
        case "GET":
            let options = try listOptions(request, type: type)
            if request.flag("watch") {
                return try await watch(request, type: type, namespace: namespace, options: options)
            }
            if !wantsTable(request) && options.fieldSelector.isEverything {
                return try await plainList(type, namespace: namespace, options: options)
            }
            let list = try await api.list(type, namespace: namespace, options: options)
            if wantsTable(request) {
                return .json(
                    KubeTables.table(
                        type, objects: list.items, resourceVersion: list.resourceVersion,
                        continueToken: list.continueToken, includeObject: request.parameter("includeObject"),
                        now: api.clock.now))
            }
            return .json(
                listDocument(
                    type, items: list.items, resourceVersion: list.resourceVersion, continueToken: list.continueToken,
                    remainingItemCount: list.remainingItemCount))
        case "POST":
            guard type.namespaced == (namespace != nil) || !type.namespaced else {
                throw .methodNotAllowed("create of \(type.qualifiedName) needs a namespace in the path")
            }
            var warnings: [String] = []
            let object = try decodeBody(request)
            try validateFields(request, object, type: type, warnings: &warnings)
            let created = try await api.create(
                type, namespace: namespace ?? "", object, dryRun: dryRun(request), fieldManager: fieldManager(request))
            return respond(created, status: 201, request: request, type: type, warnings: warnings)
        case "DELETE":
            let options = try listOptions(request, type: type)
            let deleteOptions = try self.deleteOptions(request)
            let list = try await api.list(type, namespace: namespace, options: options)
            var deleted: [JSONValue] = []
            for item in list.items {
                do {
                    deleted.append(
                        try await api.delete(type, namespace: item.namespace, name: item.name, options: deleteOptions)
                            .object)
                } catch  where error.code == 404 {
                    continue
                }
            }
            return .json(listDocument(type, items: deleted, resourceVersion: list.resourceVersion))
        default:
            throw .methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    /// A list without a field selector or Table: the stored bytes of each item (with its resourceVersion spliced
    /// in) joined into the list document, never parsing or encoding the objects (10,000 pods are 20 MB of JSON).
    func plainList(_ type: ResourceType, namespace: String?, options: ListOptions) async throws(KubeError)
        -> KubeHTTPResponse
    {
        var failed = false
        let body = try await api.listJSONBody(type, namespace: namespace, options: options) {
            version, token, remaining in
            let head = listDocument(
                type, items: [], resourceVersion: version, continueToken: token, remainingItemCount: remaining
            ).text
            // `{…,"items":[]…}` as JSONValue writes it (sorted keys): the items go between the brackets.
            guard let itemsRange = head.range(of: "\"items\":[]") else {
                failed = true
                return ([], [])
            }
            return (
                Array(head[..<itemsRange.upperBound].dropLast().utf8),
                Array(("]" + head[itemsRange.upperBound...] + "\n").utf8)
            )
        }
        if failed { throw .internalError("list document") }
        return KubeHTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(body))
    }

    /// `{"kind":"PodList","apiVersion":"v1","metadata":{…},"items":[…]}`, items never null.
    func listDocument(
        _ type: ResourceType, items: [JSONValue], resourceVersion: String, continueToken: String? = nil,
        remainingItemCount: Int? = nil
    ) -> JSONValue {
        var metadata: [String: JSONValue] = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        if let remainingItemCount { metadata["remainingItemCount"] = .int(remainingItemCount) }
        return [
            "kind": .string(type.listKind), "apiVersion": .string(type.apiVersion), "metadata": .object(metadata),
            "items": .array(items),
        ]
    }

    // MARK: - Objects

    func object(_ request: KubeHTTPRequest, type: ResourceType, namespace: String, name: String)
        async throws(KubeError) -> KubeHTTPResponse
    {
        switch request.method {
        case "GET":
            if request.flag("watch") {
                var options = try listOptions(request, type: type)
                let given = request.parameter("fieldSelector").map { $0.isEmpty ? "" : $0 + "," } ?? ""
                options.fieldSelector = try FieldSelector(parsing: given + "metadata.name=" + name, for: type)
                return try await watch(
                    request, type: type, namespace: type.namespaced ? namespace : nil, options: options)
            }
            let object = try await api.get(type, namespace: namespace, name: name)
            return respond(object, status: 200, request: request, type: type)
        case "PUT":
            var warnings: [String] = []
            let object = try decodeBody(request)
            try validateFields(request, object, type: type, warnings: &warnings)
            let updated = try await api.update(
                type, namespace: namespace, name: name, object, dryRun: dryRun(request),
                fieldManager: fieldManager(request))
            return respond(updated, status: 200, request: request, type: type, warnings: warnings)
        case "PATCH":
            return try await patch(request, type: type, namespace: namespace, name: name, subresource: .main)
        case "DELETE":
            let outcome = try await api.delete(type, namespace: namespace, name: name, options: deleteOptions(request))
            return deleteResponse(outcome, type: type)
        default:
            throw .methodNotAllowed("the server does not allow this method on the requested resource")
        }
    }

    /// PATCH with one of the four media types; an apply body in YAML is converted to JSON first.
    func patch(
        _ request: KubeHTTPRequest, type: ResourceType, namespace: String, name: String, subresource: Subresource
    ) async throws(KubeError) -> KubeHTTPResponse {
        let contentType = request.header("content-type") ?? ""
        guard let patchType = PatchType(contentType: contentType) else {
            throw KubeError(
                code: 415, reason: "UnsupportedMediaType",
                message: "the body of the request was in an unknown format - accepted media types include: "
                    + "application/json-patch+json, application/merge-patch+json, "
                    + "application/apply-patch+yaml, application/strategic-merge-patch+json")
        }
        var body = request.body
        var warnings: [String] = []
        if patchType != .json {
            let document = patchType == .apply ? try KubeYAML.parse(body) : try parseJSON(body)
            body = Array(document.text.utf8)
            try validateFields(request, document, type: type, warnings: &warnings)
        }
        let (object, created) = try await api.patch(
            type, namespace: namespace, name: name, patchType: patchType, body: body, subresource: subresource,
            fieldManager: request.parameter("fieldManager"), force: request.flag("force"), dryRun: dryRun(request),
            userAgent: request.header("user-agent"))
        return respond(object, status: created ? 201 : 200, request: request, type: type, warnings: warnings)
    }

    /// The manager a non-apply write records its fields for: `fieldManager`, else the User-Agent's product name.
    func fieldManager(_ request: KubeHTTPRequest) -> String {
        ManagedFields.manager(fieldManager: request.parameter("fieldManager"), userAgent: request.header("user-agent"))
    }

    /// 200 with the object for pods, services, namespaces and anything still pending; a Success Status naming the
    /// object for the rest (reference §5.11).
    func deleteResponse(_ outcome: DeleteOutcome, type: ResourceType) -> KubeHTTPResponse {
        switch outcome {
        case .pending(let object):
            return .json(object)
        case .deleted(let object) where [.pod, .service, .namespace].contains(type):
            return .json(object)
        case .deleted(let object):
            var details: [String: JSONValue] = [
                "name": .string(object.name), "kind": .string(type.plural), "uid": .string(object.uid),
            ]
            if !type.group.isEmpty { details["group"] = .string(type.group) }
            return .json([
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                "details": .object(details),
            ])
        }
    }

    /// The object as JSON, or as a one-row Table when Accept asks for one; `Warning` headers for unknown fields.
    func respond(
        _ object: JSONValue, status: Int, request: KubeHTTPRequest, type: ResourceType, warnings: [String] = []
    ) -> KubeHTTPResponse {
        var response: KubeHTTPResponse
        if wantsTable(request) {
            response = .json(
                KubeTables.table(
                    type, objects: [object], resourceVersion: object.resourceVersion, continueToken: nil,
                    includeObject: request.parameter("includeObject"), now: api.clock.now), status: status)
        } else {
            response = .json(object, status: status)
        }
        for warning in warnings {
            let escaped = warning.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            response.headers.append(("Warning", "299 - \"\(escaped)\""))
        }
        return response
    }

    // MARK: - Request parts

    func wantsTable(_ request: KubeHTTPRequest) -> Bool { (request.header("accept") ?? "").contains("as=Table") }

    func dryRun(_ request: KubeHTTPRequest) -> Bool {
        request.query.contains { $0.name == "dryRun" && $0.value == "All" }
    }

    /// Selectors, paging and watch parameters from the query.
    func listOptions(_ request: KubeHTTPRequest, type: ResourceType) throws(KubeError) -> ListOptions {
        var options = ListOptions()
        if let text = request.parameter("labelSelector"), !text.isEmpty {
            do {
                options.labelSelector = try LabelSelector(parsing: text)
            } catch {
                throw .badRequest(
                    "Unable to find \"\(type.group)/\(type.version), Resource=\(type.plural)\" that match label selector \"\(text)\", field selector \"\(request.parameter("fieldSelector") ?? "")\": \(error)"
                )
            }
        }
        if let text = request.parameter("fieldSelector"), !text.isEmpty {
            options.fieldSelector = try FieldSelector(parsing: text, for: type)
        }
        if let text = request.parameter("limit"), !text.isEmpty {
            guard let limit = Int(text), limit >= 0 else { throw .badRequest("invalid limit: \(text)") }
            options.limit = limit
        }
        options.continueToken = request.parameter("continue")
        options.resourceVersion = request.parameter("resourceVersion")
        options.sendInitialEvents = request.flag("sendInitialEvents")
        options.allowWatchBookmarks = request.flag("allowWatchBookmarks")
        return options
    }

    /// DeleteOptions from the JSON body (kubectl) or the query (the Python client).
    func deleteOptions(_ request: KubeHTTPRequest) throws(KubeError) -> DeleteOptions {
        var options = DeleteOptions()
        var body: JSONValue = .object([:])
        if !request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
            body = try decodeBody(request)
        }
        let text = { (name: String) -> String? in body[name]?.stringValue ?? request.parameter(name) }
        if let policy = text("propagationPolicy"), !policy.isEmpty {
            guard let value = DeleteOptions.Propagation(rawValue: policy) else {
                throw .badRequest("propagationPolicy: Unsupported value: \"\(policy)\"")
            }
            options.propagationPolicy = value
        }
        if let grace = body["gracePeriodSeconds"]?.intValue {
            options.gracePeriodSeconds = grace
        } else if let grace = request.parameter("gracePeriodSeconds") {
            guard let value = Int(grace) else { throw .badRequest("invalid gracePeriodSeconds: \(grace)") }
            options.gracePeriodSeconds = value
        }
        if options.propagationPolicy == nil {
            let orphan =
                body["orphanDependents"]?.boolValue ?? request.parameter("orphanDependents").map { $0 == "true" }
            if let orphan { options.propagationPolicy = orphan ? .orphan : .background }
        }
        options.preconditionUID = body[path: ["preconditions", "uid"]]?.stringValue
        options.preconditionResourceVersion = body[path: ["preconditions", "resourceVersion"]]?.stringValue
        let bodyDryRun = body["dryRun"]?.arrayValue?.contains(.string("All")) ?? false
        options.dryRun = bodyDryRun || dryRun(request)
        return options
    }

    /// The request body as JSON: protobuf bodies are decoded by `KubeProto`, YAML bodies converted, anything else
    /// (also a missing Content-Type, as the Python client sends) parsed as JSON.
    func decodeBody(_ request: KubeHTTPRequest) throws(KubeError) -> JSONValue {
        let contentType = (request.header("content-type") ?? "").lowercased()
        if contentType.hasPrefix("application/vnd.kubernetes.protobuf") { return try KubeProto.decode(request.body) }
        if contentType.hasPrefix("application/yaml") || contentType.hasPrefix("application/apply-patch+yaml") {
            return try KubeYAML.parse(request.body)
        }
        return try parseJSON(request.body)
    }

    func parseJSON(_ body: [UInt8]) throws(KubeError) -> JSONValue {
        guard !body.isEmpty else { throw .badRequest("the request body is empty") }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw .badRequest("the request body is not valid JSON: \(error)")
        }
    }

    /// `fieldValidation=Strict` rejects unknown fields (400), `Warn` (and upstream's default for kubectl) reports
    /// them as warnings, `Ignore` drops the check.
    func validateFields(_ request: KubeHTTPRequest, _ object: JSONValue, type: ResourceType, warnings: inout [String])
        throws(KubeError)
    {
        let mode = request.parameter("fieldValidation") ?? "Warn"
        guard mode != "Ignore" else { return }
        // Strategic merge directives (`$setElementOrder/containers`, `$patch`, `$retainKeys`) are not fields.
        let unknown = KubeSchemas.unknownFields(object, type: type).filter { !$0.contains("$") }
        guard !unknown.isEmpty else { return }
        let messages = unknown.map { "unknown field \"\($0)\"" }
        if mode == "Strict" { throw .badRequest("strict decoding error: " + messages.joined(separator: ", ")) }
        warnings += messages
    }
}
