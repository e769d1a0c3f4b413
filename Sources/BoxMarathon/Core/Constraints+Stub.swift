public import BoxCore

// Temporary: replaced by Constraints.swift when it lands.
extension App {
    func allows(hostname: String, attributes: Labels, placed: [(hostname: String, attributes: Labels)]) -> Bool {
        true
    }
}
