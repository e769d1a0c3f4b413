import Foundation

/// The parts of `/master/state` the CLI prints.
struct MesosStateView: Decodable {
    struct Resources: Decodable {
        var cpus: Double
        var mem: Double
        var disk: Double
        var gpus: Double
        var ports: String?
    }

    struct Agent: Decodable {
        var id: String
        var hostname: String
        var active: Bool
        var resources: Resources
        var used_resources: Resources
        var offered_resources: Resources
        var clusterbox_kind: String?
    }

    struct Task: Decodable {
        var id: String
        var name: String
        var state: String
        var slave_id: String
        var framework_id: String
    }

    struct Offer: Decodable {
        var id: String
        var framework_id: String
        var slave_id: String
        var resources: Resources
    }

    struct Framework: Decodable {
        var id: String
        var name: String
        var role: String
        var weight: Double
        var active: Bool
        var used_resources: Resources
        var offered_resources: Resources
        var dominant_share: Double
        var dominant_resource: String
        var tasks: [Task]
        var unreachable_tasks: [Task]
        var completed_tasks: [Task]
        var offers: [Offer]
    }

    var id: String
    var start_time: Double
    var slaves: [Agent]
    var frameworks: [Framework]
    var completed_frameworks: [Framework]
}

extension MesosStateView.Resources {
    var summary: String {
        var text = "cpus:\(format(cpus)) mem:\(Int(mem))"
        if disk > 0 { text += " disk:\(Int(disk))" }
        if gpus > 0 { text += " gpus:\(Int(gpus))" }
        if let ports { text += " ports:\(ports)" }
        return text
    }
}

func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
}

/// Prints rows as left-aligned columns.
func printTable(_ header: [String], _ rows: [[String]]) {
    let all = [header] + rows
    let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
    for row in all {
        let line = row.enumerated().map { index, cell in
            index == row.count - 1 ? cell : cell.padding(toLength: widths[index] + 3, withPad: " ", startingAt: 0)
        }.joined()
        print(line)
    }
}
