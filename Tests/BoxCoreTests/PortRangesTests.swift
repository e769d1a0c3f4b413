import BoxCore
import Testing

@Suite struct PortRangesTests {
    /// Overlapping and adjacent ranges merge; the text form round-trips.
    @Test func normalizes() {
        let ranges = PortRanges([31005...31010, 31000...31004, 31020...31030, 31025...31040])
        #expect(ranges.ranges == [31000...31010, 31020...31040])
        #expect(ranges.description == "[31000-31010, 31020-31040]")
        #expect(PortRanges(parsing: ranges.description) == ranges)
        #expect(ranges.count == 11 + 21)
    }

    /// Taking 31005 out of 31000-31010 splits it into 31000-31004 and 31006-31010; adding it back joins them.
    @Test func subtractionSplitsRanges() {
        let all = PortRanges([31000...31010])
        let hole = PortRanges(ports: [31005])
        let split = all - hole
        #expect(split.ranges == [31000...31004, 31006...31010])
        #expect(!split.contains(31005))
        #expect(split + hole == all)
        #expect((all - PortRanges([30000...40000])).isEmpty)
        #expect((all - PortRanges([31000...31000, 31010...31010])).ranges == [31001...31009])
    }

    @Test(
        arguments: [
            ([31000...31010], [31002...31003], true),
            ([31000...31010], [31009...31011], false),
            ([31000...31004, 31006...31010], [31004...31006], false),
            ([31000...31004, 31006...31010], [31001...31001, 31007...31008], true),
            ([], [], true),
        ] as [([ClosedRange<UInt16>], [ClosedRange<UInt16>], Bool)])
    func containment(outer: [ClosedRange<UInt16>], inner: [ClosedRange<UInt16>], expected: Bool) {
        #expect(PortRanges(outer).contains(PortRanges(inner)) == expected)
    }

    /// The first N ports come from the lowest ranges, across range boundaries.
    @Test func firstPorts() {
        let ranges = PortRanges([31000...31001, 31005...31009])
        #expect(ranges.first(3)?.ports == [31000, 31001, 31005])
        #expect(ranges.first(0)?.isEmpty == true)
        #expect(ranges.first(8) == nil)
    }

    @Test func edgesOfThePortSpace() {
        let top = PortRanges([65530...65535]) - PortRanges(ports: [65535])
        #expect(top.ranges == [65530...65534])
        #expect(PortRanges([0...0, 1...1]).ranges == [0...1])
        #expect(PortRanges(parsing: "[2-1]") == nil)
        #expect(PortRanges(parsing: "70000") == nil)
    }
}
