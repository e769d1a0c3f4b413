import ArgumentParser
import Dispatch
import NIOCore
import NIOPosix

struct Clusterbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterbox",
        abstract: "A local cluster in a box: a Mesos-style master with DRF offers, agents and frameworks.",
        version: "0.1.0",
        subcommands: [
            Up.self, Down.self, Status.self, Agents.self, Frameworks.self, Shares.self, Offers.self, Run.self,
            Job.self, AppCommand.self, Logs.self, Role.self, Sim.self,
        ])
}

@main
enum Main {
    /// The daemon (`up --foreground`) runs Swift concurrency's jobs on NIO's event loop threads: a request then
    /// goes from the socket to its handler and back without waking a thread of another pool on each hop, which
    /// is most of an HTTP scheduler call's latency on a small machine. This must happen on the main thread before
    /// the command starts, so `main` is synchronous and services the main queue itself.
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "up" && arguments.contains("--foreground") {
            _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        }
        Task {
            await Clusterbox.main()
            exit(0)
        }
        dispatchMain()
    }
}
