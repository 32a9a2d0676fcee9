/// Keyspace change signals that commands raise after a write, as Redis's `signalModifiedKey`
/// and `notifyKeyspaceEvent` do. Every write path calls both, so transactions (WATCH),
/// keyspace notifications and, later, client tracking hang off two functions instead of
/// every command.

/// The classes of `notify-keyspace-events` (the letters of the config value).
struct NotifyType: OptionSet {
    let rawValue: UInt32
    static let keyspace = NotifyType(rawValue: 1 << 0)   // K
    static let keyevent = NotifyType(rawValue: 1 << 1)   // E
    static let generic = NotifyType(rawValue: 1 << 2)    // g
    static let string = NotifyType(rawValue: 1 << 3)     // $
    static let list = NotifyType(rawValue: 1 << 4)       // l
    static let set = NotifyType(rawValue: 1 << 5)        // s
    static let hash = NotifyType(rawValue: 1 << 6)       // h
    static let zset = NotifyType(rawValue: 1 << 7)       // z
    static let expired = NotifyType(rawValue: 1 << 8)    // x
    static let evicted = NotifyType(rawValue: 1 << 9)    // e
    static let stream = NotifyType(rawValue: 1 << 10)    // t
    static let keyMiss = NotifyType(rawValue: 1 << 11)   // m (not part of A)
    static let module = NotifyType(rawValue: 1 << 12)    // d
    static let new = NotifyType(rawValue: 1 << 13)       // n (not part of A)
}

extension Server {
    /// A key's value changed (or the key appeared or went away): WATCHes on it are broken.
    /// Called once per modified key by every write command and by expiry (FLUSH and SWAPDB
    /// touch whole databases through `touchAllWatchedKeys`). Free while the database has no
    /// watched keys.
    @inline(__always)
    func signalModifiedKey(_ db: Database, _ key: UnsafeRawBufferPointer) {
        if !db.watchedKeys.isEmpty { touchWatchedKey(db, key) }
    }

    /// Publishes a keyspace event (`__keyspace@<db>__:<key>` / `__keyevent@<db>__:<event>`)
    /// when `notify-keyspace-events` enables its class.
    func notifyKeyspaceEvent(_ type: NotifyType, _ event: StaticString, _ key: UnsafeRawBufferPointer,
                             _ dbid: Int) {
        // Implemented with pub/sub.
    }
}

/// What the databases report by themselves: keys deleted by expiry (lazily or by the active
/// cycle) and keys created, wherever the creation comes from (Redis's dbAdd).
extension Server: KeyspaceListener {
    func keyExpired(db: Database, key: UnsafeRawBufferPointer) {
        stats.expiredKeys += 1
        notifyKeyspaceEvent(.expired, "expired", key, db.id)
        signalModifiedKey(db, key)
    }

    func keyAdded(db: Database, key: UnsafeRawBufferPointer) {
        notifyKeyspaceEvent(.new, "new", key, db.id)
    }
}
