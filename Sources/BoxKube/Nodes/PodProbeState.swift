import BoxCore

/// The probes of one running container (one launch: a new task starts afresh) and what their results mean, as the
/// kubelet's prober works: startup first, liveness and readiness only once it has succeeded; readiness fails
/// until its first success; a verdict changes only after `successThreshold` / `failureThreshold` results in a row.
/// Pure: time comes in as arguments and the caller carries out the returned action (status write, event, kill).
struct ContainerProbes: Hashable, Sendable {
    /// One probe's counters and schedule.
    struct Tracker: Hashable, Sendable {
        var probe: PodProbe
        /// The verdict after thresholds; nil until the first result decides it.
        var passing: Bool?
        var successes = 0
        var failures = 0
        var nextDue: Instant
        var inFlight = false
    }

    /// What the caller does after a result.
    enum Action: Hashable, Sendable {
        /// Nothing visible changed.
        case none
        /// `ready` or `started` changed: write the pod's status.
        case statusChanged
        /// The liveness or startup probe failed `failureThreshold` times in a row: kill the container (it restarts
        /// as the restart policy says). Probing stops.
        case kill
    }

    var taskID: TaskID
    var trackers: [PodProbe.Kind: Tracker] = [:]
    /// Set once a liveness/startup failure asked for a kill: nothing more is probed for this launch.
    var killed = false
    /// When the container last became ready through its probes (the Ready condition's transition time).
    var readyAt: Instant?

    /// Probes of a container that started running at `startedAt`; initial delays count from then.
    init(taskID: TaskID, probes: [PodProbe], startedAt: Instant) {
        self.taskID = taskID
        for probe in probes {
            trackers[probe.kind] = Tracker(probe: probe, nextDue: startedAt + probe.initialDelay)
        }
    }

    /// The startup probe has succeeded, or there is none.
    var started: Bool { trackers[.startup].map { $0.passing == true } ?? true }

    /// Started, and the readiness probe (if any) passes.
    var ready: Bool { started && !killed && (trackers[.readiness].map { $0.passing == true } ?? true) }

    /// The probes to run now, marked in flight (one run of each probe at a time).
    mutating func due(now: Instant) -> [PodProbe] {
        guard !killed else { return [] }
        var kinds: [PodProbe.Kind] = []
        if !started {
            kinds = [.startup]
        } else {
            kinds = [.liveness, .readiness]
        }
        var out: [PodProbe] = []
        for kind in kinds {
            guard var tracker = trackers[kind], !tracker.inFlight, tracker.nextDue <= now else { continue }
            tracker.inFlight = true
            trackers[kind] = tracker
            out.append(tracker.probe)
        }
        return out
    }

    /// Records a result of the probe `kind` finished at `now`.
    mutating func record(_ kind: PodProbe.Kind, success: Bool, now: Instant) -> Action {
        guard var tracker = trackers[kind], !killed else { return .none }
        let wasReady = ready
        let wasStarted = started
        tracker.inFlight = false
        tracker.nextDue = now + tracker.probe.period
        if success {
            tracker.successes += 1
            tracker.failures = 0
            if tracker.successes >= tracker.probe.successThreshold { tracker.passing = true }
        } else {
            tracker.failures += 1
            tracker.successes = 0
            if tracker.failures >= tracker.probe.failureThreshold { tracker.passing = false }
        }
        trackers[kind] = tracker
        if tracker.passing == false, kind == .liveness || kind == .startup {
            killed = true
            return .kill
        }
        if started && !wasStarted {
            // Liveness and readiness begin now; their initial delays have run since the container started.
            for other in [PodProbe.Kind.liveness, .readiness] {
                if var next = trackers[other] {
                    next.nextDue = max(next.nextDue, now)
                    trackers[other] = next
                }
            }
        }
        if ready && !wasReady { readyAt = now }
        return ready != wasReady || started != wasStarted ? .statusChanged : .none
    }
}
