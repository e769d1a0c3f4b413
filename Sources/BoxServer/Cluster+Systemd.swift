import BoxRuntime
import Logging

/// The cluster as a systemd `Type=notify` service (runtime.md §3.4): each progress line becomes the unit's
/// `STATUS=`, `READY=1` goes out once the APIs listen and every agent and framework has registered (the moment
/// `clusterbox up` prints "ready"), `STOPPING=1` when graceful shutdown begins, and `WATCHDOG=1` pings run until
/// the last service has stopped. Without `NOTIFY_SOCKET` all of it is a no-op.
extension Cluster {
    /// Sends through `notifier`, logging a failure: systemd's view of the cluster must never stop the cluster.
    static func notify(
        _ notifier: ServiceNotifier, logger: Logger, _ send: (ServiceNotifier) throws(NotifyError) -> Void
    ) {
        do { try send(notifier) } catch { logger.warning("systemd notification failed: \(error)") }
    }

    /// Called by the readiness watcher once, after the "ready" progress line.
    func notifyReady() {
        let status =
            "ready: \(agents.count) agents, master \(config.masterURL), marathon \(config.marathonURL)"
        Self.notify(notifier, logger: logger) { notifier throws(NotifyError) in try notifier.ready(status: status) }
    }

    /// The line `clusterbox up` prints about systemd, or nil when not run as a notify service.
    var systemdProgressLine: String? {
        guard let address = notifier.settings.address else { return nil }
        let watchdog = notifier.settings.watchdogPingInterval.map { "watchdog ping every \($0)" } ?? "no watchdog"
        return "systemd    notify socket \(address), \(watchdog)"
    }

    /// First in the service group, so last to stop: pings go on while the other services shut down, which can
    /// take a while (every task is stopped with a grace period).
    func watchdogService() -> Runner {
        Runner("systemd-watchdog") { [notifier, logger] in
            await notifier.runWatchdog { error in logger.warning("systemd watchdog ping failed: \(error)") }
            // No watchdog: wait for shutdown all the same, since a service that returns stops the group.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
        }
    }

    /// Last in the service group, so first to stop: says STOPPING=1 as soon as graceful shutdown begins.
    func stoppingService() -> Runner {
        Runner("systemd-stopping") { [notifier, logger] in
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            Self.notify(notifier, logger: logger) { notifier throws(NotifyError) in
                try notifier.stopping(status: "stopping: killing tasks, closing the APIs")
            }
        }
    }
}
