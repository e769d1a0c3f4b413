import BoxCore
import BoxKube
import BoxStore
import Logging
import Testing

/// JSON patch, strategic merge patch (with the bodies kubectl really sends) and server-side apply's merge (field
/// ownership is in `ServerSideApplyTests`).
@Suite struct PatchTests {
    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    /// A live Deployment as the server holds it after `kubectl apply` of a two-env, one-port nginx.
    func liveDeployment() throws -> JSONValue {
        try json(
            """
            {"apiVersion":"apps/v1","kind":"Deployment",
             "metadata":{"name":"web","namespace":"default","finalizers":["a"],"annotations":{"x":"1"}},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
              "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
              "template":{"metadata":{"labels":{"app":"web"}},"spec":{
               "containers":[{"name":"nginx","image":"nginx:1.25","args":["a","b"],
                 "env":[{"name":"MODE","value":"blue"},{"name":"EXTRA","value":"1"}],
                 "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":53,"protocol":"UDP","name":"dns"}],
                 "volumeMounts":[{"mountPath":"/data","name":"data"}]}],
               "volumes":[{"name":"data","emptyDir":{}}]}}}}
            """)
    }

    func container(_ object: JSONValue, _ name: String) -> JSONValue? {
        object[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.first { $0["name"]?.stringValue == name }
    }

    // MARK: JSON patch

    @Test func jsonPatchOperations() throws {
        let object = try json(#"{"a":{"b":1,"c/d":2,"e~f":3},"list":[1,2,3]}"#)
        let patch = try json(
            """
            [{"op":"test","path":"/a/b","value":1},
             {"op":"add","path":"/list/-","value":4},
             {"op":"add","path":"/list/0","value":0},
             {"op":"replace","path":"/a/c~1d","value":20},
             {"op":"remove","path":"/a/e~0f"},
             {"op":"copy","from":"/a/b","path":"/copied"},
             {"op":"move","from":"/list/1","path":"/moved"},
             {"op":"add","path":"/a/new","value":{"x":null}}]
            """)
        let patched = try KubePatch.jsonPatch(patch, to: object)
        #expect(
            patched == (try json(#"{"a":{"b":1,"c/d":20,"new":{"x":null}},"list":[0,2,3,4],"copied":1,"moved":1}"#)))
        // The whole document can be replaced.
        #expect(
            try KubePatch.jsonPatch(try json(#"[{"op":"replace","path":"","value":{"z":1}}]"#), to: object) == ["z": 1])
    }

    @Test func jsonPatchFailuresNameTheOperation() throws {
        let object = try json(#"{"a":{"b":1},"list":[1]}"#)
        let cases: [(String, String)] = [
            (#"[{"op":"remove","path":"/a/missing"}]"#, "remove \"/a/missing\""),
            (#"[{"op":"replace","path":"/nope","value":1}]"#, "replace \"/nope\""),
            (#"[{"op":"add","path":"/list/5","value":1}]"#, "add \"/list/5\""),
            (#"[{"op":"add","path":"/list/01","value":1}]"#, "add \"/list/01\""),
            (#"[{"op":"add","path":"/x/y","value":1}]"#, "add \"/x/y\""),
            (#"[{"op":"move","from":"/a","path":"/a/b/c"}]"#, "move \"/a/b/c\""),
            (#"[{"op":"frobnicate","path":"/a"}]"#, "frobnicate"),
            (#"[{"op":"add","path":"a","value":1}]"#, "add \"a\""),
        ]
        for (patch, mention) in cases {
            do {
                _ = try KubePatch.jsonPatch(try json(patch), to: object)
                Issue.record("\(patch) should fail")
            } catch let error as KubeError {
                #expect(error.code == 422 && error.reason == "Invalid", "\(patch)")
                #expect(error.message.contains(mention), "\(error.message)")
            }
        }
        let failedTest = #expect(throws: KubeError.self) {
            try KubePatch.jsonPatch(try json(#"[{"op":"test","path":"/a/b","value":2}]"#), to: object)
        }
        #expect(failedTest?.code == 422)
        #expect(failedTest?.message.contains("test \"/a/b\"") == true)
        for bad in [#"{"op":"add"}"#, #"[1]"#] {
            let error = #expect(throws: KubeError.self) { try KubePatch.jsonPatch(try json(bad), to: object) }
            #expect(error?.code == 400)
        }
    }

    /// What `kubectl rollout undo` sends.
    @Test func jsonPatchRolloutUndo() throws {
        let live = try liveDeployment()
        let patch = try json(
            """
            [{"op":"replace","path":"/spec/template","value":{"metadata":{"labels":{"app":"web"}},
              "spec":{"containers":[{"name":"nginx","image":"nginx:1.24"}]}}},
             {"op":"replace","path":"/metadata/annotations","value":{"deployment.kubernetes.io/revision":"1"}}]
            """)
        let patched = try KubePatch.jsonPatch(patch, to: live)
        #expect(container(patched, "nginx")?["image"] == "nginx:1.24")
        #expect(container(patched, "nginx")?["env"] == nil)
        #expect(patched.annotations == ["deployment.kubernetes.io/revision": "1"])
    }

    // MARK: Strategic merge patch

    @Test func kubectlApplyChangesAnEnvValue() throws {
        let patch = try json(
            """
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],
               "containers":[{"$setElementOrder/env":[{"name":"MODE"},{"name":"EXTRA"}],
                 "env":[{"name":"MODE","value":"green"}],"name":"nginx"}]}}}}
            """)
        let patched = try KubePatch.strategicMergePatch(patch, onto: try liveDeployment(), type: .deployment)
        let nginx = container(patched, "nginx")
        #expect(nginx?["env"] == (try json(#"[{"name":"MODE","value":"green"},{"name":"EXTRA","value":"1"}]"#)))
        #expect(nginx?["image"] == "nginx:1.25")
        #expect(patched.annotations["x"] == "1")
        #expect(patched.annotations["kubectl.kubernetes.io/last-applied-configuration"] == "{}")
        #expect(!patched.text.contains("$setElementOrder"))
    }

    @Test func kubectlApplyRetainKeysNullsAndANewContainer() throws {
        let patch = try json(
            """
            {"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"},"template":{"spec":{
               "$setElementOrder/containers":[{"name":"nginx"},{"name":"sidecar"}],
               "containers":[{"env":null,"name":"nginx","ports":null},
                 {"args":["sleep","1d"],"image":"busybox:1.36","name":"sidecar"}]}}}}
            """)
        let patched = try KubePatch.strategicMergePatch(patch, onto: try liveDeployment(), type: .deployment)
        #expect(patched[path: ["spec", "strategy"]] == ["type": "Recreate"])
        let names = patched[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.map { $0["name"] }
        #expect(names == ["nginx", "sidecar"])
        #expect(container(patched, "nginx")?["env"] == nil)
        #expect(container(patched, "nginx")?["ports"] == nil)
        #expect(container(patched, "nginx")?["volumeMounts"] != nil)
        #expect(
            container(patched, "sidecar")
                == (try json(#"{"args":["sleep","1d"],"image":"busybox:1.36","name":"sidecar"}"#)))
    }

    @Test func kubectlApplyDeletesAnEnvEntry() throws {
        let patch = try json(
            """
            {"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],
               "containers":[{"$setElementOrder/env":[{"name":"MODE"}],"env":[{"$patch":"delete","name":"EXTRA"}],
               "name":"nginx"}]}}}}
            """)
        let patched = try KubePatch.strategicMergePatch(patch, onto: try liveDeployment(), type: .deployment)
        #expect(container(patched, "nginx")?["env"] == (try json(#"[{"name":"MODE","value":"blue"}]"#)))
    }

    @Test func setImageAndRolloutRestart() throws {
        let setImage = try json(
            #"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],"containers":[{"image":"nginx:1.26","name":"nginx"}]}}}}"#
        )
        var patched = try KubePatch.strategicMergePatch(setImage, onto: try liveDeployment(), type: .deployment)
        #expect(container(patched, "nginx")?["image"] == "nginx:1.26")
        #expect(container(patched, "nginx")?["env"]?.arrayValue?.count == 2)
        let restart = try json(
            #"{"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":"2026-11-27T10:00:00Z"}}}}}"#
        )
        patched = try KubePatch.strategicMergePatch(restart, onto: patched, type: .deployment)
        #expect(
            patched[path: ["spec", "template", "metadata", "annotations"]] == [
                "kubectl.kubernetes.io/restartedAt": "2026-11-27T10:00:00Z"
            ])
        #expect(patched[path: ["spec", "template", "metadata", "labels"]] == ["app": "web"])
        #expect(container(patched, "nginx")?["image"] == "nginx:1.26")
    }

    @Test func mergeKeysByFieldAndPlace() throws {
        let live = try liveDeployment()
        // Container ports merge by containerPort (+protocol when given); args are atomic; volumeMounts by mountPath.
        let patch = try json(
            """
            {"metadata":{"finalizers":["b"],"$deleteFromPrimitiveList/finalizers":["a"]},
             "spec":{"template":{"spec":{"containers":[{"name":"nginx","args":["c"],
               "ports":[{"containerPort":80,"name":"http"},{"containerPort":53,"protocol":"TCP"}],
               "volumeMounts":[{"mountPath":"/data","readOnly":true}]}],
               "volumes":[{"name":"cache","emptyDir":{}}]}}}}
            """)
        let patched = try KubePatch.strategicMergePatch(patch, onto: live, type: .deployment)
        let nginx = container(patched, "nginx")
        #expect(nginx?["args"] == ["c"])
        #expect(
            nginx?["ports"]
                == (try json(
                    #"[{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":53,"protocol":"UDP","name":"dns"},{"containerPort":53,"protocol":"TCP"}]"#
                )))
        #expect(nginx?["volumeMounts"] == (try json(#"[{"mountPath":"/data","name":"data","readOnly":true}]"#)))
        #expect(patched[path: ["spec", "template", "spec", "volumes"]]?.arrayValue?.count == 2)
        #expect(patched.finalizers == ["b"])
        // Finalizers merge as a set; other lists replace.
        let union = try KubePatch.strategicMergePatch(
            try json(#"{"metadata":{"finalizers":["z","a"]}}"#), onto: live, type: .deployment)
        #expect(union.finalizers == ["a", "z"])
        // Service ports merge by port.
        let service = try json(
            #"{"spec":{"ports":[{"port":80,"targetPort":8080,"name":"http"},{"port":443}],"selector":{"app":"web"}}}"#)
        let servicePatched = try KubePatch.strategicMergePatch(
            try json(#"{"spec":{"ports":[{"port":80,"targetPort":9090}]}}"#), onto: service, type: .service)
        #expect(
            servicePatched[path: ["spec", "ports"]]
                == (try json(#"[{"port":80,"targetPort":9090,"name":"http"},{"port":443}]"#)))
        // Status conditions merge by type; ownerReferences by uid.
        let pod = try json(
            #"{"metadata":{"ownerReferences":[{"uid":"1","name":"a"}]},"status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Scheduled","status":"True"}]}}"#
        )
        let podPatched = try KubePatch.strategicMergePatch(
            try json(
                #"{"metadata":{"ownerReferences":[{"uid":"2","name":"b"}]},"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#
            ),
            onto: pod, type: .pod)
        #expect(podPatched[path: ["status", "conditions"]]?.arrayValue?.map { $0["status"] } == ["True", "True"])
        #expect(podPatched[path: ["metadata", "ownerReferences"]]?.arrayValue?.map { $0["uid"] } == ["1", "2"])
    }

    @Test func replaceDirectivesAndErrors() throws {
        let live = try liveDeployment()
        let mapReplace = try json(#"{"spec":{"strategy":{"$patch":"replace","type":"Recreate"}}}"#)
        #expect(
            try KubePatch.strategicMergePatch(mapReplace, onto: live, type: .deployment)[path: ["spec", "strategy"]]
                == ["type": "Recreate"])
        let listReplace = try json(
            #"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"x"},{"$patch":"replace"}]}}}}"#)
        let replaced = try KubePatch.strategicMergePatch(listReplace, onto: live, type: .deployment)
        #expect(
            replaced[path: ["spec", "template", "spec", "containers"]] == (try json(#"[{"name":"only","image":"x"}]"#)))
        let deleteMap = try json(#"{"spec":{"strategy":{"$patch":"delete"}}}"#)
        #expect(
            try KubePatch.strategicMergePatch(deleteMap, onto: live, type: .deployment)[path: ["spec", "strategy"]]
                == nil)

        let noKey = #expect(throws: KubeError.self) {
            try KubePatch.strategicMergePatch(
                try json(#"{"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}"#), onto: live,
                type: .deployment)
        }
        #expect(noKey?.code == 400)
        #expect(noKey?.message.contains("merge key: name") == true)
        let retain = #expect(throws: KubeError.self) {
            try KubePatch.strategicMergePatch(
                try json(#"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}"#), onto: live,
                type: .deployment)
        }
        #expect(retain?.code == 422)
        let badDirective = #expect(throws: KubeError.self) {
            try KubePatch.strategicMergePatch(
                try json(#"{"spec":{"$patch":"explode"}}"#), onto: live, type: .deployment)
        }
        #expect(badDirective?.code == 400)
        #expect(throws: KubeError.self) { try KubePatch.strategicMergePatch(["a"], onto: live, type: .deployment) }
    }

    // MARK: Server-side apply

    @Test func serverSideApplyMergesWithoutDeletingAndRecordsTheManager() throws {
        let live = try liveDeployment()
        let manifest = try json(
            """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"tier":"fe"},"annotations":null},
             "spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}
            """)
        let applied = try KubePatch.serverSideApply(
            manifest, onto: live, type: .deployment, manager: "kubectl", time: "2026-11-27T10:00:00Z")
        #expect(applied[path: ["spec", "replicas"]] == 3)
        #expect(applied.labels == ["tier": "fe"])
        #expect(applied.annotations == ["x": "1"])
        #expect(container(applied, "nginx")?["image"] == "nginx:1.27")
        #expect(container(applied, "nginx")?["env"]?.arrayValue?.count == 2)
        #expect(
            applied[path: ["metadata", "managedFields"]]
                == (try json(
                    #"[{"manager":"kubectl","operation":"Apply","apiVersion":"apps/v1","time":"2026-11-27T10:00:00Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:tier":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{}}}}}}}}]"#
                )))
        // The same manifest again changes nothing, not even the entry's time.
        let again = try KubePatch.serverSideApply(
            manifest, onto: applied, type: .deployment, manager: "kubectl", time: "2026-11-27T11:00:00Z")
        #expect(again == applied)
        // A second manager gets its own entry.
        let other = try KubePatch.serverSideApply(
            try json(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"b":"2"}}}"#),
            onto: applied, type: .deployment, manager: "other", time: "2026-11-27T12:00:00Z")
        #expect(other[path: ["metadata", "managedFields"]]?.arrayValue?.count == 2)

        let wrongKind = #expect(throws: KubeError.self) {
            try KubePatch.serverSideApply(try json(#"{"apiVersion":"v1","kind":"Pod"}"#), onto: live, type: .deployment)
        }
        #expect(wrongKind?.code == 400)
    }

    /// Through the API: apply creates (201) and records the manager; SMP and JSON patch reach the store.
    @Test func patchesThroughTheAPI() async throws {
        let api = KubeAPI(
            store: InMemoryStore(), clock: ManualClock(), admission: AdmitAll(), logger: Logger(label: "test"))
        try await api.bootstrap()
        let manifest = #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"1"}}"#
        let (created, wasCreated) = try await api.patch(
            .configMap, namespace: "default", name: "c", patchType: .apply, body: Array(manifest.utf8),
            fieldManager: "kubectl")
        #expect(wasCreated)
        #expect(created[path: ["metadata", "managedFields"]]?.arrayValue?.first?["manager"] == "kubectl")
        let (patched, _) = try await api.patch(
            .configMap, namespace: "default", name: "c", patchType: .json,
            body: Array(#"[{"op":"add","path":"/data/b","value":"2"}]"#.utf8))
        #expect(patched["data"] == ["a": "1", "b": "2"])
        await #expect(throws: KubeError.self) {
            try await api.patch(
                .configMap, namespace: "default", name: "c", patchType: .json,
                body: Array(#"[{"op":"test","path":"/data/a","value":"9"}]"#.utf8))
        }
        let stored = try await api.get(.configMap, namespace: "default", name: "c")
        #expect(stored["data"] == ["a": "1", "b": "2"])
    }
}
