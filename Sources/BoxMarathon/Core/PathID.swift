/// A Marathon path id, always absolute: `/prod/web`. Groups are the prefixes (`/prod`).
public struct PathID: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let segments: [String]

    public static let root = PathID(segments: [])

    public init(segments: [String]) { self.segments = segments }

    /// Resolves `text` (absolute, or relative to `base`, with `.` and `..`) and checks each segment against
    /// Marathon's rule: lower-case letters, digits, `-` inside, dots between such names.
    public init(_ text: String, relativeTo base: PathID = .root) throws(PathIDError) {
        var result = text.hasPrefix("/") ? [] : base.segments
        for segment in text.split(separator: "/", omittingEmptySubsequences: true).map(String.init) {
            switch segment {
            case ".": continue
            case "..":
                guard !result.isEmpty else { throw PathIDError(text: text, reason: "'..' goes above the root") }
                result.removeLast()
            default:
                guard Self.isValid(segment) else {
                    throw PathIDError(
                        text: text,
                        reason:
                            "segment '\(segment)': use lower-case letters, digits and '-' (not first or last), dots between names"
                    )
                }
                result.append(segment)
            }
        }
        segments = result
    }

    public var description: String { "/" + segments.joined(separator: "/") }
    public var isRoot: Bool { segments.isEmpty }
    public var parent: PathID { PathID(segments: Array(segments.dropLast())) }
    public var name: String { segments.last ?? "" }

    /// `/prod/web` → `prod_web`: the start of its task ids.
    public var safeName: String { segments.joined(separator: "_") }
    /// `/prod/web` → `web.prod`: the Mesos task name (and so `web-prod.marathon.mesos` in Mesos-DNS).
    public var mesosTaskName: String { segments.reversed().joined(separator: ".") }

    public func isPrefix(of other: PathID) -> Bool {
        other.segments.count >= segments.count && Array(other.segments.prefix(segments.count)) == segments
    }

    public static func < (lhs: PathID, rhs: PathID) -> Bool { lhs.description < rhs.description }

    static func isValid(_ segment: String) -> Bool {
        segment.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            guard let first = label.first, let last = label.last else { return false }
            let allowed = label.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            return allowed && first != "-" && last != "-"
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try PathID(text)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

public struct PathIDError: Error, Hashable, Sendable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "invalid id '\(text)': \(reason)" }
}
