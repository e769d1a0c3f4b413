// The in-process counterpart of scheduler_api.py: the same framework logic, the same task shape and the same
// 1,000 simulated agents as `clusterbox up --agents 0 --simulated 1000`, but the framework reaches the master
// through `InProcessSchedulerTransport` (actor calls) instead of HTTP. Prints one JSON object (see
// scheduler-api.sh, which runs it beside the HTTP framework and prints the ratios).
//
//     swift run -c release --scratch-path .build-bench SchedulerPath [--paced-seconds 10] [--greedy-seconds 15] …
import BoxAgent
import BoxCore
import BoxMaster
import Foundation
import Logging

/// Shared with scheduler_api.py: change both together.
struct Parameters: Sendable {
    var agents = 1_000
    var pacedSeconds = 10.0
    var greedySeconds = 15.0
    var warmupSeconds = 2.0
    var cpus = 0.5
    var memMiB = 128
    var taskSeconds = 0.1
    var pacedPerEvent = 2
    var greedyPerEvent = 400
    var perOffer = 2
    var declineRefuseSeconds = 5.0
    var drainSeconds = 30.0

    init(_ arguments: [String]) {
        var index = 0
        func value() -> String {
            index += 1
            guard index < arguments.count else { fatalError("\(arguments[index - 1]) needs a value") }
            return arguments[index]
        }
        while index < arguments.count {
            switch arguments[index] {
            case "--agents": agents = Int(value())!
            case "--paced-seconds": pacedSeconds = Double(value())!
            case "--greedy-seconds": greedySeconds = Double(value())!
            case "--warmup-seconds": warmupSeconds = Double(value())!
            case "--cpus": cpus = Double(value())!
            case "--mem": memMiB = Int(value())!
            case "--task-seconds": taskSeconds = Double(value())!
            case "--paced-per-event": pacedPerEvent = Int(value())!
            case "--greedy-per-event": greedyPerEvent = Int(value())!
            case "--per-offer": perOffer = Int(value())!
            case "--decline-refuse-seconds": declineRefuseSeconds = Double(value())!
            case "--drain-seconds": drainSeconds = Double(value())!
            default: fatalError("unknown option \(arguments[index])")
            }
            index += 1
        }
    }
}

/// Seconds since the run started, on the monotonic clock.
struct Stopwatch: Sendable {
    let start = ContinuousClock.now
    var now: Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}

enum Phase: String, Sendable { case paced, greedy, done }

/// One launched task's timestamps (seconds on the stopwatch): its offer's event reached the framework, the ACCEPT
/// call started, the ACCEPT call returned, TASK_RUNNING reached the framework.
struct TaskRecord: Sendable {
    var phase: Phase
    var offer: Double
    var send: Double
    var sent = 0.0
    var running: Double?
}

/// The framework, with exactly the decisions of scheduler_api.py's `Framework`.
actor ChurnFramework {
    let parameters: Parameters
    let transport: InProcessSchedulerTransport
    let clock: Stopwatch
    var id: FrameworkID?
    var records: [TaskID: TaskRecord] = [:]
    var order: [TaskID] = []
    var launched = 0
    var revived = false
    var stopped = false
    var phaseStarts: [Phase: Double] = [:]
    var offerEvents: [Phase: Int] = [:]
    var offersReceived: [Phase: Int] = [:]
    var updates = 0

    init(parameters: Parameters, transport: InProcessSchedulerTransport, clock: Stopwatch) {
        self.parameters = parameters
        self.transport = transport
        self.clock = clock
    }

    func phase(at time: Double) -> Phase {
        if time < parameters.pacedSeconds { return .paced }
        if time < parameters.pacedSeconds + parameters.greedySeconds { return .greedy }
        return .done
    }

    func run() async {
        let info = FrameworkInfo(name: "scheduler-path-inprocess")
        let stream = await transport.subscribe(info)
        for await event in stream {
            switch event {
            case .subscribed(let frameworkID, _): id = frameworkID
            case .offers(let offers): await answer(offers, at: clock.now)
            case .update(let status):
                updates += 1
                if status.state == .running, records[status.taskID] != nil, records[status.taskID]!.running == nil {
                    records[status.taskID]!.running = clock.now
                }
                if let uuid = status.uuid, let agentID = status.agentID, let id {
                    await transport.send(.acknowledge(agentID: agentID, taskID: status.taskID, uuid: uuid), from: id)
                }
            default: break
            }
        }
    }

    private func answer(_ offers: [Offer], at received: Double) async {
        guard let id else { return }
        let phase = phase(at: received)
        if phase == .greedy, !revived {
            revived = true  // the paced phase's declines filtered most agents for a while: clear them
            phaseStarts[.greedy] = received
            await transport.send(.revive, from: id)
        }
        if phase == .done {
            if !stopped {
                stopped = true
                await transport.send(.suppress, from: id)
            }
            await transport.send(
                .decline(offerIDs: offers.map(\.id), filters: Filters(refuseSeconds: 3600)), from: id)
            return
        }
        if phaseStarts[phase] == nil { phaseStarts[phase] = received }
        offerEvents[phase, default: 0] += 1
        offersReceived[phase, default: 0] += offers.count
        // At most this many tasks per OFFERS event, perOffer on each offer, in the order offered.
        var budget = phase == .paced ? parameters.pacedPerEvent : parameters.greedyPerEvent
        let perOffer = parameters.perOffer
        let shape = Resources(cpus: parameters.cpus, memoryMiB: parameters.memMiB)
        var accepts: [(Offer, [TaskInfo])] = []
        var declines: [OfferID] = []
        for offer in offers {
            var left = offer.resources
            var tasks: [TaskInfo] = []
            while budget > 0, tasks.count < perOffer, left.contains(shape) {
                launched += 1
                budget -= 1
                let taskID = TaskID("bench-\(launched)")
                tasks.append(
                    TaskInfo(
                        taskID: taskID, name: taskID.value, agentID: offer.agentID, resources: shape,
                        command: CommandInfo(value: "true"),
                        labels: [SimulatedTasks.durationLabel: "\(parameters.taskSeconds)"]))
                left -= shape
            }
            if tasks.isEmpty { declines.append(offer.id) } else { accepts.append((offer, tasks)) }
        }
        for (offer, tasks) in accepts {
            let send = clock.now
            for task in tasks {
                records[task.taskID] = TaskRecord(phase: phase, offer: received, send: send)
                order.append(task.taskID)
            }
            await transport.send(
                .accept(offerIDs: [offer.id], operations: [.launch(tasks)], filters: Filters(refuseSeconds: 0)),
                from: id)
            let sent = clock.now
            for task in tasks { records[task.taskID]!.sent = sent }
        }
        if !declines.isEmpty {
            await transport.send(
                .decline(offerIDs: declines, filters: Filters(refuseSeconds: parameters.declineRefuseSeconds)), from: id)
        }
    }

    var waitingForRunning: Int { records.values.count(where: { $0.running == nil }) }

    func summary(processCPUSeconds: [Phase: Double]) -> [String: Any] {
        var phases: [String: Any] = [:]
        for phase in [Phase.paced, .greedy] {
            let start = phaseStarts[phase] ?? (phase == .paced ? 0 : parameters.pacedSeconds)
            let end = phase == .paced ? parameters.pacedSeconds : parameters.pacedSeconds + parameters.greedySeconds
            let from = start + parameters.warmupSeconds
            let inWindow = order.compactMap { records[$0] }.filter { $0.phase == phase && $0.offer >= from && $0.offer < end }
            let measured = inWindow.filter { $0.running != nil }
            let runningInWindow = records.values.filter { r in r.running.map { $0 >= from && $0 < end } ?? false }.count
            phases[phase.rawValue] = [
                "window_seconds": end - from,
                "tasks_launched": inWindow.count,
                "tasks_running_seen": measured.count,
                "launches_per_second": Double(runningInWindow) / (end - from),
                "offer_to_running_ms": percentiles(measured.map { ($0.running! - $0.offer) * 1000 }),
                "offer_to_accept_ms": percentiles(measured.map { ($0.send - $0.offer) * 1000 }),
                "accept_call_ms": percentiles(measured.map { ($0.sent - $0.send) * 1000 }),
                "accept_to_running_ms": percentiles(measured.map { ($0.running! - $0.send) * 1000 }),
                "framework_cpu_seconds": processCPUSeconds[phase] ?? 0,
                "offer_events": offerEvents[phase] ?? 0,
                "offers": offersReceived[phase] ?? 0,
            ] as [String: Any]
        }
        return ["path": "in-process", "phases": phases, "updates": updates, "launched": launched]
    }
}

/// p50, p99 and the count, by nearest rank (the same rule as scheduler_api.py).
func percentiles(_ values: [Double]) -> [String: Any] {
    guard !values.isEmpty else { return ["n": 0] }
    let sorted = values.sorted()
    func rank(_ p: Double) -> Double { sorted[min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))] }
    return ["n": sorted.count, "p50": rank(50), "p99": rank(99), "max": sorted.last!]
}

/// This process's user + system CPU seconds so far.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
        + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

let parameters = Parameters(Array(CommandLine.arguments.dropFirst()))
let quiet = Logger(label: "scheduler-path", factory: { _ in SwiftLogNoOpLogHandler() })
let systemClock = SystemClock()
// As the daemon's Cluster builds them: default master timings and 20 ms ticks; agents of 8 CPUs, 16 GiB, 100 GB
// disk, ports 31000-32000, attribute kind=simulated, executor seeds 1, 2, ….
let master = MasterService(config: MasterConfig(masterID: "bench"), clock: systemClock, logger: quiet)
let masterTask = Task { await master.run() }
let uplink = InProcessAgentUplink(master: master)
var agentTasks: [Task<Void, Never>] = []
for index in 0..<parameters.agents {
    let executor = SimulatedExecutor(seed: 1 &+ UInt64(index), clock: systemClock)
    var resources = Resources(cpus: 8, memoryMiB: 16_384, diskMiB: 100_000)
    resources.ports = PortRanges([31000...32000])
    let agent = AgentService(
        name: "sim-\(index + 1)", resources: resources, attributes: ["kind": "simulated"], executor: executor,
        uplink: uplink, clock: systemClock, logger: quiet)
    agentTasks.append(Task { await agent.run() })
}
let registrationDeadline = ContinuousClock.now + .seconds(60)
while await master.snapshot().agents.count < parameters.agents {
    guard ContinuousClock.now < registrationDeadline else { fatalError("the agents did not register within 60 s") }
    try await Task.sleep(for: .milliseconds(20))
}

let stopwatch = Stopwatch()
let framework = ChurnFramework(
    parameters: parameters, transport: InProcessSchedulerTransport(master: master), clock: stopwatch)
let frameworkTask = Task { await framework.run() }
var cpu: [Phase: Double] = [:]
let cpuAtStart = processCPUSeconds()
try await Task.sleep(until: stopwatch.start + .milliseconds(Int64(parameters.pacedSeconds * 1000)))
let cpuAtSwitch = processCPUSeconds()

cpu[.paced] = cpuAtSwitch - cpuAtStart
try await Task.sleep(
    until: stopwatch.start + .milliseconds(Int64((parameters.pacedSeconds + parameters.greedySeconds) * 1000)))
cpu[.greedy] = processCPUSeconds() - cpuAtSwitch
// The tasks launched near the end: wait (bounded) for their TASK_RUNNING.
let drainDeadline = ContinuousClock.now + .milliseconds(Int64(parameters.drainSeconds * 1000))
while await framework.waitingForRunning > 0, ContinuousClock.now < drainDeadline {
    try await Task.sleep(for: .milliseconds(50))
}
let summary = await framework.summary(processCPUSeconds: cpu)
masterTask.cancel()
await masterTask.value
await frameworkTask.value
for task in agentTasks { task.cancel() }
for task in agentTasks { await task.value }
let data = try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys])
print(String(decoding: data, as: UTF8.self))
