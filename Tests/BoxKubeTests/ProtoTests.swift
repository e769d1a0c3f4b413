import BoxCore
import BoxKube
import Testing

/// Protobuf bodies captured from kubectl v1.37.1's generator subcommands (`kubectl create deployment|namespace|…`
/// against a recording HTTP server), decoded to the JSON the JSON API would receive.
enum ProtoFixtures {
    static func hex(_ parts: String...) -> [UInt8] {
        let digits = Array(parts.joined().utf8)
        func nibble(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : c - 48 }
        return stride(from: 0, to: digits.count - 1, by: 2).map { nibble(digits[$0]) << 4 | nibble(digits[$0 + 1]) }
    }

    /// /apis/apps/v1/namespaces/default/deployments
    static let createDeploymentHello = hex(
        "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412c4010a230a0568656c6c6f12001a0022002a00320038",
        "0042005a0c0a03617070120568656c6c6f128e010802120e0a0c0a03617070120568656c6c6f1a720a1e0a0012001a002200",
        "2a003200380042005a0c0a03617070120568656c6c6f125012320a0762757379626f78120762757379626f781a05736c6565",
        "701a033130302a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a01",
        "00c2010022020a00280038001a0c0800100018002000280038001a002200")
    /// /api/v1/namespaces
    static let createNamespaceX = hex(
        "6b3873000a0f0a02763112094e616d65737061636512190a110a017812001a0022002a0032003800420012001a020a001a00",
        "2200")
    /// /api/v1/namespaces/default/configmaps
    static let createConfigMapC = hex(
        "6b3873000a0f0a0276311209436f6e6669674d6170121b0a110a016312001a0022002a0032003800420012060a0161120162",
        "1a002200")
    /// /api/v1/namespaces/default/secrets
    static let createSecretS = hex(
        "6b3873000a0c0a0276311206536563726574121d0a110a017312001a0022002a0032003800420012060a01701201711a001a",
        "002200")
    /// /api/v1/namespaces/default/services
    static let createServiceClusterIP = hex(
        "6b3873000a0d0a02763112075365727669636512690a1f0a0373766312001a0022002a003200380042005a0a0a0361707012",
        "0373766312420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037376631a0022",
        "09436c757374657249503a00420052005a00600068001a020a001a002200")
    /// /apis/batch/v1/namespaces/default/jobs
    static let createJob = hex(
        "6b3873000a0f0a0862617463682f763112034a6f621282010a110a016a12001a0022002a00320038004200126332610a100a",
        "0012001a0022002a00320038004200124d122a0a016a120762757379626f781a046563686f1a0268692a0042006a00720080",
        "0100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a0820002800",
        "30003a001a002200")
    /// /api/v1/namespaces/default/serviceaccounts
    static let createServiceAccount = hex(
        "6b3873000a140a027631120e536572766963654163636f756e7412140a120a02736112001a0022002a003200380042001a00",
        "2200")
    /// /apis/apps/v1/namespaces/default/deployments
    static let createDeploymentWithPort = hex(
        "6b3873000a150a07617070732f7631120a4465706c6f796d656e7412bd010a1f0a0377656212001a0022002a003200380042",
        "005a0a0a036170701203776562128b010803120c0a0a0a0361707012037765621a710a1c0a0012001a0022002a0032003800",
        "42005a0a0a036170701203776562125112330a056e67696e78120a6e67696e783a312e32372a00320a0a001000185022002a",
        "0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a",
        "00280038001a0c0800100018002000280038001a002200")
    /// /api/v1/namespaces/default/configmaps
    static let createConfigMapFromFile = hex(
        "6b3873000a0f0a0276311209436f6e6669674d6170122f0a130a0362696e12001a0022002a0032003800420012060a016b12",
        "01761a100a05662e62696e12070001fffe62696e1a002200")
    /// /api/v1/namespaces/default/secrets
    static let createSecretTyped = hex(
        "6b3873000a0c0a0276311206536563726574123b0a130a03746f6b12001a0022002a00320038004200120c0a027077120673",
        "3363723374120d0a0475736572120561646d696e1a074f7061717565321a002200")
    /// /api/v1/namespaces/default/services
    static let createServiceNodePort = hex(
        "6b3873000a0d0a02763112075365727669636512670a1d0a026e7012001a0022002a003200380042005a090a036170701202",
        "6e7012420a1d0a0738302d38303830120354435018502207080010903f1a002880eb0112090a0361707012026e701a002208",
        "4e6f6465506f72743a00420052005a00600068001a020a001a002200")
    static let all = [
        createDeploymentHello, createNamespaceX, createConfigMapC, createSecretS, createServiceClusterIP, createJob,
        createServiceAccount, createDeploymentWithPort, createConfigMapFromFile, createSecretTyped,
        createServiceNodePort,
    ]
}

@Suite struct ProtoTests {
    func json(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    /// `kubectl create deployment hello --image=busybox --replicas=2 -- sleep 100`
    @Test func deployment() throws {
        let object = try KubeProto.decode(ProtoFixtures.createDeploymentHello)
        #expect(
            object
                == (try json(
                    """
                    {"apiVersion":"apps/v1","kind":"Deployment",
                     "metadata":{"name":"hello","labels":{"app":"hello"}},
                     "spec":{"replicas":2,"selector":{"matchLabels":{"app":"hello"}},
                      "template":{"metadata":{"labels":{"app":"hello"}},
                       "spec":{"containers":[{"name":"busybox","image":"busybox","command":["sleep","100"]}]}}}}
                    """)))
        // `kubectl create deployment web --image=nginx:1.27 --port=80 --replicas=3`
        let web = try KubeProto.decode(ProtoFixtures.createDeploymentWithPort)
        #expect(web[path: ["spec", "replicas"]] == 3)
        #expect(
            web[path: ["spec", "template", "spec", "containers"]]
                == (try json(#"[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80}]}]"#)))
    }

    @Test func namespaceConfigMapSecretServiceAccount() throws {
        #expect(
            try KubeProto.decode(ProtoFixtures.createNamespaceX)
                == (try json(#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"x"}}"#)))
        #expect(
            try KubeProto.decode(ProtoFixtures.createConfigMapC)
                == (try json(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"a":"b"}}"#)))
        // `--from-file=f.bin` with the bytes 00 01 ff fe 'b' 'i' 'n': binaryData, base64.
        #expect(
            try KubeProto.decode(ProtoFixtures.createConfigMapFromFile)
                == (try json(
                    #"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"bin"},"data":{"k":"v"},"binaryData":{"f.bin":"AAH//mJpbg=="}}"#
                )))
        // Secret data is bytes: base64 in JSON ("q" → "cQ==").
        #expect(
            try KubeProto.decode(ProtoFixtures.createSecretS)
                == (try json(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"data":{"p":"cQ=="}}"#)))
        #expect(
            try KubeProto.decode(ProtoFixtures.createSecretTyped)
                == (try json(
                    #"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"tok"},"type":"Opaque2","data":{"pw":"czNjcjN0","user":"YWRtaW4="}}"#
                )))
        #expect(
            try KubeProto.decode(ProtoFixtures.createServiceAccount)
                == (try json(#"{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"sa"}}"#)))
    }

    @Test func serviceAndJob() throws {
        #expect(
            try KubeProto.decode(ProtoFixtures.createServiceClusterIP)
                == (try json(
                    """
                    {"apiVersion":"v1","kind":"Service","metadata":{"name":"svc","labels":{"app":"svc"}},
                     "spec":{"ports":[{"name":"80-8080","protocol":"TCP","port":80,"targetPort":8080}],
                      "selector":{"app":"svc"},"type":"ClusterIP"}}
                    """)))
        let nodePort = try KubeProto.decode(ProtoFixtures.createServiceNodePort)
        #expect(nodePort[path: ["spec", "type"]] == "NodePort")
        #expect(nodePort[path: ["spec", "ports"]]?.arrayValue?.first?["nodePort"] == 30080)
        #expect(
            try KubeProto.decode(ProtoFixtures.createJob)
                == (try json(
                    """
                    {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},
                     "spec":{"template":{"spec":{"containers":[{"name":"j","image":"busybox","command":["echo","hi"]}],
                      "restartPolicy":"Never"}}}}
                    """)))
    }

    /// Fields the generators do not send, encoded by hand: pointers kept when zero, IntOrString strings, quantities,
    /// inline structs, packed integers, unknown fields skipped.
    @Test func handEncodedPod() throws {
        func field(_ number: Int, _ payload: [UInt8]) -> [UInt8] {
            varint(UInt64(number << 3 | 2)) + varint(UInt64(payload.count)) + payload
        }
        func field(_ number: Int, _ text: String) -> [UInt8] { field(number, Array(text.utf8)) }
        func number(_ number: Int, _ value: UInt64) -> [UInt8] { varint(UInt64(number << 3)) + varint(value) }
        func varint(_ value: UInt64) -> [UInt8] {
            var value = value
            var out: [UInt8] = []
            while value >= 0x80 {
                out.append(UInt8(value & 0x7f) | 0x80)
                value >>= 7
            }
            return out + [UInt8(value)]
        }
        let quantity = field(1, "500m")
        let resources =
            field(1, field(1, "cpu") + field(2, quantity)) + field(2, field(1, "memory") + field(2, field(1, "64Mi")))
        let probe = field(1, field(2, field(1, "/healthz") + field(2, number(1, 1) + field(3, "http")))) + number(4, 10)
        let env = field(1, "FROM") + field(3, field(4, field(1, field(1, "sec")) + field(2, "key")))
        let container =
            field(1, "app") + field(2, "nginx") + field(7, env) + field(8, resources) + field(11, probe)
            + number(999, 5) + field(15, number(2, 0))
        let volume = field(1, "data") + field(2, field(2, []))
        let spec =
            field(2, container) + field(1, volume) + number(4, 0) + field(14, field(4, [1, 2, 0x80, 0x01]))
            + [0x29, 1, 2, 3, 4, 5, 6, 7, 8]  // field 5 as fixed64: an unexpected wire type for a known field
        let meta = field(1, "p") + field(11, field(1, "a") + field(2, "b")) + field(8, number(1, 1_700_000_000))
        let raw = field(1, meta) + field(2, Array(spec.dropLast(9)))
        let body =
            KubeProto.magic + field(1, field(1, "v1") + field(2, "Pod")) + field(2, raw)
            + field(4, "application/vnd.kubernetes.protobuf")
        #expect(
            try KubeProto.decode(body)
                == (try json(
                    """
                    {"apiVersion":"v1","kind":"Pod",
                     "metadata":{"name":"p","labels":{"a":"b"},"creationTimestamp":"2023-11-14T22:13:20Z"},
                     "spec":{"containers":[{"name":"app","image":"nginx",
                        "env":[{"name":"FROM","valueFrom":{"secretKeyRef":{"name":"sec","key":"key"}}}],
                        "resources":{"limits":{"cpu":"500m"},"requests":{"memory":"64Mi"}},
                        "readinessProbe":{"httpGet":{"path":"/healthz","port":"http"},"periodSeconds":10},
                        "securityContext":{"privileged":false}}],
                      "volumes":[{"name":"data","emptyDir":{}}],
                      "terminationGracePeriodSeconds":0,
                      "securityContext":{"supplementalGroups":[1,2,128]}}}
                    """)))
        // A known field with the wrong wire type is a bad body.
        let wrongType = KubeProto.magic + field(1, field(1, "v1") + field(2, "Pod")) + field(2, field(2, spec))
        let error = #expect(throws: KubeError.self) { try KubeProto.decode(wrongType) }
        #expect(error?.code == 400)
        // A kind without a schema is 415, pointing at JSON.
        let unknown = KubeProto.magic + field(1, field(1, "v1") + field(2, "Node")) + field(2, [])
        let unsupported = #expect(throws: KubeError.self) { try KubeProto.decode(unknown) }
        #expect(unsupported?.code == 415)
        #expect(unsupported?.message.contains("v1 Node") == true)
    }

    /// The status code a body fails with, nil when it decodes.
    func failureCode(_ body: [UInt8]) -> Int? {
        do {
            _ = try KubeProto.decode(body)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func badBodiesAreBadRequestsNeverCrashes() throws {
        let missingMagic = #expect(throws: KubeError.self) { try KubeProto.decode(Array("{}".utf8)) }
        #expect(missingMagic?.code == 400)
        #expect(missingMagic?.message.contains("k8s") == true)
        // Every truncation of every real body either decodes or fails with 400/415.
        for body in ProtoFixtures.all {
            for length in 0..<body.count {
                let code = failureCode(Array(body[0..<length]))
                #expect(code == nil || code == 400 || code == 415)
            }
        }
        // Random bytes after the magic and random single-byte corruptions (seeded, bounded).
        var generator = SeededGenerator(seed: 42)
        for round in 0..<3000 {
            var body: [UInt8]
            if round % 2 == 0 {
                body =
                    KubeProto.magic
                    + (0..<Int.random(in: 0..<200, using: &generator)).map { _ in
                        UInt8.random(in: 0...255, using: &generator)
                    }
            } else {
                body = ProtoFixtures.all[round % ProtoFixtures.all.count]
                for _ in 0..<3 {
                    body[Int.random(in: 4..<body.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            }
            let code = failureCode(body)
            #expect(code == nil || code == 400 || code == 415)
        }
        // A length that claims more than the body holds, and a varint that never ends.
        let overlong = KubeProto.magic + [0x12, 0xff, 0xff, 0xff, 0xff, 0x0f]
        #expect(
            throws: KubeError.badRequest(
                "failed to decode the protobuf body: length 4294967295 at byte 10 runs past the end of its message")
        ) {
            try KubeProto.decode(overlong)
        }
        let endless = KubeProto.magic + [UInt8](repeating: 0xff, count: 20)
        #expect(throws: KubeError.self) { try KubeProto.decode(endless) }
    }
}
