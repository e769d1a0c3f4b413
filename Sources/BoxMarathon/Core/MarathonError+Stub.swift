// Temporary: replaced by the definition in AppJSON.swift when it lands.
public enum MarathonError: Error, Equatable, Sendable {
    case badRequest(message: String, details: [FieldError] = [])
    case invalid(message: String, details: [FieldError])
    case notFound(String)
    case conflict(message: String, deployments: [String])
}

public struct FieldError: Hashable, Sendable {
    public var path: String
    public var errors: [String]
    public init(path: String, errors: [String]) {
        self.path = path
        self.errors = errors
    }
}
