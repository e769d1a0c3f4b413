import ArgumentParser

@main
struct Clusterbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clusterbox",
        abstract: "A local cluster in a box: a Mesos-style master with DRF offers, agents and frameworks.",
        version: "0.1.0",
        subcommands: [
            Up.self, Down.self, Status.self, Agents.self, AgentControl.self, Frameworks.self, Shares.self, Offers.self,
            Run.self,
            Job.self, AppCommand.self, Logs.self, Role.self, Sim.self, Services.self, ImageCommand.self, Top.self,
            KubeconfigCommand.self, KubectlCommand.self, Tour.self, Explain.self, Completion.self,
        ])
}
