import BoxCore
import BoxStore
import Foundation

/// Marathon's state in the store: one object per app (its declared definition), per stored version, per
/// deployment in progress and per task. Keys use the app id with `_` between segments, which segments never
/// contain.
extension MarathonService {
    static func key(_ id: PathID) -> String { id.safeName }
    static func key(_ id: PathID, _ version: Instant) -> String { "\(id.safeName):\(version.nanosecondsSinceEpoch)" }

    func persist(_ changes: MarathonScheduler.Changes) async {
        guard !changes.isEmpty else { return }
        let encoder = JSONEncoder()
        for id in changes.apps {
            if let app = scheduler.apps[id] { await put(Self.appKind, Self.key(id), app, encoder) }
        }
        for (id, version) in changes.versions {
            if let app = scheduler.versions[id]?[version] {
                await put(Self.versionKind, Self.key(id, version), app, encoder)
            }
        }
        for id in changes.deployments {
            if let deployment = scheduler.deployments[id] { await put(Self.deploymentKind, id, deployment, encoder) }
        }
        for id in changes.tasks {
            if let task = scheduler.task(id) { await put(Self.taskKind, id.value, task, encoder) }
        }
        for id in changes.removedApps { await remove(Self.appKind, Self.key(id)) }
        for (id, version) in changes.removedVersions { await remove(Self.versionKind, Self.key(id, version)) }
        for id in changes.removedDeployments { await remove(Self.deploymentKind, id) }
        for id in changes.removedTasks { await remove(Self.taskKind, id.value) }
    }

    private func put(_ kind: String, _ name: String, _ value: some Encodable, _ encoder: JSONEncoder) async {
        guard let data = try? encoder.encode(value) else { return }
        do {
            try await store.put(ObjectKey(kind: kind, name: name), value: Array(data))
        } catch {
            logger.warning("Could not store \(kind) \(name): \(error)")
        }
    }

    private func remove(_ kind: String, _ name: String) async {
        do {
            _ = try await store.delete(ObjectKey(kind: kind, name: name), expectedRevision: nil)
        } catch .notFound {
        } catch {
            logger.warning("Could not delete \(kind) \(name): \(error)")
        }
    }

    func restore() async {
        func load<T: Decodable>(_ kind: String, as type: T.Type) async -> [T] {
            guard
                let (objects, _) = try? await store.list(
                    kind: kind, namespace: "", namePrefix: "", selector: .everything)
            else { return [] }
            return objects.compactMap { object in
                do {
                    return try JSONDecoder().decode(T.self, from: Data(object.value))
                } catch {
                    logger.warning("Ignoring stored \(kind) \(object.key.name) that cannot be read: \(error)")
                    return nil
                }
            }
        }
        let apps = await load(Self.appKind, as: App.self)
        let versions = await load(Self.versionKind, as: App.self)
        let deployments = await load(Self.deploymentKind, as: Deployment.self)
        let tasks = await load(Self.taskKind, as: AppTask.self)
        scheduler.restore(apps: apps, versions: versions, deployments: deployments, tasks: tasks)
        if !apps.isEmpty {
            logger.info(
                "Restored \(apps.count) apps, \(deployments.count) deployments; reconciling \(tasks.count) tasks")
        }
    }
}
