import BoxCore
import BoxStore
import Logging

/// Marathon's state in the store: one record per app (its declared definition), per stored version, per
/// deployment in progress and per task. Keys use the app id with `_` between segments, which segments never
/// contain.
extension MarathonService {
    struct Records: Sendable {
        let apps: JSONRecords<App>
        let versions: JSONRecords<App>
        let deployments: JSONRecords<Deployment>
        let tasks: JSONRecords<AppTask>

        init(store: any ObjectStore, logger: Logger) {
            apps = JSONRecords(kind: MarathonService.appKind, store: store, logger: logger)
            versions = JSONRecords(kind: MarathonService.versionKind, store: store, logger: logger)
            deployments = JSONRecords(kind: MarathonService.deploymentKind, store: store, logger: logger)
            tasks = JSONRecords(kind: MarathonService.taskKind, store: store, logger: logger)
        }
    }

    static func key(_ id: PathID) -> String { id.safeName }
    static func key(_ id: PathID, _ version: Instant) -> String { "\(id.safeName):\(version.nanosecondsSinceEpoch)" }

    func persist(_ changes: MarathonScheduler.Changes) async {
        guard !changes.isEmpty else { return }
        for id in changes.apps {
            if let app = scheduler.apps[id] { await records.apps.put(app, name: Self.key(id)) }
        }
        for (id, version) in changes.versions {
            if let app = scheduler.versions[id]?[version] {
                await records.versions.put(app, name: Self.key(id, version))
            }
        }
        for id in changes.deployments {
            if let deployment = scheduler.deployments[id] { await records.deployments.put(deployment, name: id) }
        }
        for id in changes.tasks {
            if let task = scheduler.task(id) { await records.tasks.put(task, name: id.value) }
        }
        for id in changes.removedApps { await records.apps.remove(Self.key(id)) }
        for (id, version) in changes.removedVersions { await records.versions.remove(Self.key(id, version)) }
        for id in changes.removedDeployments { await records.deployments.remove(id) }
        for id in changes.removedTasks { await records.tasks.remove(id.value) }
    }

    func restore() async {
        let apps = await records.apps.loadAll()
        let deployments = await records.deployments.loadAll()
        let tasks = await records.tasks.loadAll()
        scheduler.restore(
            apps: apps, versions: await records.versions.loadAll(), deployments: deployments, tasks: tasks)
        if !apps.isEmpty {
            logger.info(
                "Restored \(apps.count) apps, \(deployments.count) deployments; reconciling \(tasks.count) tasks")
        }
    }
}
