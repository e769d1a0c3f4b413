import BoxImages
import Foundation
import Testing

/// The OCI JSON as the image spec writes it, references as the store normalizes them.
struct LayoutTests {
    @Test func decodesTheSpecsManifestExample() throws {
        // From the OCI image spec (manifest.md), with a Docker media type accepted too.
        let json = """
            {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",
             "config":{"mediaType":"application/vnd.oci.image.config.v1+json",
               "digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7","size":7023},
             "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip",
               "digest":"sha256:9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0","size":32654}],
             "annotations":{"com.example.key1":"value1"}}
            """
        let manifest = try LayoutJSON.decode(ImageManifest.self, from: Array(json.utf8), what: "manifest")
        #expect(manifest.config.size == 7023)
        #expect(manifest.layers[0].mediaType == MediaType.layerTarGzip)
        #expect(MediaType.layerCompression(manifest.layers[0].mediaType) == .gzip)
        #expect(MediaType.layerCompression(MediaType.dockerLayerTarGzip) == .gzip)
        #expect(MediaType.isManifest(MediaType.dockerManifest))
        #expect(manifest.annotations == ["com.example.key1": "value1"])
    }

    @Test func encodesTheSpecsFieldNames() throws {
        var descriptor = Descriptor(
            mediaType: MediaType.imageManifest, digest: Digest("sha256:" + String(repeating: "1", count: 64))!,
            size: 10, platform: Platform(architecture: "arm64", os: "linux", variant: "v8"))
        descriptor.refName = "busybox:latest"
        let config = ImageConfiguration(
            architecture: "amd64",
            config: .init(
                user: "1:2", exposedPorts: ["80/tcp": EmptyObject()], env: ["A=b"], entrypoint: ["/e"],
                cmd: ["c"], volumes: ["/v": EmptyObject()], workingDir: "/w", labels: ["k": "v"],
                stopSignal: "SIGTERM"),
            rootfs: .init(diffIDs: [descriptor.digest]), history: [.init(createdBy: "x", emptyLayer: true)])
        let index = String(decoding: try LayoutJSON.encode(ImageIndex(manifests: [descriptor])), as: UTF8.self)
        #expect(
            index == """
                {"manifests":[{"annotations":{"org.opencontainers.image.ref.name":"busybox:latest"},"digest":"sha256:\(String(repeating: "1", count: 64))","mediaType":"application/vnd.oci.image.manifest.v1+json","platform":{"architecture":"arm64","os":"linux","variant":"v8"},"size":10}],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2}
                """)
        let text = String(decoding: try LayoutJSON.encode(config), as: UTF8.self)
        for key in [
            "\"User\":\"1:2\"", "\"ExposedPorts\":{\"80/tcp\":{}}", "\"Env\":[\"A=b\"]", "\"Entrypoint\":[\"/e\"]",
            "\"Cmd\":[\"c\"]", "\"Volumes\":{\"/v\":{}}", "\"WorkingDir\":\"/w\"", "\"Labels\":{\"k\":\"v\"}",
            "\"StopSignal\":\"SIGTERM\"", "\"rootfs\":{\"diff_ids\":[", "\"type\":\"layers\"",
            "\"created_by\":\"x\"", "\"empty_layer\":true", "\"os\":\"linux\"",
        ] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
        #expect(try LayoutJSON.decode(ImageConfiguration.self, from: Array(text.utf8), what: "config") == config)
    }

    @Test func badJSONSaysWhere() throws {
        let error = #expect(throws: ImageError.self) {
            _ = try LayoutJSON.decode(
                ImageManifest.self, from: Array(#"{"schemaVersion":2,"layers":[]}"#.utf8),
                what: "m.json")
        }
        #expect(error?.description == "m.json: invalid JSON: missing \"config\"")
    }

    @Test func platformChoiceFromAnIndex() {
        let digest = { (c: Character) in Digest("sha256:" + String(repeating: c, count: 64))! }
        let index = ImageIndex(manifests: [
            Descriptor(
                mediaType: MediaType.imageManifest, digest: digest("1"), size: 1,
                platform: Platform(architecture: "arm64", os: "linux", variant: "v8")),
            Descriptor(
                mediaType: MediaType.imageManifest, digest: digest("2"), size: 1,
                platform: Platform(architecture: "amd64", os: "linux")),
            Descriptor(
                mediaType: MediaType.imageManifest, digest: digest("3"), size: 1,
                platform: Platform(architecture: "amd64", os: "windows")),
        ])
        #expect(index.manifest(for: Platform(architecture: "amd64", os: "linux"))?.digest == digest("2"))
        #expect(index.manifest(for: Platform(architecture: "arm64", os: "linux"))?.digest == digest("1"))
        #expect(index.manifest(for: Platform(architecture: "s390x", os: "linux")) == nil)
    }

    @Test(arguments: [
        ("busybox", "busybox:latest"), ("busybox:1.36", "busybox:1.36"),
        ("localhost:5000/team/app", "localhost:5000/team/app:latest"),
        ("localhost:5000/team/app:v2", "localhost:5000/team/app:v2"),
        ("docker.io/library/busybox:latest", "docker.io/library/busybox:latest"),
    ])
    func referencesGetTheLatestTag(reference: String, normalized: String) throws {
        #expect(try ImageReference.normalize(reference) == normalized)
    }

    @Test(arguments: ["", "Busy box", "-x", "a//b", "a:", "name/", "a$b"])
    func badReferences(reference: String) {
        #expect(throws: ImageError.self) { try ImageReference.normalize(reference) }
    }
}
