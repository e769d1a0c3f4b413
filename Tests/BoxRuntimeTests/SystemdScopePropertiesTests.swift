import BoxRuntime
import Testing

/// The pure side of the systemd driver: the scope's properties from a task's limits, the unit name, when the
/// driver is chosen, and reading systemd's "Cannot set property" refusal.
@Suite struct SystemdScopePropertiesTests {
    /// CPUQuotaPerSecUSec = quota × 1 000 000 / 100 000, rounded up to 10 000: 0.25 → 25 000 µs → 250 000;
    /// 0.333 → 33 300 µs → 333 000 → 340 000; 2 → 200 000 µs → 2 000 000; 0.001 → the 1 ms floor → 10 000.
    @Test(arguments: [(0.25, 250_000), (0.333, 340_000), (2.0, 2_000_000), (0.001, 10_000)] as [(Double, UInt64)])
    func cpuQuotaPerSecond(cpus: Double, perSecond: UInt64) {
        let properties = ScopeProperties(
            description: "t", pids: [1], limits: CgroupLimits(cpus: cpus), unified: true
        ).properties
        #expect(properties.contains(UnitProperty("CPUQuotaPerSecUSec", .uint64(perSecond))))
        #expect(properties.contains(UnitProperty("CPUAccounting", .bool(true))))
        #expect(!properties.contains { $0.name == "MemoryAccounting" || $0.name == "TasksAccounting" })
    }

    /// No limits: only the scope itself (no accounting flags, no limits); a slice when one is given, first.
    @Test func unlimitedScope() {
        let properties = ScopeProperties(
            description: "d", pids: [7, 8], limits: CgroupLimits(), unified: false, slice: "clusterbox.slice"
        ).properties
        #expect(
            properties == [
                UnitProperty("Slice", .string("clusterbox.slice")), UnitProperty("DefaultDependencies", .bool(false)),
                UnitProperty("Description", .string("d")), UnitProperty("PIDs", .uint32Array([7, 8])),
                UnitProperty("Delegate", .bool(true)),
            ])
    }

    @Test(arguments: [
        ("web.1", "clusterbox-web.1.scope"), ("batch-3f2a", "clusterbox-batch-3f2a.scope"),
        ("a b/c", "clusterbox-a_b_c.scope"), ("é", "clusterbox-_.scope"),
    ])
    func unitName(task: String, unit: String) {
        #expect(SystemdScopeDriver.unitName(task: task) == unit)
    }

    @Test(arguments: [
        (false, false, CgroupMode.hybrid, CgroupDriverChoice.Driver.cgroupfs),
        (false, false, .unified, .cgroupfs),
        (true, true, .unified, .cgroupfs),
        (true, true, .hybrid, .cgroupfs),
        (true, false, .unified, .systemd),
        (true, false, .legacy, .systemd),
    ])
    func driverChoice(systemd: Bool, delegated: Bool, mode: CgroupMode, driver: CgroupDriverChoice.Driver) {
        let choice = CgroupDriverChoice.choose(systemdIsInit: systemd, delegated: delegated, mode: mode)
        #expect(choice.driver == driver)
        #expect(!choice.reason.isEmpty)
    }

    /// This host: no systemd as PID 1, so cgroupfs, and the reason says so.
    @Test func thisHostUsesCgroupfs() throws {
        let layout = CgroupLayout(mode: .hybrid, hierarchies: [], unified: nil, systemdIsInit: false)
        let choice = CgroupDriverChoice.detect(layout: layout)
        #expect(choice.driver == .cgroupfs)
        #expect(choice.reason.contains("systemd is not PID 1"))
    }

    @Test func refusedPropertyIsReadFromTheMessage() {
        let refused = SystemdError(
            operation: "StartTransientUnit x", name: "org.freedesktop.DBus.Error.PropertyReadOnly",
            message: "Cannot set property TasksAccounting, or unknown property.", code: 30)
        #expect(refused.refusedProperty == "TasksAccounting")
        #expect(SystemdError(operation: "x", message: "Access denied", code: 13).refusedProperty == nil)
    }
}
