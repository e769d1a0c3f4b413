import BoxMarathon
import Testing

@Suite struct PathIDTests {
    @Test func resolvesAndNames() throws {
        let id = try PathID("web", relativeTo: PathID("/prod"))
        #expect(id.description == "/prod/web")
        #expect(id.safeName == "prod_web")
        #expect(id.mesosTaskName == "web.prod")
        #expect(try PathID("//prod//web/").description == "/prod/web")
        #expect(try PathID("/a/b/../c").description == "/a/c")
        #expect(throws: PathIDError.self) { try PathID("/Web") }
        #expect(throws: PathIDError.self) { try PathID("/-web") }
        #expect(try PathID("/").isRoot)
    }
}
