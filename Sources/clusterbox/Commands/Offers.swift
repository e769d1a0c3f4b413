import ArgumentParser
import BoxServer
import Foundation

/// `clusterbox offers [--watch]`: outstanding offers, or the live stream of offers and what became of them.
struct Offers: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show outstanding offers, or watch offers flow live.")

    @OptionGroup var cluster: ClusterOptions

    @Flag(name: .long, help: "Follow the live stream: offers, launches, declines, rescinds.")
    var watch = false

    @Flag(name: .long, help: "With --watch, show every cluster event (task updates, agents, frameworks).")
    var all = false

    @Option(name: .long, help: "With --watch, stop after this many events.")
    var count: Int?

    @Flag(name: .long, help: "Print JSON: every framework's outstanding offers from /master/state, one array.")
    var json = false

    func validate() throws {
        if json && watch { throw ValidationError("--json lists outstanding offers; it does not go with --watch") }
    }

    static let offerKinds: Set<String> = ["offer", "decline", "accept", "rescind", "task_error"]

    func run() throws {
        let (_, client) = try cluster.connect()
        guard watch else { return try list(client) }
        print("Watching offers (Ctrl-C to stop)…")
        var buffer = Data()
        var seen = 0
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss.SSS"
        let status = try client.stream("/clusterbox/v1/events") { data in
            buffer.append(data)
            while let end = buffer.range(of: Data("\n\n".utf8)) {
                let frame = String(decoding: buffer[buffer.startIndex..<end.lowerBound], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex..<end.upperBound)
                guard let line = frame.split(separator: "\n").first(where: { $0.hasPrefix("data: ") }),
                    let event = try? JSONDecoder().decode(EventView.self, from: Data(line.dropFirst(6).utf8)),
                    all || Self.offerKinds.contains(event.kind)
                else { continue }
                let time = formatter.string(from: Date(timeIntervalSince1970: event.time))
                // Offer ids are `<master id>-O<n>`: the number is what tells them apart.
                let offer = event.offer_id.map { String($0.split(separator: "-").last ?? "") }
                let subject = [offer, event.task_id].compactMap { $0 }.joined(separator: " ")
                let kind = event.kind.padding(toLength: 11, withPad: " ", startingAt: 0)
                let resources = event.resources.map { "  ⟨\($0)⟩" } ?? ""
                print(
                    "\(time)  \(kind) \(subject.padding(toLength: 16, withPad: " ", startingAt: 0)) \(event.message)\(resources)"
                )
                fflush(nil)
                seen += 1
                if let count, seen >= count { return false }
            }
            return true
        }
        if status != 200 { throw CLIError("the event stream answered HTTP \(status)") }
    }

    private func list(_ client: HTTPClient) throws {
        if json {
            let frameworks = try Terminal.part("frameworks", of: client.body("/master/state")) as? [[String: Any]]
            return try Terminal.printJSON(object: (frameworks ?? []).flatMap { $0["offers"] as? [Any] ?? [] })
        }
        let state = try client.json(MesosState.self, "/master/state")
        let names = Dictionary(uniqueKeysWithValues: state.frameworks.map { ($0.id, $0.name) })
        let hosts = Dictionary(uniqueKeysWithValues: state.slaves.map { ($0.id, $0.hostname) })
        let offers = state.frameworks.flatMap(\.offers)
        if offers.isEmpty {
            print("No outstanding offers: frameworks answered them (or suppressed offers). Watch them with --watch.")
            return
        }
        printTable(
            ["OFFER", "FRAMEWORK", "AGENT", "RESOURCES"],
            offers.map {
                [
                    $0.id, names[$0.framework_id] ?? $0.framework_id, hosts[$0.slave_id] ?? $0.slave_id,
                    $0.resources.summary,
                ]
            })
    }
}
