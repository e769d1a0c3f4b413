import BoxServer
import Foundation

/// Formatting for the CLI's tables.

func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
}

/// Prints rows as left-aligned columns (the layout `clusterbox top` uses too); the header in bold when colouring.
func printTable(_ header: [String], _ rows: [[String]]) {
    for (index, line) in TextTable.lines(header, rows).enumerated() { print(index == 0 ? Terminal.bold(line) : line) }
}
