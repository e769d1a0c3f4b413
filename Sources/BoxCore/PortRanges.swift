/// A set of TCP ports kept as sorted, disjoint, non-adjacent closed ranges (`[31000-32000]`), the shape of
/// Mesos' `ports` resource. Subtracting a port from the middle of a range splits it in two.
public struct PortRanges: Hashable, Sendable, Codable, CustomStringConvertible {
    public private(set) var ranges: [ClosedRange<UInt16>]

    public init() { ranges = [] }

    /// Builds a normalized set from any ranges (overlapping or adjacent ones merge).
    public init(_ ranges: [ClosedRange<UInt16>]) {
        self.ranges = []
        for range in ranges { insert(range) }
    }

    public init(ports: [UInt16]) { self.init(ports.map { $0...$0 }) }

    public var isEmpty: Bool { ranges.isEmpty }
    public var count: Int { ranges.reduce(0) { $0 + $1.count } }
    public var ports: [UInt16] { ranges.flatMap { Array($0) } }

    public func contains(_ port: UInt16) -> Bool {
        ranges.contains { $0.contains(port) }
    }

    /// True when every port of `other` is in `self`.
    public func contains(_ other: PortRanges) -> Bool {
        // Both lists are sorted, so one merge-like pass decides it.
        var index = 0
        for range in other.ranges {
            while index < ranges.count, ranges[index].upperBound < range.lowerBound { index += 1 }
            guard index < ranges.count, ranges[index].lowerBound <= range.lowerBound,
                ranges[index].upperBound >= range.upperBound
            else { return false }
        }
        return true
    }

    public func overlaps(_ other: PortRanges) -> Bool {
        var i = 0
        var j = 0
        while i < ranges.count, j < other.ranges.count {
            if ranges[i].overlaps(other.ranges[j]) { return true }
            if ranges[i].upperBound < other.ranges[j].upperBound { i += 1 } else { j += 1 }
        }
        return false
    }

    public mutating func insert(_ range: ClosedRange<UInt16>) {
        var low = range.lowerBound
        var high = range.upperBound
        var kept: [ClosedRange<UInt16>] = []
        kept.reserveCapacity(ranges.count + 1)
        var placed = false
        for existing in ranges {
            if Int(existing.upperBound) + 1 < Int(low) {
                kept.append(existing)  // wholly below, not touching
            } else if Int(high) + 1 < Int(existing.lowerBound) {
                if !placed {
                    kept.append(low...high)
                    placed = true
                }
                kept.append(existing)  // wholly above, not touching
            } else {
                low = min(low, existing.lowerBound)
                high = max(high, existing.upperBound)
            }
        }
        if !placed { kept.append(low...high) }
        ranges = kept
    }

    public static func + (lhs: PortRanges, rhs: PortRanges) -> PortRanges {
        if rhs.isEmpty { return lhs }  // the common case (tasks without ports) costs no allocation
        if lhs.isEmpty { return rhs }
        var result = lhs
        for range in rhs.ranges { result.insert(range) }
        return result
    }

    /// Removes every port of `rhs`; ranges split where a hole is cut into them.
    public static func - (lhs: PortRanges, rhs: PortRanges) -> PortRanges {
        if rhs.isEmpty || lhs.isEmpty { return lhs }
        var result: [ClosedRange<UInt16>] = []
        for range in lhs.ranges {
            var pieces = [range]
            for cut in rhs.ranges where cut.overlaps(range) {
                pieces = pieces.flatMap { piece -> [ClosedRange<UInt16>] in
                    guard piece.overlaps(cut) else { return [piece] }
                    var out: [ClosedRange<UInt16>] = []
                    if piece.lowerBound < cut.lowerBound { out.append(piece.lowerBound...(cut.lowerBound - 1)) }
                    if piece.upperBound > cut.upperBound { out.append((cut.upperBound + 1)...piece.upperBound) }
                    return out
                }
            }
            result.append(contentsOf: pieces)
        }
        var value = PortRanges()
        value.ranges = result
        return value
    }

    /// The first `count` ports, lowest first, or nil when there are fewer.
    public func first(_ count: Int) -> PortRanges? {
        guard count <= self.count else { return nil }
        var left = count
        var taken: [ClosedRange<UInt16>] = []
        for range in ranges where left > 0 {
            let n = min(left, range.count)
            taken.append(range.lowerBound...(range.lowerBound + UInt16(n - 1)))
            left -= n
        }
        var value = PortRanges()
        value.ranges = taken
        return value
    }

    /// `[31000-31005, 31010-31010]`, as Mesos prints ranges.
    public var description: String {
        "[" + ranges.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ", ") + "]"
    }

    /// Parses `31000-32000`, `[31000-31005, 31010]` or `31000-31005,31010-31020`.
    public init?(parsing text: String) {
        let body = text.stripping("[] ")
        var parsed: [ClosedRange<UInt16>] = []
        for part in body.split(separator: ",") {
            let bounds = part.split(separator: "-").map { $0.stripping(" ") }
            guard bounds.count == 1 || bounds.count == 2,
                let low = UInt16(bounds[0]), let high = UInt16(bounds.last!), low <= high
            else { return nil }
            parsed.append(low...high)
        }
        self.init(parsed)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = PortRanges(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "bad port ranges \(text)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension StringProtocol {
    func stripping(_ set: String) -> String {
        var slice = Substring(self)
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
