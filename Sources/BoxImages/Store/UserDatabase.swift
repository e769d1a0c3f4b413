internal import CBoxImages

#if canImport(Glibc)
    import Glibc
#endif

/// An image's own `/etc/passwd` and `/etc/group`, read inside its rootfs (symlinks resolved as if the rootfs were
/// "/", so a link to the host's files reads nothing of the host).
struct UserDatabase {
    struct User: Hashable {
        var name: String
        var uid: UInt32
        var gid: UInt32
        var home: String
    }

    struct Group: Hashable {
        var name: String
        var gid: UInt32
        var members: [String]
    }

    var users: [User] = []
    var groups: [Group] = []

    init(users: [User] = [], groups: [Group] = []) {
        self.users = users
        self.groups = groups
    }

    /// Reads the files in `rootfs`; a missing file reads as empty.
    init(rootfs: String) throws {
        let root = try RootedDirectory(rootfs)
        users = Self.parsePasswd(try Self.read("etc/passwd", in: root))
        groups = Self.parseGroup(try Self.read("etc/group", in: root))
    }

    private static func read(_ path: String, in root: RootedDirectory) throws -> String {
        let opened: OwnedFD?
        do {
            opened = try root.open(path, flags: O_RDONLY)
        } catch {
            guard error.errno == ENOENT || error.errno == ENOTDIR else { throw error }
            opened = nil
        }
        guard let fd = opened else { return "" }
        guard try fd.stat().isRegular else { return "" }
        return String(decoding: try FileIO.readAll(fd.raw, limit: 4 << 20, step: "read /\(path)"), as: UTF8.self)
    }

    /// `name:password:uid:gid:gecos:home:shell` lines; malformed lines are skipped, as libc does.
    static func parsePasswd(_ text: String) -> [User] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 4, !fields[0].isEmpty, let uid = UInt32(fields[2]), let gid = UInt32(fields[3])
            else { return nil }
            return User(name: String(fields[0]), uid: uid, gid: gid, home: fields.count > 5 ? String(fields[5]) : "/")
        }
    }

    /// `name:password:gid:member,member` lines.
    static func parseGroup(_ text: String) -> [Group] {
        text.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            guard fields.count >= 3, !fields[0].isEmpty, let gid = UInt32(fields[2]) else { return nil }
            let members = fields.count > 3 ? fields[3].split(separator: ",").map(String.init) : []
            return Group(name: String(fields[0]), gid: gid, members: members)
        }
    }

    /// Resolves Docker's `User` forms: `name`, `uid`, `name:group`, `uid:gid` and the mixes. A name must exist in
    /// the image; a uid need not (its gid is then 0, as with Docker). Supplementary groups are those of
    /// `/etc/group` that list the user by name, without the primary one.
    func resolve(_ spec: String) throws -> (uid: UInt32, gid: UInt32, groups: [UInt32], home: String) {
        let parts = spec.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        let userPart = parts[0]
        guard !userPart.isEmpty else { throw ImageError.userNotFound(spec, reason: "no user name or uid") }
        let user: User?
        let uid: UInt32
        if let number = UInt32(userPart) {
            uid = number
            user = users.first { $0.uid == number }
        } else {
            guard let found = users.first(where: { $0.name == userPart }) else {
                throw ImageError.userNotFound(spec, reason: "no user \(userPart) in the image's /etc/passwd")
            }
            user = found
            uid = found.uid
        }
        var gid = user?.gid ?? 0
        if parts.count == 2 {
            let groupPart = parts[1]
            if let number = UInt32(groupPart) {
                gid = number
            } else if let group = groups.first(where: { $0.name == groupPart }) {
                gid = group.gid
            } else {
                throw ImageError.userNotFound(spec, reason: "no group \(groupPart) in the image's /etc/group")
            }
        }
        var supplementary: [UInt32] = []
        if let name = user?.name {
            for group in groups
            where group.members.contains(name) && group.gid != gid
                && !supplementary.contains(group.gid)
            {
                supplementary.append(group.gid)
            }
        }
        return (uid, gid, supplementary, user?.home ?? "/")
    }
}
