/// One cgroup directory in one hierarchy, with the controllers clusterbox drives through it.
struct CgroupDirectory: Sendable, Hashable {
    var path: String
    var version: CgroupVersion
    /// v1: the hierarchy's controllers that clusterbox uses (`cpu`, `cpuacct`, …). v2: the controllers enabled
    /// for clusterbox's tasks (none on a hybrid host whose v1 side claimed them all).
    var controllers: [String]

    func child(_ name: String) -> CgroupDirectory {
        CgroupDirectory(path: path + "/" + name, version: version, controllers: controllers)
    }

    /// A name we accept for a subtree root or a task cgroup: one path component, not hidden, not a cgroup file.
    static func validate(_ name: String) throws(CgroupError) {
        let forbidden =
            name.isEmpty || name.utf8.count > 200 || name.hasPrefix(".") || name.contains("/")
            || name.contains("\0") || name.contains("\n")
        guard !forbidden else { throw .invalidName(name) }
    }
}
