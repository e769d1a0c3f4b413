public import BoxCore

extension MarathonJSON {
    // MARK: - Deployments (§6.1)

    /// Client-strict keys `affectedApps affectedPods currentActions currentStep id steps totalSteps version`.
    /// `currentStep` is 1-based; a finished plan shows its last step.
    public static func deploymentJSON(_ deployment: Deployment) -> JSONValue {
        let total = deployment.steps.count
        return [
            "id": .string(deployment.id),
            "version": time(deployment.version),
            "affectedApps": .array(deployment.affectedApps.map { .string($0.description) }),
            "affectedPods": [],
            "steps": .array(deployment.steps.map(stepJSON)),
            // Readiness checks are accepted and ignored, so no action ever has results.
            "currentActions": .array(
                deployment.currentActions.map {
                    [
                        "action": .string($0.action.rawValue), "app": .string($0.app.description),
                        "readinessCheckResults": [],
                    ]
                }),
            "currentStep": .int(min(deployment.currentStep + 1, max(total, 1))),
            "totalSteps": .int(total),
        ]
    }

    /// `DeploymentResult`: what every deploying call answers (and `Marathon-Deployment-Id` repeats).
    public static func deploymentResultJSON(id: String, version: Instant) -> JSONValue {
        ["deploymentId": .string(id), "version": time(version)]
    }

    /// The `plan` of deployment events (§9.2): `id, version, original, target, steps`, each step
    /// `{"actions": [{action, app}]}` — the full form, since the client crashes on Marathon's light plans. The
    /// group states hold the affected apps only (all a `Deployment` knows), nested under `/`; `target` has the
    /// deployment's version and `original` the newest version among the apps it replaces (the deployment's own
    /// when it replaces none).
    public static func planJSON(_ deployment: Deployment) -> JSONValue {
        let originalVersion = deployment.original.map(\.version).max() ?? deployment.version
        return [
            "id": .string(deployment.id),
            "version": time(deployment.version),
            "original": groupJSON(apps: deployment.original, version: originalVersion),
            "target": groupJSON(apps: deployment.target, version: deployment.version),
            "steps": .array(deployment.steps.map(stepJSON)),
        ]
    }

    static func stepJSON(_ step: [Deployment.StepAction]) -> JSONValue {
        ["actions": .array(step.map { ["action": .string($0.action.rawValue), "app": .string($0.app.description)] })]
    }

    // MARK: - Groups (§7)

    /// The group `id` with the apps under it nested into the groups their ids imply (`/prod/web` → group
    /// `/prod`), sorted by id. Exactly the keys `id apps groups pods dependencies version`. `groups` adds groups
    /// without apps (created empty by `POST /v2/groups`). Every nested group shows `version`: clusterbox keeps one
    /// version for the whole tree, as the root group's. Group dependencies are not kept, so always `[]`.
    /// `app` renders each app (by default its definition; pass `appJSON` with embeds for `embed=group.apps.tasks`).
    public static func groupJSON(
        _ id: PathID = .root, apps: [App], groups: [PathID] = [], version: Instant,
        app render: (App) -> JSONValue = { MarathonJSON.appJSON($0) }
    ) -> JSONValue {
        let inside = apps.filter { id.isPrefix(of: $0.id) && $0.id != id }
        let depth = id.segments.count
        var children = Set(
            inside.filter { $0.id.segments.count > depth + 1 }.map {
                PathID(segments: Array($0.id.segments.prefix(depth + 1)))
            })
        for group in groups where id.isPrefix(of: group) && group.segments.count > depth {
            children.insert(PathID(segments: Array(group.segments.prefix(depth + 1))))
        }
        let direct = inside.filter { $0.id.parent == id }.sorted { $0.id < $1.id }
        return [
            "id": .string(id.description),
            "apps": .array(direct.map(render)),
            "groups": .array(
                children.sorted().map { groupJSON($0, apps: inside, groups: groups, version: version, app: render) }),
            "pods": [],
            "dependencies": [],
            "version": time(version),
        ]
    }

    /// `{"versions": [...]}`, newest first as Marathon lists them.
    public static func versionsJSON(_ versions: [Instant]) -> JSONValue {
        ["versions": .array(versions.sorted(by: >).map(time))]
    }
}
