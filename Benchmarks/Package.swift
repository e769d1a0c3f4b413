// swift-tools-version: 6.1
// Benchmarks for clusterbox, kept out of the root package so that building or testing clusterbox never builds
// package-benchmark. Run from this folder:
//
//     swift package --scratch-path .build-bench benchmark
//
// See README.md beside this file.
import PackageDescription

let package = Package(
    name: "clusterbox-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Only MallocInterposer: the trait list replaces the default set, so the Linux 6.3 runtime interposer
        // (not mirrored on this machine) stays off; the ARC metrics that need it are not used here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(name: "clusterbox", path: ".."),
    ],
    targets: [
        .executableTarget(
            name: "MasterBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "BoxCore", package: "clusterbox"),
                .product(name: "BoxMaster", package: "clusterbox"),
                .product(name: "BoxAgent", package: "clusterbox"),
            ],
            path: "MasterBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // The in-process half of scheduler-api.sh: the scheduler HTTP API's framework logic on
        // InProcessSchedulerTransport (a plain executable: it reports per-task percentiles, not iterations).
        .executableTarget(
            name: "SchedulerPath",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "BoxCore", package: "clusterbox"),
                .product(name: "BoxMaster", package: "clusterbox"),
                .product(name: "BoxAgent", package: "clusterbox"),
            ],
            path: "SchedulerPath",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Launch latency of a contained `true`: process, clusterbox's launcher, crun (container-launch.sh runs it).
        .executableTarget(
            name: "ContainerLaunch",
            dependencies: [.product(name: "BoxRuntime", package: "clusterbox")],
            path: "ContainerLaunch",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ],
    swiftLanguageModes: [.v6]
)
