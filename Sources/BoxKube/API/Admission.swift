public import BoxCore

/// What the API does to every object on its way into the store, after it has set the server-owned metadata:
/// fill in the defaults Kubernetes fills in, then validate (a 422 Invalid listing every field error).
///
/// `old` is nil on create. The object already carries its final `metadata` (name, namespace, uid, timestamps);
/// status-only writes (`/status`) are admitted with `statusOnly`.
public protocol Admission: Sendable {
    func admit(
        _ object: JSONValue, old: JSONValue?, type: ResourceType, statusOnly: Bool
    ) throws(KubeError) -> JSONValue
}

/// Admits everything unchanged (for tests of the machinery itself).
public struct AdmitAll: Admission {
    public init() {}
    public func admit(
        _ object: JSONValue, old: JSONValue?, type: ResourceType, statusOnly: Bool
    ) throws(KubeError) -> JSONValue { object }
}
