/// Typed identifiers. On the wire each is an object `{"value": "…"}`, as in Mesos' protos.
public protocol Identifier: Hashable, Comparable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    var value: String { get }
    init(_ value: String)
}

extension Identifier {
    public init(stringLiteral value: String) { self.init(value) }
    public var description: String { value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

public struct AgentID: Identifier {
    public let value: String
    public init(_ value: String) { self.value = value }
}

public struct FrameworkID: Identifier {
    public let value: String
    public init(_ value: String) { self.value = value }
}

public struct OfferID: Identifier {
    public let value: String
    public init(_ value: String) { self.value = value }
}

public struct TaskID: Identifier {
    public let value: String
    public init(_ value: String) { self.value = value }
}

/// A status update's identity, for acknowledgements: 16 bytes in Mesos, kept here as its text.
public struct StatusUUID: Identifier {
    public let value: String
    public init(_ value: String) { self.value = value }
}
