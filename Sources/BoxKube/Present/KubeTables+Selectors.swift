import BoxCore

/// The text forms of selectors and container lists shared by the workload printers.
extension KubeTables {
    /// `labels.Selector.String()` of a `metav1.LabelSelector`: requirements sorted by key, `k=v`, `k in (a,b)`,
    /// `k notin (a,b)`, `k`, `!k`, joined by commas; `""` for an empty or missing selector.
    static func selectorText(_ selector: JSONValue?) -> String {
        var requirements: [(key: String, text: String)] = []
        for (key, value) in (selector?["matchLabels"]?.stringMap ?? [:]) {
            requirements.append((key, "\(key)=\(value)"))
        }
        for expression in selector?["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
            switch expression["operator"]?.stringValue ?? "" {
            case "In": requirements.append((key, "\(key) in (\(values.joined(separator: ",")))"))
            case "NotIn": requirements.append((key, "\(key) notin (\(values.joined(separator: ",")))"))
            case "Exists": requirements.append((key, key))
            case "DoesNotExist": requirements.append((key, "!" + key))
            default: continue
            }
        }
        // A stable sort by key, as `labels.internalSelector` sorts its requirements.
        return requirements.enumerated()
            .sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
            .map(\.element.text)
            .joined(separator: ",")
    }

    /// `metav1.FormatLabelSelector`: the selector text, `<none>` when empty.
    static func formatSelector(_ selector: JSONValue?) -> String {
        let text = selectorText(selector)
        return text.isEmpty ? "<none>" : text
    }

    /// `labels.FormatLabels` of a plain map (a Service's or ReplicationController's selector): sorted `k=v`
    /// pairs, `<none>` when empty.
    static func formatLabels(_ map: JSONValue?) -> String {
        let labels = map?.stringMap ?? [:]
        if labels.isEmpty { return "<none>" }
        return labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
    }

    /// The Containers and Images cells of a pod template (`layoutContainerCells`): names and images joined by
    /// commas.
    static func containerCells(_ podSpec: JSONValue?) -> [JSONValue] {
        let containers = podSpec?["containers"]?.arrayValue ?? []
        return [
            .string(containers.map { $0["name"]?.stringValue ?? "" }.joined(separator: ",")),
            .string(containers.map { $0["image"]?.stringValue ?? "" }.joined(separator: ",")),
        ]
    }

    /// An integer field as a number cell, 0 when missing.
    static func integer(_ object: JSONValue, _ path: [String]) -> JSONValue {
        .int(object[path: path]?.intValue ?? 0)
    }

    /// A string field, `""` when missing.
    static func string(_ object: JSONValue, _ path: [String]) -> String {
        object[path: path]?.stringValue ?? ""
    }
}
