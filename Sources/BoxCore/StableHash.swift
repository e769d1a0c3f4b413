/// FNV-1a over UTF-8: the same number in every run, unlike `Hasher`, for names that must outlive a restart (a
/// service's virtual IP, a cluster's cgroup subtree).
public enum StableHash {
    public static func fnv1a(_ text: String) -> UInt64 {
        text.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
