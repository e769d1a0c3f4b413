public import BoxAgent
import Foundation
import Hummingbird

/// `GET /clusterbox/v1/agents` (each agent's lifecycle as the cluster runs it, which the master may not know
/// yet), and `POST /clusterbox/v1/agents/{name}/stop` and `…/start`: lose an agent and bring it back.
struct AgentRoutes {
    let cluster: Cluster

    func add(to router: Router<ClusterRequestContext>) {
        router.get("/clusterbox/v1/agents") { _, _ in
            JSON.response(AgentsView(agents: await cluster.agentStatuses()))
        }
        router.post("/clusterbox/v1/agents/{name}/stop") { _, context in
            let agent = try await find(try context.parameters.require("name"))
            do throws(AgentService.ControlError) { try await agent.stop() } catch { throw Self.apiError(error) }
            return JSON.response(await agent.controlStatus)
        }
        router.post("/clusterbox/v1/agents/{name}/start") { _, context in
            let agent = try await find(try context.parameters.require("name"))
            do throws(AgentService.ControlError) { try await agent.start() } catch { throw Self.apiError(error) }
            return JSON.response(await agent.controlStatus)
        }
    }

    /// The agent, or a 404 that lists the agents there are.
    private func find(_ name: String) async throws -> AgentService {
        guard let agent = await cluster.agent(named: name) else {
            let names = cluster.agents.map(\.name).joined(separator: ", ")
            throw APIError(.notFound, "no agent named '\(name)'; the agents are \(names.isEmpty ? "none" : names)")
        }
        return agent
    }

    /// Stopping a stopped agent, starting a running one: 409 Conflict; during shutdown: 503.
    static func apiError(_ error: AgentService.ControlError) -> APIError {
        switch error {
        case .shuttingDown: APIError(.serviceUnavailable, error.description)
        default: APIError(.conflict, error.description)
        }
    }
}

/// The body of `GET /clusterbox/v1/agents`.
public struct AgentsView: Codable, Sendable {
    public var agents: [AgentService.ControlStatus]
}
