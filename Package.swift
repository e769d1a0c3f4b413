// swift-tools-version: 6.1
import PackageDescription

let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "clusterbox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "clusterbox", targets: ["clusterbox"]),
        .library(name: "BoxCore", targets: ["BoxCore"]),
        .library(name: "BoxMaster", targets: ["BoxMaster"]),
        .library(name: "BoxAgent", targets: ["BoxAgent"]),
        .library(name: "BoxRuntime", targets: ["BoxRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
    ],
    targets: [
        .target(
            name: "BoxCore",
            dependencies: [.product(name: "Collections", package: "swift-collections")],
            exclude: ["README.md"],
            swiftSettings: settings),
        .target(
            name: "BoxStore",
            dependencies: [
                "BoxCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"],
            swiftSettings: settings),
        .target(
            name: "BoxMaster",
            dependencies: ["BoxCore", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            swiftSettings: settings),
        .target(
            name: "BoxAgent",
            dependencies: ["BoxCore", "BoxRuntime", "BoxImages", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            swiftSettings: settings),
        // The code between fork and exec (namespaces, mounts, pivot_root, capabilities, seccomp load) and the
        // libseccomp calls (variadic and macro-based, so unusable from Swift). Needs Debian's libseccomp-dev.
        .target(
            name: "CBoxRuntime",
            cSettings: [.define("_GNU_SOURCE")],
            linkerSettings: [.linkedLibrary("seccomp")]),
        // libsystemd's sd-bus, for the systemd cgroup driver (transient scopes over D-Bus). Debian's libsystemd-dev.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(
            name: "BoxRuntime",
            dependencies: ["BoxCore", "CBoxRuntime", "CSystemd", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            swiftSettings: settings),
        // zlib, for gzip-compressed image layers (Debian's zlib1g-dev).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // openat2(2) for BoxImages (Swift cannot call the variadic syscall(2)): unpacking and reading image files
        // resolve every path inside the layer or rootfs directory.
        .target(name: "CBoxImages", cSettings: [.define("_GNU_SOURCE")]),
        .target(
            name: "BoxImages",
            dependencies: [
                "BoxCore", "BoxRuntime", "CZlib", "CBoxImages", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"],
            swiftSettings: settings),
        .target(
            name: "BoxSimulation",
            dependencies: ["BoxCore", "BoxMaster", "BoxAgent", .product(name: "Collections", package: "swift-collections")],
            exclude: ["README.md"],
            swiftSettings: settings),
        .target(
            name: "BoxBatch",
            dependencies: ["BoxCore", "BoxStore", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            swiftSettings: settings),
        .target(
            name: "BoxMarathon",
            dependencies: [
                "BoxCore", "BoxStore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Collections", package: "swift-collections"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: settings),
        .target(
            name: "BoxKube",
            dependencies: ["BoxCore", "BoxStore", .product(name: "Logging", package: "swift-log")],
            exclude: ["README.md"],
            swiftSettings: settings),
        .target(
            name: "BoxServer",
            dependencies: [
                "BoxCore", "BoxStore", "BoxMaster", "BoxAgent", "BoxRuntime", "BoxBatch", "BoxMarathon",
                "BoxDiscovery", "BoxKube", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md", "Dashboard/README.md"],
            swiftSettings: settings),
        .executableTarget(
            name: "clusterbox",
            dependencies: [
                "BoxCore", "BoxServer", "BoxAgent", "BoxSimulation", "BoxDiscovery", "BoxImages",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                // `clusterbox tour` talks HTTPS to the Kubernetes API with the cluster's CA.
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: settings),
        .target(
            name: "BoxDiscovery",
            dependencies: [
                "BoxCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["README.md"],
            swiftSettings: settings),
        .target(name: "BoxTestSupport", path: "Tests/BoxTestSupport", swiftSettings: settings),
        .testTarget(name: "BoxCoreTests", dependencies: ["BoxCore"], swiftSettings: settings),
        .testTarget(name: "BoxStoreTests", dependencies: ["BoxCore", "BoxStore"], swiftSettings: settings),
        .testTarget(
            name: "BoxMasterTests", dependencies: ["BoxCore", "BoxMaster"], exclude: ["Scenarios"], swiftSettings: settings),
        .testTarget(
            name: "BoxBatchTests",
            dependencies: [
                "BoxCore", "BoxBatch", "BoxMaster", "BoxTestSupport",
                .product(name: "Collections", package: "swift-collections"),
            ], swiftSettings: settings),
        .testTarget(
            name: "BoxMarathonTests",
            // BoxAgent for SimulatedTasks in the simulation test; BoxTestSupport to run it on a thread of its own.
            dependencies: ["BoxCore", "BoxMarathon", "BoxMaster", "BoxAgent", "BoxTestSupport"], swiftSettings: settings),
        .testTarget(
            name: "BoxDiscoveryTests",
            dependencies: [
                "BoxCore", "BoxDiscovery", "BoxTestSupport", .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],  // dnspython scripts the tests run, read from the source tree
            swiftSettings: settings),
        .testTarget(
            name: "BoxRuntimeTests",
            dependencies: ["BoxRuntime", "BoxCore", "BoxTestSupport", .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"],  // the fake systemd manager (Python, D-Bus) the driver's tests run
            swiftSettings: settings),
        .testTarget(
            name: "BoxImagesTests",
            dependencies: ["BoxImages", "BoxCore", "BoxRuntime", "BoxTestSupport"],
            exclude: ["Fixtures"],  // umoci/skopeo scripts and Dockerfiles the tests use, read from the source tree
            swiftSettings: settings),
        .testTarget(name: "BoxAgentTests", dependencies: ["BoxCore", "BoxAgent"], swiftSettings: settings),
        .testTarget(
            name: "SimulationTests", dependencies: ["BoxCore", "BoxMaster", "BoxSimulation", "BoxTestSupport"],
            swiftSettings: settings),
        .testTarget(
            name: "BoxKubeTests",
            // BoxMaster and BoxAgent: the scheduler's tests run a master and simulated agents in process.
            dependencies: ["BoxCore", "BoxStore", "BoxKube", "BoxTestSupport", "BoxMaster", "BoxAgent"],
            swiftSettings: settings),
        .testTarget(
            name: "BoxServerTests",
            dependencies: [
                "BoxCore", "BoxServer", "BoxKube", "BoxStore", "BoxMaster", "BoxMarathon",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "X509", package: "swift-certificates"),
            ], swiftSettings: settings),
        .testTarget(
            name: "ClusterboxTests", dependencies: ["BoxCore", "BoxTestSupport"],
            exclude: ["Fixtures"],  // scripts the tests run (greedy_framework.py), read from the source tree
            swiftSettings: settings),
    ]
)
