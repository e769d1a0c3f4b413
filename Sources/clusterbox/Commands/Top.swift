import ArgumentParser
import BoxServer
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// `clusterbox top [--interval S] [--once] [--json]`: agents, frameworks' dominant shares and running tasks by
/// CPU%, redrawn in place every interval on a terminal. CPU% needs two readings of each task's CPU time, so the
/// first frame comes one interval after the start.
struct Top: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Live view of agents, frameworks' dominant shares and tasks by CPU% and memory.",
        discussion: """
            CPU% is the CPU time a task used between two readings over the time between them (100 = one CPU). \
            On a terminal the view is redrawn every --interval seconds until interrupted; otherwise, and with \
            --once or --json, one frame is printed.
            """)

    @OptionGroup var cluster: ClusterOptions

    @Option(name: .long, help: "Seconds between readings.")
    var interval: Double = 2

    @Flag(name: .long, help: "Print one frame and exit.")
    var once = false

    @Flag(name: .long, help: "Print one frame as JSON.")
    var json = false

    func validate() throws {
        guard interval >= 0.1, interval <= 3600 else { throw ValidationError("--interval must be 0.1 to 3600 seconds") }
    }

    func run() throws {
        let (_, client) = try cluster.connect()
        let terminal = Terminal.isTTY
        let live = terminal && !once && !json
        var previous = try sample(client)
        while true {
            Thread.sleep(forTimeInterval: interval)
            let current = try sample(client)
            let frame = TopFrame(previous: previous, current: current)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                print(String(decoding: try encoder.encode(frame), as: UTF8.self))
                return
            }
            guard live else {
                print(frame.render(colour: false), terminator: "")
                return
            }
            // Home, clear the screen, then the frame: one write, so the view does not flicker.
            let title = "clusterbox top   every \(format(interval)) s   \(Self.clockTime())   (Ctrl-C to quit)\n\n"
            print("\u{1B}[H\u{1B}[2J" + title + frame.render(colour: Terminal.colour), terminator: "")
            fflush(nil)  // all C streams: print writes to stdout through them
            previous = current
        }
    }

    private func sample(_ client: HTTPClient) throws -> TopSample {
        TopSample(state: try client.json(MesosState.self, "/master/state"))
    }

    private static func clockTime() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: Date())
    }
}
