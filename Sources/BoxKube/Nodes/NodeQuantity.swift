import BoxCore

/// Kubernetes resource quantities (`100m`, `0.5`, `64Mi`, `1G`, `1e3`) read as the units the master counts in:
/// milli-CPUs and MiB. The scheduler's own parser: the Admission helper's `Quantity.parse` may not be merged yet,
/// and the scheduler only needs these two conversions (rounding up, as a request may not shrink).
enum NodeQuantity {
    /// The value in base units times 1000 (milli-units), nil for text that is not a quantity.
    static func milli(_ text: String) -> Int? {
        var text = Substring(text.trimmingSpaces)
        guard !text.isEmpty else { return nil }
        let suffixes: [(String, Double)] = [
            ("Ki", 1024), ("Mi", 1_048_576), ("Gi", 1_073_741_824), ("Ti", 1_099_511_627_776),
            ("Pi", 1_125_899_906_842_624), ("Ei", 1_152_921_504_606_846_976), ("n", 1e-9), ("u", 1e-6),
            ("m", 1e-3), ("k", 1e3), ("M", 1e6), ("G", 1e9), ("T", 1e12), ("P", 1e15), ("E", 1e18),
        ]
        var multiplier = 1.0
        for (suffix, factor) in suffixes where text.hasSuffix(suffix) {
            text = text.dropLast(suffix.count)
            multiplier = factor
            break
        }
        guard let first = text.first, first.isNumber || first == "." || first == "+" || first == "-",
            let number = Double(String(text)), number.isFinite, number >= 0
        else { return nil }
        let value = (number * multiplier * 1000).rounded(.up)
        guard value < 9e17 else { return nil }
        return Int(value)
    }

    /// CPU in milli-cores (`250m` → 250, `2` → 2000).
    static func milliCPUs(_ text: String) -> Int? { milli(text) }

    /// Memory in MiB, rounded up (`64Mi` → 64, `1G` → 954, `1000` bytes → 1).
    static func memoryMiB(_ text: String) -> Int? {
        guard let milliBytes = milli(text) else { return nil }
        let bytes = (milliBytes + 999) / 1000
        return (bytes + 1_048_575) / 1_048_576
    }

    /// A quantity given as a JSON string or number.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .int(let number)?: String(number)
        case .double(let number)?: String(number)
        default: nil
        }
    }
}
