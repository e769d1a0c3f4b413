import ArgumentParser
import BoxAgent
import BoxServer
import Foundation

/// `clusterbox agent stop NAME` and `clusterbox agent start NAME`: lose an agent on purpose and bring it back.
struct AgentControl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Stop an agent as if it crashed, or start it again.",
        discussion: """
            A stopped agent's tasks are killed and it stops heartbeating; the master is not told. It marks the \
            agent unreachable once it has missed heartbeats for the agent timeout (up --agent-timeout) and removes \
            it later; frameworks move its work elsewhere (Kubernetes: the Node goes NotReady and its pods are \
            evicted after --pod-eviction-timeout). A started agent registers again.
            """,
        subcommands: [Stop.self, Start.self])

    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Stop an agent: kill its tasks and stop its heartbeats, as a crash would.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The agent: its hostname (agent-2) or its id.")
        var name: String

        func run() throws {
            let status = try AgentControl.post(cluster, name, "stop")
            print("\(status.name) stopped: its tasks are killed and it no longer heartbeats.")
            print("The master marks it unreachable once the agent timeout passes; watch: clusterbox agents")
            print("Bring it back with: clusterbox agent start \(status.name)")
        }
    }

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Start a stopped agent: it registers again.")

        @OptionGroup var cluster: ClusterOptions

        @Argument(help: "The agent: its hostname (agent-2) or its id.")
        var name: String

        func run() throws {
            let status = try AgentControl.post(cluster, name, "start")
            print("\(status.name) started: registered as \(status.agentID ?? "-")")
        }
    }

    /// POSTs the action and returns the agent's status, or throws the server's message (unknown agent, 409).
    static func post(_ cluster: ClusterOptions, _ name: String, _ action: String) throws
        -> AgentService.ControlStatus
    {
        let (_, client) = try cluster.connect()
        let escaped =
            name.addingPercentEncoding(
                withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? name
        let response = try client.request("POST", "/clusterbox/v1/agents/\(escaped)/\(action)")
        guard response.status == 200 else { throw CLIError(response.errorMessage) }
        return try response.decode(AgentService.ControlStatus.self)
    }
}
