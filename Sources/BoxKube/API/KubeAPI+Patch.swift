public import BoxCore

/// The four PATCH media types.
public enum PatchType: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    /// The type named by a Content-Type header (parameters ignored), nil for any other.
    public init?(contentType: String) {
        let base = contentType.split(separator: ";").first.map { String($0).trimmingSpaces.lowercased() } ?? ""
        self.init(rawValue: base == "application/apply-patch+json" ? PatchType.apply.rawValue : base)
    }
}

extension KubeAPI {
    /// Applies a patch to the current object and writes the result like an update (a `resourceVersion` in the
    /// patched object is a precondition). Server-side apply to a missing object creates it (`created` true).
    /// Field ownership: an apply is `fieldManager`'s `Apply` (conflicts unless `force`); any other patch records the
    /// fields it changed for `fieldManager`, or for the manager named by `userAgent` (`ManagedFields.manager`).
    public func patch(
        _ type: ResourceType, namespace: String, name: String, patchType: PatchType, body: [UInt8],
        subresource: Subresource = .main, fieldManager: String? = nil, force: Bool = false, dryRun: Bool = false,
        userAgent: String? = nil
    ) async throws(KubeError) -> (object: JSONValue, created: Bool) {
        if patchType == .apply && (fieldManager ?? "").isEmpty {
            throw .badRequest(
                "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
        }
        let document = try KubePatch.parse(body, type: patchType)
        let updater: String? =
            patchType == .apply ? nil : ManagedFields.manager(fieldManager: fieldManager, userAgent: userAgent)
        do {
            let object = try await modify(
                type, namespace: namespace, name: name, precondition: "", dryRun: dryRun,
                statusOnly: subresource == .status, fieldManager: updater, fieldSubresource: subresource.rawValue
            ) { current throws(KubeError) in
                let patched = try KubePatch.apply(
                    patchType, document, to: current, type: type, manager: fieldManager ?? "",
                    time: KubeTime.format(clock.now), force: force)
                var merged = Self.merged(patched, onto: current, type: type, subresource: subresource)
                if subresource == .main, !type.hasStatusSubresource { merged.set(["status"], patched["status"]) }
                return merged
            }
            return (object, false)
        } catch let error where error.code == 404 && patchType == .apply && subresource == .main {
            var object = try KubePatch.apply(
                patchType, document, to: .object([:]), type: type, manager: fieldManager ?? "",
                time: KubeTime.format(clock.now), force: force)
            if object.name.isEmpty { object.set(["metadata", "name"], .string(name)) }
            return (try await create(type, namespace: namespace, object, dryRun: dryRun), true)
        }
    }
}

/// Patch documents applied to objects. Merge patch (RFC 7386) is here; JSON patch, strategic merge patch and
/// server-side apply are in `KubePatch+*.swift`.
public enum KubePatch {
    /// Parses the body as JSON (a YAML apply body is converted by the HTTP layer before it gets here).
    public static func parse(_ body: [UInt8], type: PatchType) throws(KubeError) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw .badRequest("error decoding patch: \(error)")
        }
    }

    /// `manager`, `time` and `force` feed server-side apply's field ownership.
    public static func apply(
        _ patchType: PatchType, _ patch: JSONValue, to object: JSONValue, type: ResourceType, manager: String = "",
        time: String = "", force: Bool = false
    ) throws(KubeError) -> JSONValue {
        switch patchType {
        case .merge:
            guard case .object = patch else { throw .badRequest("a merge patch must be a JSON object") }
            return mergePatch(patch, onto: object)
        case .json: return try jsonPatch(patch, to: object)
        case .strategicMerge: return try strategicMergePatch(patch, onto: object, type: type)
        case .apply:
            return try serverSideApply(patch, onto: object, type: type, manager: manager, time: time, force: force)
        }
    }

    /// RFC 7386: objects merge recursively, `null` removes, anything else replaces.
    public static func mergePatch(_ patch: JSONValue, onto target: JSONValue) -> JSONValue {
        guard case .object(let members) = patch else { return patch }
        var result: [String: JSONValue] = target.objectValue ?? [:]
        for (key, value) in members {
            if value == .null {
                result[key] = nil
            } else {
                result[key] = mergePatch(value, onto: result[key] ?? .null)
            }
        }
        return .object(result)
    }
}
