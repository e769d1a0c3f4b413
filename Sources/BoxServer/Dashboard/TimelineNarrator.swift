public import BoxCore
import BoxKube
public import BoxMarathon
public import BoxMaster
import Foundation

/// Turns what happens in the cluster into the sentences of the dashboard's timeline: "the master offered sim-2
/// ⟨2 cpus, 1 GiB⟩ to marathon", "marathon launched web.3 on sim-2", "the replicaset controller created pod
/// web-7f9c".
///
/// Pure: each input (a master event, a Marathon event, a Kubernetes Event object, two lists of services) gives
/// its sentences with the component that acted, and nothing else is read. Components: `master`, a framework's
/// name (`marathon`, `batch`, or a third-party one), `scheduler` (the Kubernetes scheduler, a framework of the
/// master), `kubernetes/<controller>`, `discovery`.
public enum TimelineNarrator {
    public struct Sentence: Codable, Sendable, Equatable {
        /// Seconds since the epoch.
        public var time: Double
        public var component: String
        public var text: String

        public init(time: Double, component: String, text: String) {
            self.time = time
            self.component = component
            self.text = text
        }
    }

    /// How to call frameworks and agents by name (ids are long).
    public struct Names: Sendable, Equatable {
        public var frameworks: [String: String]
        public var agents: [String: String]

        public init(frameworks: [String: String] = [:], agents: [String: String] = [:]) {
            self.frameworks = frameworks
            self.agents = agents
        }

        func framework(_ id: FrameworkID?) -> String { id.map { frameworks[$0.value] ?? $0.value } ?? "a framework" }
        func agent(_ id: AgentID?) -> String { id.map { agents[$0.value] ?? $0.value } ?? "an agent" }
    }

    // MARK: - Master

    /// The sentence of one master event. Offers, declines and rescinds are the master's; launches and accepts are
    /// the framework's (the Kubernetes one is told as `scheduler`); task updates are the agent's report, told by
    /// the master.
    public static func sentence(for event: ClusterEvent, names: Names) -> Sentence {
        let framework = names.framework(event.frameworkID)
        let agent = names.agent(event.agentID)
        let resources = event.resources.map { " ⟨\(describe($0))⟩" } ?? ""
        let time = event.time.secondsSinceEpoch
        func say(_ component: String, _ text: String) -> Sentence {
            Sentence(time: time, component: component, text: text)
        }
        let task = event.taskID?.value ?? "a task"
        switch event.kind {
        case .offer:
            return say("master", "the master offered \(agent)\(resources) to \(framework)")
        case .decline:
            let refusing = refuseSeconds(in: event.message).map { " for \($0) s" } ?? ""
            return say(component(of: framework), "\(framework) declined \(agent)\(resources)\(refusing)")
        case .rescind:
            return say("master", "the master rescinded the offer of \(agent) to \(framework)" + reason(event.message))
        case .accept:
            let launched = event.message.components(separatedBy: ": ").dropFirst().joined(separator: ": ")
            return say(
                component(of: framework),
                "\(framework) accepted \(agent)\(resources)" + (launched.isEmpty ? "" : ": \(launched)"))
        case .launch:
            return say(component(of: framework), "\(framework) launched \(task) on \(agent)\(resources)")
        case .taskUpdate:
            let state = event.state.map(stateWord) ?? "updated"
            let detail = event.message.isEmpty ? "" : " (\(event.message))"
            return say("master", "\(task) of \(framework) is \(state) on \(agent)\(detail)")
        case .taskError:
            return say("master", "the master refused \(task) of \(framework): \(event.message)")
        case .agentAdded:
            return say("master", "\(agent) joined\(resources)")
        case .agentUnreachable:
            return say("master", "\(agent) is unreachable" + reason(event.message))
        case .agentRemoved:
            return say("master", "\(agent) was removed")
        case .agentReregistered:
            return say("master", "\(agent) registered again")
        case .frameworkAdded:
            return say("master", "\(framework) subscribed")
        case .frameworkRemoved:
            return say("master", "\(framework) was removed" + reason(event.message))
        case .frameworkDisconnected:
            return say("master", "\(framework) disconnected")
        }
    }

    /// `scheduler` for the Kubernetes framework, else the framework's own name.
    static func component(of framework: String) -> String { framework == "kubernetes" ? "scheduler" : framework }

    /// "TASK_RUNNING" → "running".
    static func stateWord(_ state: TaskState) -> String {
        String(state.rawValue.dropFirst("TASK_".count)).lowercased().replacingOccurrences(of: "_", with: " ")
    }

    /// The refusal in "declined, refusing sim-1 for 5 s".
    static func refuseSeconds(in message: String) -> String? {
        guard let range = message.range(of: " for ", options: .backwards), message.hasSuffix(" s") else { return nil }
        return String(message[range.upperBound...].dropLast(2))
    }

    private static func reason(_ message: String) -> String {
        guard let colon = message.firstIndex(of: ":") else { return message.isEmpty ? "" : " (\(message))" }
        let rest = message[message.index(after: colon)...].trimmingPrefix(" ")
        return rest.isEmpty ? "" : " (\(rest))"
    }

    /// "2 cpus, 1 GiB" (and disk, GPUs and ports when there are any): resources as a person says them.
    public static func describe(_ r: Resources) -> String {
        var parts = ["\(number(r.cpus)) \(r.milliCPUs == 1000 ? "cpu" : "cpus")", mebibytes(r.memoryMiB)]
        if r.diskMiB > 0 { parts.append(mebibytes(r.diskMiB) + " disk") }
        if r.gpus > 0 { parts.append("\(r.gpus) \(r.gpus == 1 ? "gpu" : "gpus")") }
        if !r.ports.isEmpty { parts.append("\(r.ports.count) \(r.ports.count == 1 ? "port" : "ports")") }
        return parts.joined(separator: ", ")
    }

    static func mebibytes(_ value: Int) -> String {
        value >= 1024 && value % 1024 == 0
            ? "\(value / 1024) GiB"
            : value >= 1024 ? "\(number(Double(value) / 1024)) GiB" : "\(value) MiB"
    }

    static func number(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        let hundredths = (value * 100).rounded() / 100
        var text = String(hundredths)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    // MARK: - Marathon

    /// The sentence of a Marathon event, or nil for events the master's own sentences already tell (status
    /// updates) or that say nothing new (API posts, group changes).
    public static func sentence(for event: MarathonEvent, at time: Instant) -> Sentence? {
        func say(_ text: String) -> Sentence {
            Sentence(time: time.secondsSinceEpoch, component: "marathon", text: text)
        }
        switch event {
        case .deploymentInfo(let deployment):
            let step = deployment.currentActions.map { describe($0) }
            return say(
                "marathon deployment \(deployment.id.prefix(8)): step \(deployment.currentStep + 1) of "
                    + "\(deployment.steps.count)" + (step.isEmpty ? "" : ", " + step.joined(separator: ", ")))
        case .deploymentSuccess(let deployment):
            let apps = deployment.affectedApps.map(\.description).joined(separator: ", ")
            return say("marathon finished deploying \(apps)")
        case .deploymentFailed(let deployment, let reason):
            let apps = deployment.affectedApps.map(\.description).joined(separator: ", ")
            return say("marathon failed to deploy \(apps): \(reason)")
        case .healthStatusChanged(let task, let alive):
            return say("\(task.id) of \(task.appID) is \(alive ? "healthy" : "unhealthy")")
        case .unhealthyInstanceKill(let task, let reason):
            return say("marathon killed unhealthy \(task.id) of \(task.appID): \(reason)")
        case .appTerminated(let id):
            return say("marathon removed app \(id)")
        case .apiPost, .groupChangeSuccess, .deploymentStepSuccess, .statusUpdate, .instanceChanged,
            .failedHealthCheck:
            return nil
        }
    }

    /// "scale /web" for a `ScaleApplication` step.
    static func describe(_ action: Deployment.StepAction) -> String {
        action.action.rawValue.replacingOccurrences(of: "Application", with: "").lowercased() + " \(action.app)"
    }

    // MARK: - Kubernetes

    /// The sentence of a core/v1 Event object: "the replicaset controller created pod: web-7f9c (replicaset
    /// web-5d8)", component
    /// `kubernetes/replicaset-controller`. Nil for an object that is not an Event.
    public static func sentence(forKubeEvent event: JSONValue, time: Double) -> Sentence? {
        guard let reason = event["reason"]?.stringValue else { return nil }
        let source =
            event[path: ["source", "component"]]?.stringValue ?? event["reportingComponent"]?.stringValue
            ?? "kubernetes"
        let kind = event[path: ["involvedObject", "kind"]]?.stringValue ?? ""
        let name = event[path: ["involvedObject", "name"]]?.stringValue ?? ""
        let message = event["message"]?.stringValue ?? reason
        let actor = source.replacingOccurrences(of: "-", with: " ")
        let subject = kind.isEmpty ? name : "\(kind.lowercased()) \(name)"
        let warning = event["type"]?.stringValue == "Warning" ? "warning: " : ""
        let said = message.prefix(1).lowercased() + message.dropFirst()
        // The Kubernetes scheduler's events (binding pods to nodes) are the scheduler's, like its launches.
        let component = source == "default-scheduler" ? "scheduler" : "kubernetes/\(source)"
        return Sentence(
            time: time, component: component,
            text: "the \(actor) \(warning)\(said)" + (subject.isEmpty ? "" : " (\(subject))"))
    }

    // MARK: - Discovery

    /// Sentences for what changed between two lists of services: a service appeared or went, or its endpoints
    /// changed. Sorted by name.
    public static func sentences(
        services old: [DashboardSnapshot.Service], _ new: [DashboardSnapshot.Service], time: Double
    ) -> [Sentence] {
        func key(_ service: DashboardSnapshot.Service) -> String { "\(service.name) \(service.vip):\(service.port)" }
        let before = Dictionary(old.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        let after = Dictionary(new.map { (key($0), $0) }, uniquingKeysWith: { first, _ in first })
        var out: [Sentence] = []
        for name in Set(before.keys).union(after.keys).sorted() {
            let text: String
            switch (before[name], after[name]) {
            case (nil, let added?):
                text = "discovery added \(added.dns) → \(added.vip):\(added.port) with \(count(added.endpoints))"
            case (let removed?, nil):
                text = "discovery removed \(removed.dns) (\(removed.vip):\(removed.port))"
            case (let was?, let now?) where was.endpoints.sorted() != now.endpoints.sorted():
                text = "discovery: \(now.dns) now has \(count(now.endpoints))"
            default:
                continue
            }
            out.append(Sentence(time: time, component: "discovery", text: text))
        }
        return out
    }

    private static func count(_ endpoints: [String]) -> String {
        endpoints.count == 1 ? "1 endpoint" : "\(endpoints.count) endpoints"
    }
}
