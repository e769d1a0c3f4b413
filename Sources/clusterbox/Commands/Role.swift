import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox role set NAME --weight W --quota cpus=2,mem=1024` and `clusterbox role list`.
struct Role: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set a role's DRF weight and guaranteed quota, or list roles.",
        subcommands: [Set.self, List.self], defaultSubcommand: List.self)

    struct Set: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a role's weight and quota.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The role, as frameworks name it when they subscribe.")
        var name: String

        @Option(name: .long, help: "Relative share under DRF (default 1).")
        var weight: Double?

        @Option(name: .long, help: "Resources offered to the role's frameworks first, e.g. cpus=2,mem=1024.")
        var quota: String?

        func run() throws {
            let (_, client) = try cluster.connect()
            var body: [String: Any] = [:]
            if let weight { body["weight"] = weight }
            if let quota { body["quota"] = quota.replacingOccurrences(of: "=", with: ":") }
            let response = try client.request(
                "PUT", "/clusterbox/v1/roles/\(name)", json: try JSONSerialization.data(withJSONObject: body))
            guard response.status == 200 else { throw CLIError(response.errorMessage) }
            try List.show(try response.decode(RolesView.self))
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List roles: weight, quota, what they hold.")

        @OptionGroup var cluster: ClusterOptions

        @Flag(name: .long, help: "Print JSON: the document of /clusterbox/v1/roles.")
        var json = false

        func run() throws {
            let (_, client) = try cluster.connect()
            if json { return try Terminal.printJSON(body: client.body("/clusterbox/v1/roles")) }
            try Self.show(try client.json(RolesView.self, "/clusterbox/v1/roles"))
        }

        static func show(_ view: RolesView) throws {
            printTable(
                ["ROLE", "WEIGHT", "QUOTA", "ALLOCATED", "FRAMEWORKS"],
                view.roles.map {
                    [
                        $0.name, format($0.weight), $0.quota.isEmpty ? "-" : $0.quota, $0.allocated,
                        $0.frameworks.joined(separator: ","),
                    ]
                })
        }
    }
}
