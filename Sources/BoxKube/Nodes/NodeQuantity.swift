import BoxCore

/// Kubernetes resource quantities (`100m`, `0.5`, `64Mi`, `1G`, `1e3`, parsed by `Quantity`) in the units the master
/// counts in: milli-CPUs and MiB, rounded up (a request may not shrink).
enum NodeQuantity {
    /// The value in base units times 1000 (milli-units), nil for text that is not a quantity or is negative.
    static func milli(_ text: String) -> Int? {
        guard let number = Quantity.parse(text), number >= 0 else { return nil }
        let value = (number * 1000).rounded(.up)
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
