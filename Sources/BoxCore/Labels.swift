import Foundation

/// Key/value labels on tasks and objects, and the text attributes of agents (`rack:r1`, `zone:a`).
public typealias Labels = [String: String]

/// A Kubernetes-style label selector: every requirement must hold.
/// Equality-based (`app=web`, `tier!=db`) and set-based (`env in (prod,qa)`, `env notin (dev)`, `gpu`, `!gpu`).
public struct LabelSelector: Hashable, Sendable, Codable, CustomStringConvertible {
    public enum Operator: String, Hashable, Sendable, Codable {
        case equals = "="
        case notEquals = "!="
        case `in`
        case notIn = "notin"
        case exists
        case doesNotExist = "!"
    }

    public struct Requirement: Hashable, Sendable, Codable {
        public var key: String
        public var op: Operator
        public var values: [String]

        public init(key: String, op: Operator, values: [String] = []) {
            self.key = key
            self.op = op
            self.values = values
        }

        public func matches(_ labels: Labels) -> Bool {
            let value = labels[key]
            switch op {
            case .equals: return value == values.first
            case .notEquals: return value != values.first
            case .in: return value.map(values.contains) ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            }
        }
    }

    public var requirements: [Requirement]

    public init(_ requirements: [Requirement] = []) { self.requirements = requirements }

    /// A selector matching exactly these labels, the shape of a ReplicationController's `selector`.
    public init(matchLabels: Labels) {
        requirements = matchLabels.keys.sorted().map { Requirement(key: $0, op: .equals, values: [matchLabels[$0]!]) }
    }

    public static let everything = LabelSelector()

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ labels: Labels) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    public var description: String {
        requirements.map { r in
            switch r.op {
            case .equals, .notEquals: "\(r.key)\(r.op.rawValue)\(r.values.first ?? "")"
            case .in, .notIn: "\(r.key) \(r.op.rawValue) (\(r.values.joined(separator: ",")))"
            case .exists: r.key
            case .doesNotExist: "!\(r.key)"
            }
        }.joined(separator: ",")
    }

    /// Parses the text form kubectl sends in `labelSelector=`: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    /// `==` is accepted for `=`.
    public init(parsing text: String) throws(SelectorParseError) {
        var requirements: [Requirement] = []
        for clause in Self.splitClauses(text) {
            let trimmed = clause.stripping(" ")
            if trimmed.isEmpty { throw .emptyClause(text) }
            requirements.append(try Self.parseClause(trimmed))
        }
        self.requirements = requirements
    }

    /// Splits at commas outside parentheses.
    private static func splitClauses(_ text: String) -> [String] {
        if text.stripping(" ").isEmpty { return [] }
        var clauses: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1 } else if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 {
                clauses.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        clauses.append(current)
        return clauses
    }

    private static func parseClause(_ clause: String) throws(SelectorParseError) -> Requirement {
        if clause.hasPrefix("!") {
            let key = clause.dropFirst().stripping(" ")
            try validateKey(key, clause)
            return Requirement(key: key, op: .doesNotExist)
        }
        for (token, op) in [("!=", Operator.notEquals), ("==", .equals), ("=", .equals)] {
            if let range = clause.range(of: token) {
                let key = clause[..<range.lowerBound].stripping(" ")
                let value = clause[range.upperBound...].stripping(" ")
                try validateKey(key, clause)
                try validateValue(value, clause)
                return Requirement(key: key, op: op, values: [value])
            }
        }
        let words = clause.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let key = words[0]
            let rest = words[1].stripping(" ")
            let op: Operator
            let list: Substring
            if rest.hasPrefix("notin") {
                op = .notIn
                list = rest.dropFirst(5)
            } else if rest.hasPrefix("in") {
                op = .in
                list = rest.dropFirst(2)
            } else {
                throw .malformed(clause)
            }
            let inner = list.stripping(" ")
            guard inner.hasPrefix("("), inner.hasSuffix(")") else { throw .malformed(clause) }
            let values = inner.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { $0.stripping(" ") }
            try validateKey(key, clause)
            for value in values { try validateValue(value, clause) }
            guard !values.isEmpty, !(values.count == 1 && values[0].isEmpty) else { throw .malformed(clause) }
            return Requirement(key: key, op: op, values: values.sorted())
        }
        try validateKey(clause, clause)
        return Requirement(key: clause, op: .exists)
    }

    private static func validateKey(_ key: String, _ clause: String) throws(SelectorParseError) {
        guard !key.isEmpty, key.count <= 253 + 1 + 63,
            key.allSatisfy({ $0.isLetter || $0.isNumber || "-_./".contains($0) })
        else { throw .invalidKey(key, clause) }
    }

    private static func validateValue(_ value: String, _ clause: String) throws(SelectorParseError) {
        guard value.count <= 63, value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw .invalidValue(value, clause)
        }
    }
}

public enum SelectorParseError: Error, Equatable, CustomStringConvertible {
    case emptyClause(String)
    case malformed(String)
    case invalidKey(String, String)
    case invalidValue(String, String)

    public var description: String {
        switch self {
        case .emptyClause(let text): "empty requirement in selector '\(text)'"
        case .malformed(let clause): "unable to parse requirement '\(clause)'"
        case .invalidKey(let key, let clause): "invalid label key '\(key)' in '\(clause)'"
        case .invalidValue(let value, let clause): "invalid label value '\(value)' in '\(clause)'"
        }
    }
}
