public import BoxCore

extension MasterCore {
    // MARK: - Agent status updates

    /// An agent reports a task's new state. The master records it, frees the task's resources when the state is
    /// terminal, and forwards it to the framework, resending until acknowledged. Updates for tasks of a removed
    /// framework free resources and go no further; updates for tasks the master never launched make it kill them.
    public mutating func statusUpdate(
        _ status: TaskStatus, frameworkID: FrameworkID, from agentID: AgentID, now: Instant
    ) -> [MasterEffect] {
        var effects: [MasterEffect] = []
        let ref = TaskRef(frameworkID, status.taskID)
        guard let entry = tasks[ref], entry.info.agentID == agentID else {
            if !status.state.isTerminal {
                effects.append(.agent(agentID, .kill(status.taskID, frameworkID: frameworkID)))
            }
            return effects
        }
        if entry.state.isTerminal { return effects }  // a late duplicate after a master-made terminal state
        var update = status
        update.agentID = agentID
        if update.uuid == nil {
            update.uuid = StatusUUID(
                "\(agentID)-\(status.taskID)-\(status.state.rawValue)-\(status.timestamp.nanosecondsSinceEpoch)")
        }
        record(update, for: ref, forward: true, now: now, into: &effects)
        return effects
    }

    /// Applies `status` to a tracked task: state, resources, forwarding, completion.
    mutating func record(
        _ status: TaskStatus, for ref: TaskRef, forward: Bool, now: Instant, into effects: inout [MasterEffect]
    ) {
        guard var entry = tasks.removeValue(forKey: ref) else { return }
        let becameTerminal = status.state.isTerminal && !entry.state.isTerminal
        entry.state = status.state
        entry.latest = status
        if becameTerminal { release(entry, ref) }
        let deliver = forward && frameworks[ref.frameworkID] != nil
        if deliver && status.uuid != nil {
            entry.unacknowledged.append(status)
            if entry.unacknowledged.count == 1 {
                entry.retryInterval = config.statusRetryInterval
                entry.nextRetry = now + config.statusRetryInterval
                noteRetry(at: entry.nextRetry!)
                awaitingAcknowledgement.insert(ref)
                send(status, to: ref.frameworkID, into: &effects)
            }
        } else if deliver {
            send(status, to: ref.frameworkID, into: &effects)
        }
        tasks[ref] = entry
        effects.append(
            observe(
                ClusterEvent(
                    .taskUpdate, time: now, frameworkID: ref.frameworkID, agentID: entry.info.agentID,
                    taskID: ref.taskID, state: status.state, message: status.message ?? "")))
        if entry.state.isTerminal && entry.unacknowledged.isEmpty { complete(ref) }
        if becameTerminal, status.state != .finished, let group = entry.info.group {
            killGroup(group, of: ref.frameworkID, except: ref.taskID, into: &effects)
        }
    }

    /// The other live tasks of a task group: a group dies together.
    func groupMates(_ group: TaskID, of framework: FrameworkID, except taskID: TaskID) -> [TaskEntry] {
        guard let tasks = frameworks[framework]?.tasks else { return [] }
        return tasks.sorted().compactMap { self.tasks[TaskRef(framework, $0)] }.filter {
            $0.info.group == group && $0.info.taskID != taskID && !$0.state.isTerminal
        }
    }

    mutating func killGroup(_ group: TaskID, of framework: FrameworkID, except taskID: TaskID, into effects: inout [MasterEffect]) {
        for mate in groupMates(group, of: framework, except: taskID) where agents[mate.info.agentID]?.isActive == true {
            effects.append(.agent(mate.info.agentID, .kill(mate.info.taskID, frameworkID: framework)))
        }
    }

    /// A task reached a terminal state: its resources return to the agent and leave the framework's share.
    private mutating func release(_ entry: TaskEntry, _ ref: TaskRef) {
        let resources = entry.info.resources
        // In place: copying an entry out and back would copy its sets on every finished task.
        if agents[entry.info.agentID] != nil {
            agents[entry.info.agentID]!.used -= resources
            agents[entry.info.agentID]!.tasks.remove(ref)
        }
        if frameworks[ref.frameworkID] != nil {
            frameworks[ref.frameworkID]!.used -= resources.scalars
            frameworks[ref.frameworkID]!.allocated -= resources.scalars
        }
        allocationPending = true
    }

    /// A terminal task whose updates were all acknowledged moves to its framework's completed tasks.
    mutating func complete(_ ref: TaskRef) {
        guard let entry = tasks.removeValue(forKey: ref) else { return }
        awaitingAcknowledgement.remove(ref)
        guard frameworks[ref.frameworkID] != nil else { return }
        frameworks[ref.frameworkID]!.tasks.remove(ref.taskID)
        frameworks[ref.frameworkID]!.completedTasks.append(entry)
        if frameworks[ref.frameworkID]!.completedTasks.count > config.completedTasksPerFramework {
            frameworks[ref.frameworkID]!.completedTasks.removeFirst()
        }
    }

    func send(_ status: TaskStatus, to framework: FrameworkID, into effects: inout [MasterEffect]) {
        guard frameworks[framework]?.connected == true else { return }
        effects.append(.send(framework, .update(status)))
    }

    // MARK: - Acknowledgements and retries

    mutating func acknowledge(
        _ ref: TaskRef, uuid: StatusUUID, now: Instant, into effects: inout [MasterEffect]
    ) {
        guard tasks[ref]?.unacknowledged.first?.uuid == uuid, var entry = tasks.removeValue(forKey: ref) else { return }
        entry.unacknowledged.removeFirst()
        if let next = entry.unacknowledged.first {
            entry.retryInterval = config.statusRetryInterval
            entry.nextRetry = now + config.statusRetryInterval
            noteRetry(at: entry.nextRetry!)
            send(next, to: ref.frameworkID, into: &effects)
        } else {
            entry.nextRetry = nil
            awaitingAcknowledgement.remove(ref)
        }
        tasks[ref] = entry
        if entry.state.isTerminal && entry.unacknowledged.isEmpty { complete(ref) }
    }

    /// Resends the oldest unacknowledged update of each task whose retry time came, doubling the interval.
    /// It runs every tick, so it returns at once until `earliestRetry`: it used to sort every awaiting task and
    /// copy its entry on every tick, which with a framework that acknowledges slowly (thousands awaiting) took a
    /// third of the master's time (Benchmarks/README.md).
    mutating func resendUpdates(now: Instant, into effects: inout [MasterEffect]) {
        guard let earliest = earliestRetry, earliest <= now else { return }
        var next: Instant?
        var due: [TaskRef] = []
        for ref in awaitingAcknowledgement {
            guard let retry = tasks[ref]?.nextRetry else { continue }
            if retry <= now { due.append(ref) } else { next = min(next ?? retry, retry) }
        }
        for ref in due.sorted() {
            guard var entry = tasks[ref], let head = entry.unacknowledged.first,
                frameworks[ref.frameworkID]?.connected == true
            else {
                if let retry = tasks[ref]?.nextRetry { next = min(next ?? retry, retry) }  // still due next tick
                continue
            }
            entry.retryInterval = min(entry.retryInterval * 2, config.statusRetryMax)
            entry.nextRetry = now + entry.retryInterval
            next = min(next ?? entry.nextRetry!, entry.nextRetry!)
            tasks[ref] = entry
            counters.statusUpdatesResent += 1
            send(head, to: ref.frameworkID, into: &effects)
        }
        earliestRetry = next
    }

    /// Keeps `earliestRetry` at or before every awaiting task's `nextRetry`.
    mutating func noteRetry(at time: Instant) {
        earliestRetry = min(earliestRetry ?? time, time)
    }

    // MARK: - Kill and reconcile

    mutating func kill(
        _ taskID: TaskID, of frameworkID: FrameworkID, now: Instant, into effects: inout [MasterEffect]
    ) {
        let ref = TaskRef(frameworkID, taskID)
        guard let entry = tasks[ref], !entry.state.isTerminal else {
            let status = TaskStatus(
                taskID: taskID, state: unknownState(for: frameworkID), message: "Cannot kill: task is unknown",
                source: .master, reason: .taskUnknown, timestamp: now)
            send(status, to: frameworkID, into: &effects)
            return
        }
        if agents[entry.info.agentID]?.isActive == true {
            effects.append(.agent(entry.info.agentID, .kill(taskID, frameworkID: frameworkID)))
            if let group = entry.info.group { killGroup(group, of: frameworkID, except: taskID, into: &effects) }
        } else {
            var status = entry.latest
            status.uuid = nil
            status.source = .master
            status.message = "Agent \(entry.info.agentID) is unreachable; the kill waits for it to return"
            send(status, to: frameworkID, into: &effects)
        }
    }

    /// Answers with the latest state of the listed tasks (TASK_UNKNOWN/TASK_LOST for tasks the master does not
    /// know), or of all the framework's tasks when the list is empty. Answers carry no uuid.
    mutating func reconcile(
        _ taskIDs: [TaskID], of frameworkID: FrameworkID, now: Instant, into effects: inout [MasterEffect]
    ) {
        guard let framework = frameworks[frameworkID] else { return }
        let ids = taskIDs.isEmpty ? framework.tasks.sorted() : taskIDs
        for taskID in ids {
            let ref = TaskRef(frameworkID, taskID)
            var status: TaskStatus
            if let entry = tasks[ref] {
                status = entry.latest
                status.state = entry.state
            } else if let done = framework.completedTasks.last(where: { $0.info.taskID == taskID }) {
                status = done.latest
            } else {
                status = TaskStatus(taskID: taskID, state: unknownState(for: frameworkID), timestamp: now)
            }
            status.uuid = nil
            status.source = .master
            status.reason = .reconciliation
            status.timestamp = now
            send(status, to: frameworkID, into: &effects)
        }
    }

    func unknownState(for framework: FrameworkID) -> TaskState {
        (frameworks[framework]?.info.partitionAware ?? true) ? .unknown : .lost
    }
}
