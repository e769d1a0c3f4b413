import BoxCore

/// Small helpers the defaulting and validation code uses on objects held as `JSONValue`.
extension JSONValue {
    /// Sets `value` at `path` when nothing (or `null`) is there: a default never overrides what a client sent.
    mutating func setDefault(_ path: [String], _ value: JSONValue) {
        if let existing = self[path: path], existing != .null { return }
        set(path, value)
    }

    /// Applies `change` to each element of the array at `path` (nothing when there is no array).
    mutating func updateEach(_ path: [String], _ change: (inout JSONValue) -> Void) {
        guard var elements = self[path: path]?.arrayValue else { return }
        for index in elements.indices { change(&elements[index]) }
        set(path, .array(elements))
    }

    /// Applies `change` to the value at `path` when there is one.
    mutating func update(_ path: [String], _ change: (inout JSONValue) -> Void) {
        guard var value = self[path: path], value != .null else { return }
        change(&value)
        set(path, value)
    }

    /// Whether the value at `path` is missing or `null`.
    func isMissing(_ path: [String]) -> Bool { (self[path: path] ?? .null) == .null }
}

/// A field path as upstream prints it: `spec.template.spec.containers[0].image`.
struct FieldPath: CustomStringConvertible {
    var text: String

    init(_ text: String) { self.text = text }

    func child(_ name: String) -> FieldPath { FieldPath(text.isEmpty ? name : "\(text).\(name)") }
    func index(_ index: Int) -> FieldPath { FieldPath("\(text)[\(index)]") }
    func key(_ key: String) -> FieldPath { FieldPath("\(text)[\(key)]") }

    var description: String { text }
}
