/// Kubernetes resource quantities (`500m`, `128Mi`, `1.5`, `2e3`): the syntax of `resources.requests/limits`, read
/// by validation and by the scheduler.
public enum Quantity {
    /// The value in base units (cores for cpu, bytes for memory): `500m` → 0.5, `128Mi` → 134217728; nil when the
    /// text is not a quantity.
    public static func parse(_ text: String) -> Double? {
        var scalars = Substring(text)
        var sign = 1.0
        if let first = scalars.first, first == "+" || first == "-" {
            if first == "-" { sign = -1 }
            scalars = scalars.dropFirst()
        }
        let number = scalars.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let suffix = scalars.dropFirst(number.count)
        guard number.contains(where: \.isNumber), number.filter({ $0 == "." }).count <= 1,
            let magnitude = Double(number.hasPrefix(".") ? "0" + number : String(number)),
            let multiplier = multiplier(String(suffix))
        else { return nil }
        return sign * magnitude * multiplier
    }

    /// The factor of a suffix: binary (`Ki`…`Ei`), decimal SI (`n`…`E`) or an exponent (`e3`, `E-2`).
    private static func multiplier(_ suffix: String) -> Double? {
        if let factor = suffixes[suffix] { return factor }
        guard let first = suffix.first, first == "e" || first == "E" else { return nil }
        var exponent = suffix.dropFirst()
        var negative = false
        if let sign = exponent.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            exponent = exponent.dropFirst()
        }
        guard !exponent.isEmpty, exponent.count <= 3, exponent.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int(exponent)
        else { return nil }
        var factor = 1.0
        for _ in 0..<value { factor *= 10 }
        return negative ? 1 / factor : factor
    }

    private static let suffixes: [String: Double] = [
        "": 1, "n": 1e-9, "u": 1e-6, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18,
        "Ki": 1024, "Mi": 1_048_576, "Gi": 1_073_741_824, "Ti": 1_099_511_627_776, "Pi": 1_125_899_906_842_624,
        "Ei": 1_152_921_504_606_846_976,
    ]
}
