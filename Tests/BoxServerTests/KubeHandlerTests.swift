import BoxCore
import BoxKube
import BoxStore
import Foundation
import Logging
import Testing

@testable import BoxServer

/// The Kubernetes API's HTTP semantics over an in-memory store: auth, discovery, negotiation, verbs, errors.
@Suite struct KubeHandlerTests {
    static let token = String(repeating: "ab", count: 32)

    /// A handler over a fresh store with the bootstrap namespaces.
    static func handler() async throws -> KubeHandler {
        let api = KubeAPI(
            store: InMemoryStore(), clock: SystemClock(), admission: AdmitAll(), logger: Logger(label: "test"))
        try await api.bootstrap()
        return KubeHandler(
            api: api, token: token, serverAddress: "127.0.0.1:6443", bookmarkInterval: .milliseconds(200))
    }

    static func request(
        _ method: String, _ path: String, query: String = "", body: String? = nil, contentType: String? = nil,
        accept: String? = nil, authorization: String? = "Bearer \(token)"
    ) -> KubeHTTPRequest {
        var headers: [String: String] = [:]
        if let authorization { headers["Authorization"] = authorization }
        if let contentType { headers["Content-Type"] = contentType }
        if let accept { headers["Accept"] = accept }
        return KubeHTTPRequest(
            method: method, path: path, query: KubeHTTPRequest.parseQuery(query), headers: headers,
            body: Array((body ?? "").utf8))
    }

    static func json(_ response: KubeHTTPResponse) throws -> JSONValue {
        try JSONParser.parse(Array(response.text.utf8))
    }

    static let configMap =
        #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"cfg","labels":{"app":"web"}},"data":{"k":"v"}}"#

    /// A plain list is assembled from the stored bytes; it must be the same document a parsed list would give.
    @Test func plainListsPageAndCarryVersions() async throws {
        let handler = try await Self.handler()
        let path = "/api/v1/namespaces/default/configmaps"
        for name in ["a", "b", "c"] {
            let body = Self.configMap.replacingOccurrences(of: #""name":"cfg""#, with: #""name":"\#(name)""#)
            #expect(await handler.handle(Self.request("POST", path, body: body)).status == 201)
        }
        let first = try Self.json(await handler.handle(Self.request("GET", path, query: "limit=2")))
        #expect(first["kind"]?.stringValue == "ConfigMapList")
        #expect(first["items"]?.arrayValue?.map(\.name) == ["a", "b"])
        #expect(first["items"]?.arrayValue?.allSatisfy { !$0.resourceVersion.isEmpty } == true)
        #expect(first[path: ["metadata", "remainingItemCount"]]?.intValue == 1)
        let token = try #require(first[path: ["metadata", "continue"]]?.stringValue)
        let rest = try Self.json(await handler.handle(Self.request("GET", path, query: "limit=2&continue=\(token)")))
        #expect(rest["items"]?.arrayValue?.map(\.name) == ["c"])
        let empty = try Self.json(
            await handler.handle(Self.request("GET", "/api/v1/namespaces/kube-system/configmaps")))
        #expect(empty["items"] == .array([]))
    }

    // MARK: - Auth and discovery

    @Test func requestsWithoutAValidTokenAreUnauthorized() async throws {
        let handler = try await Self.handler()
        for authorization in [nil, "Bearer wrong", "Basic \(Self.token)", "Bearer"] as [String?] {
            let response = await handler.handle(Self.request("GET", "/api/v1/namespaces", authorization: authorization))
            #expect(response.status == 401)
            let status = try Self.json(response)
            #expect(status["reason"] == "Unauthorized")
            #expect(status["kind"] == "Status")
        }
        // The scheme in any case; /version and health checks are open.
        let lower = await handler.handle(
            Self.request("GET", "/api/v1/namespaces", authorization: "bearer \(Self.token)"))
        #expect(lower.status == 200)
        let version = await handler.handle(Self.request("GET", "/version", authorization: nil))
        #expect(version.status == 200)
        #expect(try Self.json(version)["minor"] == "37")
        #expect(await handler.handle(Self.request("GET", "/healthz", authorization: nil)).status == 200)
    }

    @Test func aggregatedDiscoveryHasItsExactContentType() async throws {
        let handler = try await Self.handler()
        let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"
        for path in ["/api", "/apis"] {
            let aggregated = await handler.handle(Self.request("GET", path, accept: accept))
            #expect(aggregated.status == 200)
            #expect(aggregated.header("Content-Type") == KubeHandler.aggregatedDiscoveryType)
            #expect(try Self.json(aggregated)["kind"] == "APIGroupDiscoveryList")
            let legacy = await handler.handle(Self.request("GET", path, accept: "application/json, */*"))
            #expect(legacy.header("Content-Type") == "application/json")
        }
        let legacy = await handler.handle(Self.request("GET", "/api"))
        #expect(try Self.json(legacy)["kind"] == "APIVersions")
        #expect(await handler.handle(Self.request("GET", "/openapi/v2")).status == 404)
        #expect(await handler.handle(Self.request("GET", "/openapi/v3")).status == 200)
        #expect(await handler.handle(Self.request("GET", "/apis/nosuch.io/v1/things")).status == 404)
    }

    // MARK: - Verbs

    @Test func createGetListAndDeleteAConfigMap() async throws {
        let handler = try await Self.handler()
        let created = await handler.handle(
            Self.request("POST", "/api/v1/namespaces/default/configmaps", body: Self.configMap))
        #expect(created.status == 201)
        let object = try Self.json(created)
        #expect(object[path: ["metadata", "namespace"]] == "default")
        #expect(object.resourceVersion.isEmpty == false)
        #expect(object.uid.isEmpty == false)

        let got = try Self.json(await handler.handle(Self.request("GET", "/api/v1/namespaces/default/configmaps/cfg")))
        #expect(got[path: ["data", "k"]] == "v")

        // kubectl form-encodes the spaces of a selector as `+`.
        let matching = await handler.handle(
            Self.request("GET", "/api/v1/configmaps", query: "labelSelector=app+in+%28web%2Capi%29&limit=500"))
        let list = try Self.json(matching)
        #expect(list["kind"] == "ConfigMapList")
        #expect(list["items"]?.arrayValue?.count == 1)
        #expect(list[path: ["metadata", "resourceVersion"]]?.stringValue?.isEmpty == false)
        let none = try Self.json(
            await handler.handle(
                Self.request("GET", "/api/v1/namespaces/default/configmaps", query: "labelSelector=app%3Ddb")))
        #expect(none["items"] == .array([]))

        let deleted = await handler.handle(Self.request("DELETE", "/api/v1/namespaces/default/configmaps/cfg"))
        #expect(deleted.status == 200)
        let status = try Self.json(deleted)
        #expect(status["status"] == "Success")
        #expect(status[path: ["details", "kind"]] == "configmaps")
        #expect(status[path: ["details", "name"]] == "cfg")
        let gone = await handler.handle(Self.request("GET", "/api/v1/namespaces/default/configmaps/cfg"))
        #expect(gone.status == 404)
        #expect(try Self.json(gone)["message"] == #"configmaps "cfg" not found"#)
    }

    @Test func clusterScopedNamespacesAndTheirDeletion() async throws {
        let handler = try await Self.handler()
        let list = try Self.json(await handler.handle(Self.request("GET", "/api/v1/namespaces")))
        let names = (list["items"]?.arrayValue ?? []).map(\.name)
        #expect(names.contains("default") && names.contains("kube-system"))
        let created = await handler.handle(
            Self.request("POST", "/api/v1/namespaces", body: #"{"metadata":{"name":"team-a"}}"#))
        #expect(created.status == 201)
        // A namespace's DELETE answers with the namespace, now Terminating.
        let deleted = await handler.handle(Self.request("DELETE", "/api/v1/namespaces/team-a"))
        #expect(deleted.status == 200)
        #expect(try Self.json(deleted)["kind"] == "Namespace")
    }

    @Test func badInputIsAClearStatusAndStoresNothing() async throws {
        let handler = try await Self.handler()
        let path = "/api/v1/namespaces/default/configmaps"
        let malformed = await handler.handle(Self.request("POST", path, body: #"{"metadata": {"name": "x""#))
        #expect(malformed.status == 400)
        let status = try Self.json(malformed)
        #expect(status["reason"] == "BadRequest")
        #expect(status["message"]?.stringValue?.contains("not valid JSON") == true)

        let missing = await handler.handle(
            Self.request("POST", "/api/v1/namespaces/nope/configmaps", body: Self.configMap))
        #expect(missing.status == 404)
        #expect(try Self.json(missing)["message"] == #"namespaces "nope" not found"#)

        let wrongKind = await handler.handle(
            Self.request("POST", path, body: #"{"kind":"Secret","apiVersion":"v1","metadata":{"name":"s"}}"#))
        #expect(wrongKind.status == 400)

        let badSelector = await handler.handle(Self.request("GET", path, query: "labelSelector=app+in+(("))
        #expect(badSelector.status == 400)

        let badPolicy = await handler.handle(
            Self.request("DELETE", path + "/cfg", query: "propagationPolicy=Sometimes"))
        #expect(badPolicy.status == 400)

        let list = try Self.json(await handler.handle(Self.request("GET", path)))
        #expect(list["items"] == .array([]))
    }

    @Test func staleResourceVersionIsAConflict() async throws {
        let handler = try await Self.handler()
        let path = "/api/v1/namespaces/default/configmaps"
        let created = try Self.json(await handler.handle(Self.request("POST", path, body: Self.configMap)))
        var changed = created
        changed.set(["data", "k"], "v2")
        let updated = await handler.handle(Self.request("PUT", path + "/cfg", body: changed.text))
        #expect(updated.status == 200)
        #expect(try Self.json(updated)[path: ["data", "k"]] == "v2")
        // The same body again carries the now stale version.
        changed.set(["data", "k"], "v3")
        let stale = await handler.handle(Self.request("PUT", path + "/cfg", body: changed.text))
        #expect(stale.status == 409)
        #expect(try Self.json(stale)["reason"] == "Conflict")
        let current = try Self.json(await handler.handle(Self.request("GET", path + "/cfg")))
        #expect(current[path: ["data", "k"]] == "v2")
    }

    @Test func patchTypesAndServerSideApplyFromYAML() async throws {
        let handler = try await Self.handler()
        let path = "/api/v1/namespaces/default/configmaps"
        _ = await handler.handle(Self.request("POST", path, body: Self.configMap))
        let merged = await handler.handle(
            Self.request(
                "PATCH", path + "/cfg", query: "fieldManager=kubectl-label",
                body: #"{"metadata":{"labels":{"tier":"front"}}}"#, contentType: "application/merge-patch+json"))
        #expect(merged.status == 200)
        #expect(try Self.json(merged)[path: ["metadata", "labels", "tier"]] == "front")

        let unsupported = await handler.handle(
            Self.request("PATCH", path + "/cfg", body: "{}", contentType: "text/plain"))
        #expect(unsupported.status == 415)

        let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  n: \"1\"\n"
        let applied = await handler.handle(
            Self.request(
                "PATCH", path + "/applied", query: "fieldManager=kubectl&force=false", body: yaml,
                contentType: "application/apply-patch+yaml"))
        #expect(applied.status == 201)
        #expect(try Self.json(applied)[path: ["data", "n"]] == "1")
        let again = await handler.handle(
            Self.request(
                "PATCH", path + "/applied", query: "fieldManager=kubectl", body: yaml,
                contentType: "application/apply-patch+yaml"))
        #expect(again.status == 200)

        let badYAML = await handler.handle(
            Self.request(
                "PATCH", path + "/applied", query: "fieldManager=kubectl", body: "metadata: [unclosed",
                contentType: "application/apply-patch+yaml"))
        #expect(badYAML.status == 400)
    }

    @Test func tablesWhenAcceptAsksForThem() async throws {
        let handler = try await Self.handler()
        let accept =
            "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json"
        let table = try Self.json(
            await handler.handle(Self.request("GET", "/api/v1/namespaces", query: "limit=500", accept: accept)))
        #expect(table["kind"] == "Table")
        #expect((table["rows"]?.arrayValue?.count ?? 0) >= 2)
        let single = try Self.json(
            await handler.handle(Self.request("GET", "/api/v1/namespaces/default", accept: accept)))
        #expect(single["kind"] == "Table")
        #expect(single["rows"]?.arrayValue?.count == 1)
        // Protobuf is answered with JSON.
        let pb = await handler.handle(
            Self.request(
                "GET", "/api/v1/namespaces/default", accept: "application/vnd.kubernetes.protobuf,application/json"))
        #expect(try Self.json(pb)["kind"] == "Namespace")
    }

    @Test func scaleReadsAndWritesTheParentsReplicas() async throws {
        let handler = try await Self.handler()
        let deployment = #"""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}
            """#
        let path = "/apis/apps/v1/namespaces/default/deployments"
        #expect(await handler.handle(Self.request("POST", path, body: deployment)).status == 201)
        let scale = try Self.json(await handler.handle(Self.request("GET", path + "/web/scale")))
        #expect(scale["kind"] == "Scale")
        #expect(scale["apiVersion"] == "autoscaling/v1")
        #expect(scale[path: ["spec", "replicas"]] == 2)
        #expect(scale[path: ["status", "selector"]] == "app=web")
        let patched = await handler.handle(
            Self.request(
                "PATCH", path + "/web/scale", body: #"{"spec":{"replicas":5}}"#,
                contentType: "application/merge-patch+json"))
        #expect(patched.status == 200)
        #expect(try Self.json(patched)[path: ["spec", "replicas"]] == 5)
        let parent = try Self.json(await handler.handle(Self.request("GET", path + "/web")))
        #expect(parent[path: ["spec", "replicas"]] == 5)
        let negative = await handler.handle(
            Self.request("PUT", path + "/web/scale", body: #"{"spec":{"replicas":-1}}"#))
        #expect(negative.status == 422)
        #expect(
            await handler.handle(Self.request("GET", "/api/v1/namespaces/default/configmaps/x/scale")).status == 404)
    }

    @Test func logsNeedASourceAndStreamItsBytes() async throws {
        let handler = try await Self.handler()
        let pod = #"{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"i"}]}}"#
        #expect(await handler.handle(Self.request("POST", "/api/v1/namespaces/default/pods", body: pod)).status == 201)
        let before = await handler.handle(Self.request("GET", "/api/v1/namespaces/default/pods/p/log"))
        #expect(before.status == 400)
        #expect(await handler.handle(Self.request("GET", "/api/v1/namespaces/default/pods/nope/log")).status == 404)
        handler.logSource = { request throws(KubeError) in
            AsyncStream { continuation in
                continuation.yield(
                    Array("\(request.pod)/\(request.container ?? "-")/\(request.tailLines ?? -1)\n".utf8))
                continuation.finish()
            }
        }
        let response = await handler.handle(
            Self.request("GET", "/api/v1/namespaces/default/pods/p/log", query: "container=c&tailLines=2"))
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "text/plain")
        #expect(await Self.collect(response) == "p/c/2\n")
    }

    @Test func watchStreamsEventsUntilItsTimeout() async throws {
        let handler = try await Self.handler()
        let path = "/api/v1/namespaces/default/configmaps"
        _ = await handler.handle(Self.request("POST", path, body: Self.configMap))
        let started = ContinuousClock.now
        let response = await handler.handle(
            Self.request("GET", path, query: "watch=true&timeoutSeconds=1&allowWatchBookmarks=true"))
        #expect(response.status == 200)
        let text = await Self.collect(response)
        // Ends after its 1 s timeout, not the 30 min default (bounded loosely: the suite keeps the machine busy).
        #expect(ContinuousClock.now - started < .seconds(60))
        let lines = text.split(separator: "\n")
        let first = try JSONParser.parse(Array(String(lines.first ?? "").utf8))
        #expect(first["type"] == "ADDED")
        #expect(first[path: ["object", "kind"]] == "ConfigMap")
        #expect(lines.contains { $0.contains(#""BOOKMARK""#) })
    }

    /// The body of a response, streamed or not.
    static func collect(_ response: KubeHTTPResponse) async -> String {
        switch response.body {
        case .bytes(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .stream(let stream, _):
            var bytes: [UInt8] = []
            for await chunk in stream { bytes += chunk }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    @Test func queriesDecodePlusAsSpace() {
        let query = KubeHTTPRequest.parseQuery("labelSelector=app+in+%28web%2Capi%29%2C%21canary&watch=1")
        #expect(query.first?.value == "app in (web,api),!canary")
        #expect(KubeHTTPRequest(method: "get", path: "/", query: query).flag("watch"))
    }
}
