import BoxCore
import BoxKube
import BoxStore
import Logging
import Testing

/// Server-side apply with field ownership: FieldsV1 sets, removal of fields a manager stopped applying, conflicts
/// with other managers (409 with causes), `force`, and the `Update` entries of other writes.
@Suite struct ServerSideApplyTests {
    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    /// A Deployment manifest with label `extra` (when given), one env var per name and the containers named.
    func manifest(
        replicas: Int? = 2, extraLabel: Bool = true, env: [String] = ["A", "B"], sidecar: Bool = true
    ) throws -> JSONValue {
        var labels: [String: JSONValue] = ["app": "web"]
        if extraLabel { labels["extra"] = "yes" }
        var containers: [JSONValue] = [
            [
                "name": "main", "image": "host", "command": ["sleep", "3600"],
                "env": .array(env.map { ["name": .string($0), "value": "1"] }),
                "ports": [["containerPort": 80]],
            ]
        ]
        if sidecar { containers.append(["name": "side", "image": "host"]) }
        var spec: [String: JSONValue] = [
            "selector": ["matchLabels": ["app": "web"]],
            "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": .array(containers)]],
        ]
        if let replicas { spec["replicas"] = .int(replicas) }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "labels": .object(labels)], "spec": .object(spec),
        ]
    }

    func apply(
        _ manifest: JSONValue, onto live: JSONValue, manager: String = "kubectl", force: Bool = false,
        time: String = "2026-11-27T10:00:00Z"
    ) throws(KubeError) -> JSONValue {
        try KubePatch.serverSideApply(
            manifest, onto: live, type: .deployment, manager: manager, time: time, force: force)
    }

    func entry(_ object: JSONValue, _ manager: String, _ operation: String = "Apply") -> JSONValue? {
        object[path: ["metadata", "managedFields"]]?.arrayValue?.first {
            $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation
        }
    }

    func containers(_ object: JSONValue) -> [JSONValue] {
        object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []
    }

    // MARK: Field sets

    @Test func setsFromManifestsUseTheFieldsV1Form() throws {
        let set = FieldSet.applied(try manifest(env: ["A"], sidecar: false), type: .deployment)
        let expected = try json(
            """
            {"f:metadata":{"f:labels":{"f:app":{},"f:extra":{}}},
             "f:spec":{"f:replicas":{},"f:selector":{"f:matchLabels":{"f:app":{}}},
              "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{
               "k:{\\"name\\":\\"main\\"}":{".":{},"f:command":{},"f:env":{"k:{\\"name\\":\\"A\\"}":{".":{},"f:name":{},"f:value":{}}},
                "f:image":{},"f:name":{},
                "f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}}}
            """)
        #expect(set.fieldsV1 == expected)
        // The document reads back to the same set.
        #expect(try FieldSet(fieldsV1: set.fieldsV1) == set)
        // `command` is an atomic list: one leaf, not one member per word.
        #expect(set.members.contains { FieldSet.describe($0).hasSuffix(".command") })
        #expect(
            set.members.map(FieldSet.describe).contains(
                ".spec.template.spec.containers[name=\"main\"].ports[containerPort=80,protocol=\"TCP\"]"))
    }

    @Test func finalizersAreSetLikeAndServerFieldsAreIgnored() throws {
        let object = try json(
            """
            {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"d","uid":"u",
             "resourceVersion":"5","finalizers":["a/b"],"annotations":{}},"data":{"k":"v","n":null}}
            """)
        let set = FieldSet.applied(object, type: .configMap)
        #expect(
            set.fieldsV1
                == (try json(
                    #"{"f:metadata":{"f:annotations":{},"f:finalizers":{"v:\"a/b\"":{}}},"f:data":{"f:k":{}}}"#)))
        // Status of a kind with a status subresource is nobody's to apply.
        let deployment = try json(#"{"spec":{"replicas":1},"status":{"replicas":1}}"#)
        #expect(
            FieldSet.applied(deployment, type: .deployment).fieldsV1 == (try json(#"{"f:spec":{"f:replicas":{}}}"#)))
    }

    @Test func setAlgebra() throws {
        let a = try FieldSet(fieldsV1: try json(#"{"f:a":{"f:b":{},"f:c":{}},"f:d":{}}"#))
        let b = try FieldSet(fieldsV1: try json(#"{"f:a":{"f:c":{}},"f:e":{}}"#))
        #expect(a.union(b).fieldsV1 == (try json(#"{"f:a":{"f:b":{},"f:c":{}},"f:d":{},"f:e":{}}"#)))
        #expect(a.subtracting(b).fieldsV1 == (try json(#"{"f:a":{"f:b":{}},"f:d":{}}"#)))
        #expect(a.intersection(b).fieldsV1 == (try json(#"{"f:a":{"f:c":{}}}"#)))
        #expect(a.subtracting(a).isEmpty)
        // A member with children keeps its ".".
        let item = try FieldSet(fieldsV1: try json(#"{"k:{\"name\":\"x\"}":{".":{},"f:name":{}}}"#))
        #expect(item.contains([#"k:{"name":"x"}"#]))
        #expect(item.fieldsV1 == (try json(#"{"k:{\"name\":\"x\"}":{".":{},"f:name":{}}}"#)))
    }

    @Test func badFieldsV1IsRejected() throws {
        for bad in [
            #"{"x:foo":{}}"#, #"{"f:a":1}"#, #"{".":{"f:a":{}}}"#, #"[]"#, #"{"k:notjson":{}}"#, #"{"i:x":{}}"#,
        ] {
            let error = #expect(throws: KubeError.self) { try FieldSet(fieldsV1: try json(bad)) }
            #expect(error?.code == 400, "\(bad)")
        }
    }

    // MARK: Apply

    @Test func reapplyRemovesWhatTheManagerDropped() throws {
        let first = try apply(try manifest(), onto: .object([:]))
        #expect(first.labels == ["app": "web", "extra": "yes"])
        #expect(containers(first).count == 2)
        #expect(entry(first, "kubectl")?["fieldsType"] == "FieldsV1")

        let second = try apply(try manifest(replicas: 3, extraLabel: false, env: ["A"], sidecar: false), onto: first)
        #expect(second.labels == ["app": "web"])
        #expect(second[path: ["spec", "replicas"]] == 3)
        #expect(containers(second).map { $0["name"] } == ["main"])
        #expect(containers(second).first?["env"]?.arrayValue?.map { $0["name"] } == ["A"])
        // The entry now holds the new manifest's set exactly.
        let fields = try FieldSet(fieldsV1: entry(second, "kubectl")?["fieldsV1"] ?? .null)
        #expect(
            fields
                == FieldSet.applied(
                    try manifest(replicas: 3, extraLabel: false, env: ["A"], sidecar: false), type: .deployment))

        // Dropping replicas from the manifest removes the field (nobody else owns it).
        let third = try apply(try manifest(replicas: nil, extraLabel: false, env: ["A"], sidecar: false), onto: second)
        #expect(third[path: ["spec", "replicas"]] == nil)
    }

    @Test func fieldsAnotherManagerOwnsSurviveTheirRemoval() throws {
        let first = try apply(try manifest(), onto: .object([:]))
        // Another manager applies the same label value: shared, no conflict.
        let shared = try apply(
            try json(
                #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"extra":"yes"}}}"#),
            onto: first, manager: "labeller")
        #expect(entry(shared, "labeller") != nil)
        let dropped = try apply(try manifest(extraLabel: false), onto: shared)
        #expect(dropped.labels == ["app": "web", "extra": "yes"])
        #expect(dropped[path: ["metadata", "managedFields"]]?.arrayValue?.count == 2)
    }

    @Test func conflictsNameEveryFieldAndManager() throws {
        let first = try apply(try manifest(), onto: .object([:]))
        let other = try json(
            """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"extra":"no"}},
             "spec":{"replicas":5}}
            """)
        let error = #expect(throws: KubeError.self) { try apply(other, onto: first, manager: "ops") }
        #expect(error?.code == 409)
        #expect(error?.reason == "Conflict")
        #expect(
            error?.message
                == "Apply failed with 2 conflicts: conflicts with \"kubectl\" using apps/v1:\n- .metadata.labels.extra\n- .spec.replicas"
        )
        #expect(
            error?.causes == [
                KubeError.Cause(
                    reason: "FieldManagerConflict", message: "conflict with \"kubectl\" using apps/v1",
                    field: ".metadata.labels.extra"),
                KubeError.Cause(
                    reason: "FieldManagerConflict", message: "conflict with \"kubectl\" using apps/v1",
                    field: ".spec.replicas"),
            ])
        let status = error?.status
        #expect(status?[path: ["details", "causes"]]?.arrayValue?.count == 2)

        // force: ops takes both fields; kubectl keeps the rest.
        let forced = try apply(other, onto: first, manager: "ops", force: true)
        #expect(forced[path: ["spec", "replicas"]] == 5)
        #expect(forced.labels["extra"] == "no")
        let kubectl = try FieldSet(fieldsV1: entry(forced, "kubectl")?["fieldsV1"] ?? .null)
        #expect(!kubectl.contains(["f:spec", "f:replicas"]))
        #expect(!kubectl.contains(["f:metadata", "f:labels", "f:extra"]))
        #expect(kubectl.contains(["f:metadata", "f:labels", "f:app"]))
        // kubectl re-applying replicas 2 now conflicts with ops.
        let back = #expect(throws: KubeError.self) { try apply(try manifest(), onto: forced) }
        #expect(
            back?.message
                == "Apply failed with 2 conflicts: conflicts with \"ops\" using apps/v1:\n- .metadata.labels.extra\n- .spec.replicas"
        )
    }

    @Test func oneConflictMessage() throws {
        let first = try apply(try manifest(), onto: .object([:]))
        let error = #expect(throws: KubeError.self) {
            try apply(
                try json(
                    #"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":4}}"#),
                onto: first, manager: "kubectl-scale")
        }
        #expect(
            error?.message == "Apply failed with 1 conflict: conflict with \"kubectl\" using apps/v1: .spec.replicas")
    }

    /// A field another manager owned but a managerless write removed is nobody's: applying it is no conflict.
    @Test func ownersOfVanishedFieldsDoNotConflict() throws {
        var live = try apply(try manifest(), onto: .object([:]))
        let ghost = ManagedFieldsEntry(
            manager: "ghost", operation: "Update", apiVersion: "apps/v1", time: "2026-11-27T09:00:00Z",
            fields: try FieldSet(fieldsV1: try json(#"{"f:spec":{"f:paused":{}}}"#)))
        var entries = live[path: ["metadata", "managedFields"]]?.arrayValue ?? []
        entries.append(ghost.json)
        live.set(["metadata", "managedFields"], .array(entries))
        var paused = try manifest()
        paused.set(["spec", "paused"], true)
        let applied = try apply(paused, onto: live)
        #expect(applied[path: ["spec", "paused"]] == true)
        #expect(entry(applied, "ghost", "Update") == nil)
    }

    @Test func identicalReapplyChangesNothing() throws {
        let first = try apply(try manifest(), onto: .object([:]))
        #expect(try apply(try manifest(), onto: first, time: "2026-11-27T11:00:00Z") == first)
    }

    // MARK: Through the API

    func makeAPI() async throws -> KubeAPI {
        let api = KubeAPI(
            store: InMemoryStore(), clock: ManualClock(), admission: AdmitAll(), logger: Logger(label: "test"))
        try await api.bootstrap()
        return api
    }

    @discardableResult
    func patch(
        _ api: KubeAPI, _ body: JSONValue, manager: String = "kubectl", type: PatchType = .apply, force: Bool = false
    ) async throws(KubeError) -> JSONValue {
        try await api.patch(
            .deployment, namespace: "default", name: "web", patchType: type, body: Array(body.text.utf8),
            fieldManager: manager, force: force
        ).object
    }

    @Test func updatesRecordOwnershipAndApplyConflictsWithThem() async throws {
        let api = try await makeAPI()
        let created = try await patch(api, try manifest())
        // Identical re-apply: no new resourceVersion.
        #expect(try await patch(api, try manifest()).resourceVersion == created.resourceVersion)

        // A scale by another manager (an update, as the /scale route does it).
        var scaled = created
        scaled.set(["spec", "replicas"], 5)
        let afterScale = try await api.update(
            .deployment, namespace: "default", name: "web", scaled, fieldManager: "kubectl-scale")
        let scaleEntry = entry(afterScale, "kubectl-scale", "Update")
        #expect(scaleEntry?["fieldsV1"] == (try json(#"{"f:spec":{"f:replicas":{}}}"#)))
        // The field left the applier's set.
        let mine = try FieldSet(fieldsV1: entry(afterScale, "kubectl")?["fieldsV1"] ?? .null)
        #expect(!mine.contains(["f:spec", "f:replicas"]))

        // Re-applying replicas 2 conflicts; nothing stored changes.
        let error = await #expect(throws: KubeError.self) { try await patch(api, try manifest(replicas: 3)) }
        #expect(error?.code == 409)
        #expect(
            error?.causes == [
                KubeError.Cause(
                    reason: "FieldManagerConflict", message: "conflict with \"kubectl-scale\" using apps/v1",
                    field: ".spec.replicas")
            ])
        let stored = try await api.get(.deployment, namespace: "default", name: "web")
        #expect(stored == afterScale)

        // The same value is shared; force takes the field over.
        let shared = try await patch(api, try manifest(replicas: 5))
        #expect(entry(shared, "kubectl-scale", "Update") != nil)
        let forced = try await patch(api, try manifest(replicas: 3), force: true)
        #expect(forced[path: ["spec", "replicas"]] == 3)
        #expect(entry(forced, "kubectl-scale", "Update") == nil)

        // What `kubectl scale` does: a write through /scale, manager from the User-Agent, its own entry.
        var viaScale = forced
        viaScale.set(["spec", "replicas"], 7)
        let afterScaleSubresource = try await api.update(
            .deployment, namespace: "default", name: "web", viaScale, fieldManager: "kubectl", fieldSubresource: "scale"
        )
        #expect(entry(afterScaleSubresource, "kubectl", "Update")?["subresource"] == "scale")
        let viaScaleConflict = await #expect(throws: KubeError.self) { try await patch(api, try manifest(replicas: 3)) }
        #expect(
            viaScaleConflict?.message
                == "Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: .spec.replicas"
        )
    }

    @Test func mergePatchAndCreateRecordUpdates() async throws {
        let api = try await makeAPI()
        let created = try await api.create(
            .deployment, namespace: "default", try manifest(), fieldManager: "kubectl-create")
        let createEntry = try FieldSet(fieldsV1: entry(created, "kubectl-create", "Update")?["fieldsV1"] ?? .null)
        #expect(createEntry.contains(["f:metadata", "f:labels", "f:extra"]))
        #expect(createEntry.contains(["f:metadata", "f:labels"]))
        let labelled = try await patch(
            api, try json(#"{"metadata":{"labels":{"team":"a"}}}"#), manager: "kubectl-label", type: .merge)
        #expect(
            entry(labelled, "kubectl-label", "Update")?["fieldsV1"]
                == (try json(#"{"f:metadata":{"f:labels":{"f:team":{}}}}"#)))
        // Removing a label with a merge patch takes it out of the creator's set too.
        let unlabelled = try await patch(
            api, try json(#"{"metadata":{"labels":{"extra":null}}}"#), manager: "kubectl-label", type: .merge)
        let after = try FieldSet(fieldsV1: entry(unlabelled, "kubectl-create", "Update")?["fieldsV1"] ?? .null)
        #expect(!after.contains(["f:metadata", "f:labels", "f:extra"]))
        // A write without any manager still works and records nothing new.
        let plain = try await api.patch(
            .deployment, namespace: "default", name: "web", patchType: .merge,
            body: Array(#"{"metadata":{"annotations":{"n":"1"}}}"#.utf8)
        ).object
        #expect(plain[path: ["metadata", "managedFields"]]?.arrayValue?.count == 2)
    }

    /// The Python client sends managedFields back with `+00:00` times: an otherwise unchanged PUT stores nothing.
    @Test func unchangedUpdateWithRewrittenTimesStoresNothing() async throws {
        let api = try await makeAPI()
        let created = try await api.create(
            .deployment, namespace: "default", try manifest(), fieldManager: "kubectl-create")
        var sentEntry = try #require(entry(created, "kubectl-create", "Update"))
        let time = try #require(sentEntry["time"]?.stringValue)
        #expect(time.hasSuffix("Z"))
        sentEntry.set(["time"], .string(String(time.dropLast()) + "+00:00"))
        var sent = created
        sent.set(["metadata", "managedFields"], [sentEntry])
        let updated = try await api.update(
            .deployment, namespace: "default", name: "web", sent, fieldManager: "OpenAPI-Generator")
        #expect(updated.resourceVersion == created.resourceVersion)
        #expect(updated == created)
    }

    /// kubectl's switch from client-side to server-side apply (reference §4.6): create by
    /// kubectl-client-side-apply, a JSON patch that rewrites managedFields under a resourceVersion precondition,
    /// then the apply, which then owns (and may drop) what the client-side apply set.
    @Test func clientSideToServerSideSwitch() async throws {
        let api = try await makeAPI()
        let created = try await api.create(
            .deployment, namespace: "default", try manifest(), fieldManager: "kubectl-client-side-apply")
        var rewritten = try #require(entry(created, "kubectl-client-side-apply", "Update"))
        rewritten.set(["manager"], "kubectl")
        rewritten.set(["operation"], "Apply")
        let jsonPatch: JSONValue = [
            ["op": "replace", "path": "/metadata/managedFields", "value": [rewritten]],
            ["op": "replace", "path": "/metadata/resourceVersion", "value": .string(created.resourceVersion)],
        ]
        let switched = try await patch(api, jsonPatch, type: .json)
        #expect(switched[path: ["metadata", "managedFields"]] == [rewritten])
        let applied = try await patch(api, try manifest(extraLabel: false, sidecar: false))
        #expect(applied.labels == ["app": "web"])
        #expect(containers(applied).count == 1)
        #expect(applied[path: ["metadata", "managedFields"]]?.arrayValue?.count == 1)

        // A stale resourceVersion in the rewrite is a 409; junk managedFields a 400; nothing stored changes.
        let stale = await #expect(throws: KubeError.self) { try await patch(api, jsonPatch, type: .json) }
        #expect(stale?.code == 409)
        let junk: JSONValue = [
            ["op": "replace", "path": "/metadata/managedFields", "value": [["manager": "x", "operation": "Nope"]]]
        ]
        let bad = await #expect(throws: KubeError.self) { try await patch(api, junk, type: .json) }
        #expect(bad?.code == 400)
        #expect(try await api.get(.deployment, namespace: "default", name: "web") == applied)
    }

    @Test func applyNeedsAManagerAndAnObject() async throws {
        let api = try await makeAPI()
        let missing = await #expect(throws: KubeError.self) { try await patch(api, try manifest(), manager: "") }
        #expect(missing?.code == 400)
        let notObject = await #expect(throws: KubeError.self) { try await patch(api, ["a"]) }
        #expect(notObject?.code == 400)
        await #expect(throws: KubeError.self) { try await api.get(.deployment, namespace: "default", name: "web") }
    }

    @Test func managerFromUserAgent() {
        #expect(ManagedFields.manager(fieldManager: "m", userAgent: "kubectl/v1") == "m")
        #expect(
            ManagedFields.manager(fieldManager: nil, userAgent: "kubectl/v1.37.1 (linux/amd64) kubernetes/abc")
                == "kubectl")
        #expect(ManagedFields.manager(fieldManager: "", userAgent: nil) == "")
    }
}
