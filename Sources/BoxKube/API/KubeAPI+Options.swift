public import BoxCore

/// What a list or watch asks for.
public struct ListOptions: Sendable {
    public var labelSelector: LabelSelector
    public var fieldSelector: FieldSelector
    /// At most this many items, with a continue token for the rest.
    public var limit: Int?
    public var continueToken: String?
    /// Watch: changes after this version; `nil` or `"0"` starts with the current state as ADDED events.
    public var resourceVersion: String?
    /// WatchList: the current state as ADDED, a BOOKMARK marking its end, then changes.
    public var sendInitialEvents: Bool
    public var allowWatchBookmarks: Bool

    public init(
        labelSelector: LabelSelector = .everything, fieldSelector: FieldSelector = .everything, limit: Int? = nil,
        continueToken: String? = nil, resourceVersion: String? = nil, sendInitialEvents: Bool = false,
        allowWatchBookmarks: Bool = false
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.sendInitialEvents = sendInitialEvents
        self.allowWatchBookmarks = allowWatchBookmarks
    }
}

/// One page of a list.
public struct ObjectList: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: String
    /// Set when more items remain: pass it back as `continue`.
    public var continueToken: String?
    public var remainingItemCount: Int?
}

/// A change seen by a watch.
public struct KubeWatchEvent: Sendable {
    public enum Kind: String, Sendable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
        case error = "ERROR"
    }

    public var kind: Kind
    /// The object (with kind and apiVersion), a bookmark's `{kind, apiVersion, metadata: {resourceVersion}}`, or an
    /// ERROR's Status.
    public var object: JSONValue

    public init(kind: Kind, object: JSONValue) {
        self.kind = kind
        self.object = object
    }

    /// `{"type":…,"object":…}`, the wire form.
    public var json: JSONValue { .object(["type": .string(kind.rawValue), "object": object]) }
}

/// `DeleteOptions`, from a JSON body (kubectl) or query parameters (the Python client).
public struct DeleteOptions: Sendable {
    public enum Propagation: String, Sendable {
        case foreground = "Foreground"
        case background = "Background"
        case orphan = "Orphan"
    }

    public var propagationPolicy: Propagation?
    public var gracePeriodSeconds: Int?
    public var preconditionUID: String?
    public var preconditionResourceVersion: String?
    public var dryRun: Bool

    public init(
        propagationPolicy: Propagation? = nil, gracePeriodSeconds: Int? = nil, preconditionUID: String? = nil,
        preconditionResourceVersion: String? = nil, dryRun: Bool = false
    ) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
        self.dryRun = dryRun
    }
}

/// What a DELETE did: removed the object now, or marked it (graceful pod deletion, finalizers, a namespace, a
/// foreground or orphan cascade) so that it goes later.
public enum DeleteOutcome: Sendable {
    case deleted(JSONValue)
    case pending(JSONValue)

    public var object: JSONValue {
        switch self {
        case .deleted(let object), .pending(let object): object
        }
    }
}

/// Which part of an object a write replaces.
public enum Subresource: String, Sendable {
    case main = ""
    case status
}
