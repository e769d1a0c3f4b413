import BoxCore
import BoxMarathon
import BoxMaster
import Foundation
import NIOCore
import Synchronization

/// One page's live feed (`/dashboard/v1/events`): a snapshot first, then at most one frame per 100 ms with what
/// changed, so that 10,000 task updates a second reach the page as ten frames, not 10,000. The first event after a
/// quiet spell is sent at once (the feed sleeps until an event wakes it), later ones wait for the next 100 ms.
///
/// The rows (agents, frameworks, tasks, apps, Kubernetes trees, services) are level-triggered: each frame compares
/// the cluster's current state with what this page was last sent (`DashboardDiff`), so an event the broadcast
/// dropped under load cannot leave the page stale. Events say which agents and tasks changed (a frame reads only
/// those), and give the timeline and the offers stream their lines (those may drop under load, and a frame says
/// how many did); every 5 s all agents and tasks are compared. Marathon is read after a Marathon event (at most
/// every 500 ms) and every second, Kubernetes, services and Kubernetes events every second.
final class DashboardFeed: Sendable {
    static let interval = Duration.milliseconds(100)
    /// Kubernetes, services and Marathon are read this often, changed or not (they have no events here).
    static let fullInterval = Duration.seconds(1)
    /// Every this many of those, every agent and task is compared too, in case the broadcast dropped an event
    /// (10,000 tasks take a while in a debug build, and frames wait behind it).
    static let fullMasterEvery = 5
    /// Rows named by events kept for one frame; beyond this the frame compares everything.
    static let touchedLimit = 5000
    /// Marathon's apps are read at most this often (each read copies every app task).
    static let appsInterval = Duration.milliseconds(500)
    /// Lines of the timeline and of the offers stream per frame; older ones in a busy frame are counted, not sent.
    static let linesPerFrame = 200

    /// What the event listeners gathered since the last frame. The `Mutex` guards it.
    struct Pending: Sendable {
        var timeline: [TimelineNarrator.Sentence] = []
        var offers: [DashboardDelta.OfferLine] = []
        var dropped = 0
        var firstEvent: Double?
        var masterChanged = false
        /// Agents and tasks master events named: a frame between full comparisons looks at these only.
        var touchedAgents: Set<AgentID> = []
        var touchedTasks: Set<TaskRef> = []
        /// Too many touched to keep: compare everything.
        var overflow = false
        var marathonChanged = false
        var names = TimelineNarrator.Names()
        var ended = false
        /// A full comparison is due (set once a second).
        var fullDue = false
        /// The feed's loop, asleep until there is work.
        var waiter: CheckedContinuation<Void, Never>?

        var hasWork: Bool {
            masterChanged || marathonChanged || !timeline.isEmpty || !offers.isEmpty || fullDue || ended
        }

        /// Takes the gathered work, leaving the names and the end flag.
        mutating func take() -> Pending {
            let taken = self
            self = Pending(names: names, ended: ended)
            return taken
        }

        /// The sleeping loop to wake, taken out so it is resumed outside the lock.
        mutating func takeWaiter() -> CheckedContinuation<Void, Never>? {
            defer { waiter = nil }
            return waiter
        }
    }

    private let cluster: Cluster
    private let pending = Mutex(Pending())

    init(cluster: Cluster) { self.cluster = cluster }

    /// Yields the frames of one connection into `sink` until the cluster stops, the task is cancelled (the page
    /// went away), or the sink is full (a page that does not read; it reconnects and gets a fresh snapshot).
    func run(into sink: AsyncStream<ByteBuffer>.Continuation) async {
        // Subscribed before the snapshot, so nothing happens between the two that the frames miss.
        let masterEvents = cluster.master.events.subscribe()
        let marathonEvents = cluster.marathon.events.subscribe()
        let snapshot = await DashboardSnapshot.current(cluster)
        var diff = DashboardDiff(snapshot)
        var kubeSeen = Set(await DashboardSnapshot.kubeEvents(cluster.kube).map(\.key))
        pending.withLock { $0.names = Self.names(snapshot.frameworks, snapshot.agents) }
        guard Self.send(Self.frame("snapshot", snapshot), to: sink) else { return sink.finish() }
        await withDiscardingTaskGroup { group in
            group.addTask {
                for await event in masterEvents { self.record(event) }
                self.wake { $0.ended = true }
            }
            group.addTask {
                for await event in marathonEvents { self.record(event) }
            }
            group.addTask {
                while (try? await Task.sleep(for: Self.fullInterval)) != nil { self.wake { $0.fullDue = true } }
            }
            let clock = ContinuousClock()
            var lastFrame = clock.now
            var appsPending = false
            var appsRead = clock.now
            var fullPasses = 0
            while !Task.isCancelled, !cluster.shutdown.hasBegun {
                // At most one frame per interval; then sleep until there is something to send.
                guard (try? await Task.sleep(until: lastFrame + Self.interval, clock: clock)) != nil else { break }
                await waitForWork()
                let taken = pending.withLock { $0.take() }
                if taken.ended || Task.isCancelled { break }
                lastFrame = clock.now
                if taken.fullDue { fullPasses += 1 }
                let delta = await nextDelta(
                    taken, full: taken.fullDue, compareAll: taken.fullDue && fullPasses % Self.fullMasterEvery == 0,
                    diff: &diff, kubeSeen: &kubeSeen, appsPending: &appsPending,
                    appsRead: &appsRead)
                guard let delta else { continue }
                guard Self.send(Self.frame("delta", delta), to: sink) else { break }
            }
            group.cancelAll()
        }
        sink.finish()
    }

    /// The frame after `taken`, or nil when nothing changed.
    private func nextDelta(
        _ taken: Pending, full: Bool, compareAll: Bool, diff: inout DashboardDiff, kubeSeen: inout Set<String>,
        appsPending: inout Bool, appsRead: inout ContinuousClock.Instant
    ) async -> DashboardDelta? {
        var delta = DashboardDelta(time: cluster.clock.now.secondsSinceEpoch)
        delta.first_event = taken.firstEvent
        if taken.masterChanged || compareAll {
            let core = await cluster.master.snapshot()
            let total = DashboardSnapshot.vector(core.clusterTotal)
            if compareAll || taken.overflow {
                // Level-triggered: everything against what the page was sent (events may have been dropped).
                let (frameworks, agents, tasks) = DashboardSnapshot.resources(of: core)
                diff.resources(total: total, frameworks: frameworks, agents: agents, tasks: tasks, into: &delta)
            } else {
                let rows = DashboardSnapshot.rows(of: core, agents: taken.touchedAgents, tasks: taken.touchedTasks)
                diff.rows(
                    total: total, frameworks: rows.frameworks, agents: rows.agents, tasks: rows.tasks,
                    gone: rows.gone, into: &delta)
            }
            // Names change with the frameworks and with the agents (which change the total).
            if delta.frameworks != nil || delta.total != nil {
                let names = diff.names()
                pending.withLock { $0.names = names }
            }
        }
        var extra: [TimelineNarrator.Sentence] = []
        if taken.marathonChanged { appsPending = true }
        if full || (appsPending && ContinuousClock.now - appsRead >= Self.appsInterval) {
            appsPending = false
            appsRead = ContinuousClock.now
            let apps = await DashboardSnapshot.apps(cluster.marathon)
            var kube = diff.kube
            var services = diff.services
            if full {
                kube = await DashboardSnapshot.kube(cluster.kube)
                services = await DashboardSnapshot.services(cluster.discovery)
                extra += TimelineNarrator.sentences(services: diff.services, services, time: delta.time)
                for (key, sentence) in await DashboardSnapshot.kubeEvents(cluster.kube) where !kubeSeen.contains(key) {
                    kubeSeen.insert(key)
                    extra.append(sentence)
                }
            }
            diff.sections(apps: apps, kube: kube, services: services, into: &delta)
        }
        delta.timeline = Self.capped(taken.timeline + extra.sorted { $0.time < $1.time }, dropped: taken.dropped)
        delta.offers = Array(taken.offers.suffix(Self.linesPerFrame))
        return delta.isEmpty ? nil : delta
    }

    // MARK: - Waking

    /// Returns when there is work, at once if there is some already, or when the task is cancelled.
    private func waitForWork() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = pending.withLock { state in
                    // Cancellation is checked under the lock: the handler below takes the waiter under it too.
                    if state.hasWork || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        } onCancel: {
            pending.withLock { $0.takeWaiter() }?.resume()
        }
    }

    /// Changes the pending state and wakes the loop.
    private func wake(_ change: (inout Pending) -> Void) {
        pending.withLock { state in
            change(&state)
            return state.takeWaiter()
        }?.resume()
    }

    // MARK: - Events

    private func record(_ event: ClusterEvent) {
        wake { state in
            let sentence = TimelineNarrator.sentence(for: event, names: state.names)
            Self.append(sentence, to: &state)
            if let line = DashboardDelta.OfferLine.of(event, names: state.names) {
                state.offers.append(line)
                if state.offers.count > 2 * Self.linesPerFrame {
                    state.offers.removeFirst(state.offers.count - Self.linesPerFrame)
                }
            }
            state.masterChanged = true
            if let agent = event.agentID { state.touchedAgents.insert(agent) }
            if let task = event.taskID, let framework = event.frameworkID {
                state.touchedTasks.insert(TaskRef(framework, task))
            }
            if state.touchedTasks.count + state.touchedAgents.count > Self.touchedLimit {
                state.overflow = true
                state.touchedTasks.removeAll()
                state.touchedAgents.removeAll()
            }
            // Latency is measured for what the task rows show: launches and task updates.
            if [.launch, .taskUpdate, .taskError].contains(event.kind) {
                let time = event.time.secondsSinceEpoch
                state.firstEvent = min(state.firstEvent ?? time, time)
            }
        }
    }

    private func record(_ event: TimedEvent) {
        wake { state in
            state.marathonChanged = true
            if let sentence = TimelineNarrator.sentence(for: event.event, at: event.at) {
                Self.append(sentence, to: &state)
            }
        }
    }

    /// Keeps at most twice a frame's lines while gathering, counting what it lets go.
    private static func append(_ sentence: TimelineNarrator.Sentence, to state: inout Pending) {
        state.timeline.append(sentence)
        if state.timeline.count > 2 * linesPerFrame {
            let extra = state.timeline.count - linesPerFrame
            state.timeline.removeFirst(extra)
            state.dropped += extra
        }
    }

    // MARK: - Helpers

    static func capped(_ lines: [TimelineNarrator.Sentence], dropped: Int) -> [TimelineNarrator.Sentence] {
        let kept = Array(lines.suffix(linesPerFrame))
        let skipped = dropped + lines.count - kept.count
        guard skipped > 0, let first = kept.first else { return kept }
        return [TimelineNarrator.Sentence(time: first.time, component: "dashboard", text: "… \(skipped) more events")]
            + kept
    }

    static func names(_ frameworks: [DashboardSnapshot.Framework], _ agents: [DashboardSnapshot.Agent])
        -> TimelineNarrator.Names
    {
        TimelineNarrator.Names(
            frameworks: Dictionary(frameworks.map { ($0.id, $0.name) }, uniquingKeysWith: { _, last in last }),
            agents: Dictionary(agents.map { ($0.id, $0.hostname) }, uniquingKeysWith: { _, last in last }))
    }

    /// `event: NAME` and the value as one `data:` line.
    static func frame(_ name: String, _ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        var frame = ByteBuffer(string: "event: \(name)\ndata: ")
        frame.writeBytes((try? encoder.encode(value)) ?? Data("{}".utf8))
        frame.writeString("\n\n")
        return frame
    }

    /// False when the sink is full or gone.
    private static func send(_ frame: ByteBuffer, to sink: AsyncStream<ByteBuffer>.Continuation) -> Bool {
        switch sink.yield(frame) {
        case .enqueued: true
        case .dropped, .terminated: false
        @unknown default: false
        }
    }
}
