/// The resources of an agent, an offer or a task: integer scalars (CPUs in thousandths, memory and disk in MiB,
/// whole GPUs) and port ranges. Integers keep arithmetic exact, so DRF and capacity checks never round.
public struct Resources: Hashable, Sendable, Codable, CustomStringConvertible {
    public var milliCPUs: Int
    public var memoryMiB: Int
    public var diskMiB: Int
    public var gpus: Int
    public var ports: PortRanges

    public init(milliCPUs: Int = 0, memoryMiB: Int = 0, diskMiB: Int = 0, gpus: Int = 0, ports: PortRanges = .init()) {
        self.milliCPUs = milliCPUs
        self.memoryMiB = memoryMiB
        self.diskMiB = diskMiB
        self.gpus = gpus
        self.ports = ports
    }

    /// CPUs as a user writes them (`0.5`), rounded to the nearest thousandth.
    public init(cpus: Double, memoryMiB: Int = 0, diskMiB: Int = 0, gpus: Int = 0, ports: PortRanges = .init()) {
        self.init(
            milliCPUs: Int((cpus * 1000).rounded()), memoryMiB: memoryMiB, diskMiB: diskMiB, gpus: gpus, ports: ports)
    }

    public static let zero = Resources()

    public var cpus: Double { Double(milliCPUs) / 1000 }

    public var isEmpty: Bool {
        milliCPUs == 0 && memoryMiB == 0 && diskMiB == 0 && gpus == 0 && ports.isEmpty
    }

    /// No scalar is negative. Subtraction can produce negative scalars; callers check `contains` first.
    public var isValid: Bool { milliCPUs >= 0 && memoryMiB >= 0 && diskMiB >= 0 && gpus >= 0 }

    /// True when `other` fits inside `self`: every scalar is at most ours and every port is ours.
    public func contains(_ other: Resources) -> Bool {
        other.milliCPUs <= milliCPUs && other.memoryMiB <= memoryMiB && other.diskMiB <= diskMiB
            && other.gpus <= gpus && ports.contains(other.ports)
    }

    public static func + (lhs: Resources, rhs: Resources) -> Resources {
        Resources(
            milliCPUs: lhs.milliCPUs + rhs.milliCPUs, memoryMiB: lhs.memoryMiB + rhs.memoryMiB,
            diskMiB: lhs.diskMiB + rhs.diskMiB, gpus: lhs.gpus + rhs.gpus, ports: lhs.ports + rhs.ports)
    }

    public static func - (lhs: Resources, rhs: Resources) -> Resources {
        Resources(
            milliCPUs: lhs.milliCPUs - rhs.milliCPUs, memoryMiB: lhs.memoryMiB - rhs.memoryMiB,
            diskMiB: lhs.diskMiB - rhs.diskMiB, gpus: lhs.gpus - rhs.gpus, ports: lhs.ports - rhs.ports)
    }

    public static func += (lhs: inout Resources, rhs: Resources) { lhs = lhs + rhs }
    public static func -= (lhs: inout Resources, rhs: Resources) { lhs = lhs - rhs }

    /// The scalars only; ports are not a share of anything in DRF.
    public var scalars: Resources {
        Resources(milliCPUs: milliCPUs, memoryMiB: memoryMiB, diskMiB: diskMiB, gpus: gpus)
    }

    /// `cpus:2;mem:1024;disk:4096;ports:[31000-32000]`, the Mesos `--resources` text form.
    public var description: String {
        var parts: [String] = []
        parts.append("cpus:\(Self.format(cpus))")
        parts.append("mem:\(memoryMiB)")
        if diskMiB > 0 { parts.append("disk:\(diskMiB)") }
        if gpus > 0 { parts.append("gpus:\(gpus)") }
        if !ports.isEmpty { parts.append("ports:\(ports)") }
        return parts.joined(separator: ";")
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    /// Parses the Mesos text form: `cpus:2;mem:1024;disk:100;gpus:0;ports:[31000-32000]` (`,` also separates).
    public init(parsing text: String) throws(ResourceParseError) {
        self.init()
        var rest = Substring(text)
        while !rest.isEmpty {
            // Split at ';' or at ',' that is not inside brackets.
            var depth = 0
            var end = rest.endIndex
            for index in rest.indices {
                let ch = rest[index]
                if ch == "[" { depth += 1 } else if ch == "]" { depth -= 1 }
                if depth == 0 && (ch == ";" || ch == ",") {
                    end = index
                    break
                }
            }
            let item = rest[rest.startIndex..<end]
            rest = end == rest.endIndex ? "" : rest[rest.index(after: end)...]
            if item.stripping(" ").isEmpty { continue }
            let pair = item.split(separator: ":", maxSplits: 1).map { $0.stripping(" ") }
            guard pair.count == 2 else { throw .malformed(String(item)) }
            let (name, value) = (pair[0], pair[1])
            switch name {
            case "cpus":
                guard let v = Double(value), v >= 0, v.isFinite else { throw .badValue(name, value) }
                milliCPUs = Int((v * 1000).rounded())
            case "mem", "disk", "gpus":
                guard let v = Double(value), v >= 0, v.isFinite, v == v.rounded() else { throw .badValue(name, value) }
                if name == "mem" {
                    memoryMiB = Int(v)
                } else if name == "disk" {
                    diskMiB = Int(v)
                } else {
                    gpus = Int(v)
                }
            case "ports":
                guard let ranges = PortRanges(parsing: value) else { throw .badValue(name, value) }
                ports = ranges
            default:
                throw .unknownResource(name)
            }
        }
    }
}

public enum ResourceParseError: Error, Equatable, CustomStringConvertible {
    case malformed(String)
    case badValue(String, String)
    case unknownResource(String)

    public var description: String {
        switch self {
        case .malformed(let item): "malformed resource '\(item)': expected NAME:VALUE"
        case .badValue(let name, let value): "bad value '\(value)' for resource \(name)"
        case .unknownResource(let name): "unknown resource '\(name)' (known: cpus, mem, disk, gpus, ports)"
        }
    }
}
