import ArgumentParser
import Foundation

/// `clusterbox explain CONCEPT`: a short explanation of a Mesos or Kubernetes concept, with the command that shows
/// it live on this cluster. An unknown concept is an error listing the known ones.
struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain a concept (offers, drf, pod, deployment, …) and how to see it live.",
        discussion: "Concepts: \(Concept.all.map(\.name).joined(separator: ", ")).")

    @Argument(help: "The concept (clusterbox explain --list shows them all).")
    var concept: String?

    @Flag(name: .long, help: "List the concepts.")
    var list = false

    func run() throws {
        guard !list, let concept else {
            for item in Concept.all {
                print("\(item.name.padding(toLength: 22, withPad: " ", startingAt: 0))\(item.title)")
            }
            if !list { throw ValidationError("name a concept, e.g. clusterbox explain offers") }
            return
        }
        let key = concept.lowercased().trimmingCharacters(in: .whitespaces)
        guard let item = Concept.find(key) else {
            throw CLIError(
                "unknown concept '\(concept)'. Known: \(Concept.all.map(\.name).joined(separator: ", "))")
        }
        print("\(item.name): \(item.title)")
        print("")
        print(item.text)
        print("")
        print("see it live:")
        for command in item.live { print("  \(command)") }
    }
}

/// One concept `explain` knows: a name (and aliases), a one-line title, a paragraph and the commands to see it.
struct Concept {
    var name: String
    var aliases: [String] = []
    var title: String
    var text: String
    var live: [String]

    static func find(_ key: String) -> Concept? {
        all.first { $0.name == key || $0.aliases.contains(key) }
    }
}
