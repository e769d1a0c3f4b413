import BoxCore
import BoxKube
import Foundation

/// Subresources: `status`, `scale` (deployments, replicasets, replicationcontrollers), pods' `log` and
/// `eviction`.
extension KubeHandler {
    static let scaled: [ResourceType] = [.deployment, .replicaSet, .replicationController]

    func subresource(
        _ request: KubeHTTPRequest, type: ResourceType, namespace: String, name: String, _ sub: String
    ) async throws(KubeError) -> KubeHTTPResponse {
        switch (sub, request.method) {
        case ("status", "GET") where type.hasStatusSubresource:
            return respond(
                try await api.get(type, namespace: namespace, name: name), status: 200, request: request, type: type)
        case ("status", "PUT") where type.hasStatusSubresource:
            let object = try decodeBody(request)
            let updated = try await api.update(
                type, namespace: namespace, name: name, object, subresource: .status, dryRun: dryRun(request),
                fieldManager: fieldManager(request))
            return respond(updated, status: 200, request: request, type: type)
        case ("status", "PATCH") where type.hasStatusSubresource:
            return try await patch(request, type: type, namespace: namespace, name: name, subresource: .status)
        case ("scale", _) where Self.scaled.contains(type):
            return try await scale(request, type: type, namespace: namespace, name: name)
        case ("log", "GET") where type == .pod:
            return try await log(request, namespace: namespace, name: name)
        case ("eviction", "POST") where type == .pod:
            return try await evict(request, namespace: namespace, name: name)
        case ("status", _), ("scale", _), ("log", _), ("eviction", _):
            if type.hasStatusSubresource || Self.scaled.contains(type) || type == .pod {
                throw .methodNotAllowed("the server does not allow this method on the requested resource")
            }
            throw .pathNotFound(request.path)
        default:
            throw .pathNotFound(request.path)
        }
    }

    // MARK: - Scale

    /// `autoscaling/v1` Scale (reference §5.12): GET builds it from the parent, PUT and PATCH change the parent's
    /// `spec.replicas` (a `resourceVersion` in the body is a precondition).
    func scale(_ request: KubeHTTPRequest, type: ResourceType, namespace: String, name: String)
        async throws(KubeError) -> KubeHTTPResponse
    {
        let parent = try await api.get(type, namespace: namespace, name: name)
        let current = Self.scaleDocument(parent, type: type)
        var replicas: Int
        var precondition = ""
        switch request.method {
        case "GET":
            return .json(current)
        case "PUT":
            let body = try decodeBody(request)
            guard let value = body[path: ["spec", "replicas"]]?.intValue else {
                throw .invalid(
                    .scaleType, name, [.required("spec.replicas")])
            }
            replicas = value
            precondition = body.resourceVersion
        case "PATCH":
            let contentType = request.header("content-type") ?? ""
            guard let patchType = PatchType(contentType: contentType) else {
                throw .unsupportedMediaType(contentType)
            }
            let document = patchType == .apply ? try KubeYAML.parse(request.body) : try parseJSON(request.body)
            let patched = try KubePatch.apply(patchType, document, to: current, type: type)
            guard let value = patched[path: ["spec", "replicas"]]?.intValue else {
                throw .invalid(.scaleType, name, [.required("spec.replicas")])
            }
            replicas = value
            precondition = document[path: ["metadata", "resourceVersion"]]?.stringValue ?? ""
        default:
            throw .methodNotAllowed("the server does not allow this method on the requested resource")
        }
        guard replicas >= 0 else {
            throw .invalid(
                .scaleType, name, [.invalid("spec.replicas", .int(replicas), "must be greater than or equal to 0")])
        }
        var next = parent
        next.set(["spec", "replicas"], .int(replicas))
        next.set(["metadata", "resourceVersion"], precondition.isEmpty ? nil : .string(precondition))
        let updated = try await api.update(
            type, namespace: namespace, name: name, next, dryRun: dryRun(request), fieldManager: fieldManager(request),
            fieldSubresource: "scale")
        return .json(Self.scaleDocument(updated, type: type))
    }

    static func scaleDocument(_ parent: JSONValue, type: ResourceType) -> JSONValue {
        var metadata: [String: JSONValue] = [:]
        for field in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let value = parent[path: ["metadata", field]] { metadata[field] = value }
        }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": .object(metadata),
            "spec": ["replicas": .int(parent[path: ["spec", "replicas"]]?.intValue ?? 1)],
            "status": [
                "replicas": .int(parent[path: ["status", "replicas"]]?.intValue ?? 0),
                "selector": .string(selectorString(parent, type: type)),
            ],
        ]
    }

    /// The selector in its string form: `app=web,tier in (a,b)`.
    static func selectorString(_ parent: JSONValue, type: ResourceType) -> String {
        guard let selector = parent[path: ["spec", "selector"]] else { return "" }
        if type == .replicationController {
            return selector.stringMap.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        }
        var parts = (selector["matchLabels"]?.stringMap ?? [:]).sorted { $0.key < $1.key }.map {
            "\($0.key)=\($0.value)"
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ",")
            switch expression["operator"]?.stringValue ?? "" {
            case "In": parts.append("\(key) in (\(values))")
            case "NotIn": parts.append("\(key) notin (\(values))")
            case "Exists": parts.append(key)
            case "DoesNotExist": parts.append("!\(key)")
            default: continue
            }
        }
        return parts.joined(separator: ",")
    }

    // MARK: - Pods

    /// `text/plain` log bytes from the node (`logSource`), streamed; 400 until a node serves logs.
    func log(_ request: KubeHTTPRequest, namespace: String, name: String) async throws(KubeError) -> KubeHTTPResponse {
        _ = try await api.get(.pod, namespace: namespace, name: name)
        guard let source = logSource else {
            throw .badRequest("logs of pod \(namespace)/\(name) are not available: no node serves pod logs yet")
        }
        var tailLines: Int?
        if let text = request.parameter("tailLines"), !text.isEmpty {
            guard let value = Int(text), value >= 0 else { throw .badRequest("invalid tailLines: \(text)") }
            tailLines = value
        }
        let logRequest = KubeLogRequest(
            namespace: namespace, pod: name, container: request.parameter("container"), follow: request.flag("follow"),
            tailLines: tailLines, previous: request.flag("previous"))
        let chunks = try await source(logRequest)
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .unbounded)
        let pump = Task {
            for await chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
        continuation.onTermination = { _ in pump.cancel() }
        return KubeHTTPResponse(
            status: 200, headers: [("Content-Type", "text/plain")],
            body: .stream(stream, stop: { continuation.finish() }))
    }

    /// `policy/v1` Eviction: deletes the pod (with the eviction's DeleteOptions); 201 Success as upstream.
    func evict(_ request: KubeHTTPRequest, namespace: String, name: String) async throws(KubeError) -> KubeHTTPResponse
    {
        let body = try decodeBody(request)
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != "Eviction" {
            throw .badRequest("the kind of the object (\(kind)) is not Eviction")
        }
        var options = DeleteOptions()
        if let grace = body[path: ["deleteOptions", "gracePeriodSeconds"]]?.intValue {
            options.gracePeriodSeconds = grace
        }
        options.preconditionUID = body[path: ["deleteOptions", "preconditions", "uid"]]?.stringValue
        options.dryRun = dryRun(request)
        try await api.delete(.pod, namespace: namespace, name: name, options: options)
        return .json(
            ["kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success", "code": 201], status: 201)
    }
}

extension ResourceType {
    /// `autoscaling/v1` Scale, for the errors of the scale subresource (not a served resource).
    static let scaleType = ResourceType(group: "autoscaling", kind: "Scale", plural: "scale")
}
