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

/// The `notify-keyspace-events` text.
extension NotifyType {
    /// "A": every class but key misses and new keys.
    static let all: NotifyType = [.generic, .string, .list, .set, .hash, .zset, .expired, .evicted,
                                  .stream, .module]

    private static let letters: [(Character, NotifyType)] = [
        ("g", .generic), ("$", .string), ("l", .list), ("s", .set), ("h", .hash), ("z", .zset),
        ("x", .expired), ("e", .evicted), ("t", .stream), ("d", .module), ("n", .new),
        ("K", .keyspace), ("E", .keyevent), ("m", .keyMiss),
    ]

    /// Parses the config value (Redis's keyspaceEventsStringToFlags); nil on an unknown letter.
    init?(config text: String) {
        var flags = NotifyType()
        for ch in text {
            if ch == "A" {
                flags.formUnion(.all)
            } else if let (_, f) = NotifyType.letters.first(where: { $0.0 == ch }) {
                flags.formUnion(f)
            } else {
                return nil
            }
        }
        self = flags
    }

    /// The config value as CONFIG GET shows it (Redis's keyspaceEventsFlagsToString): "A" for
    /// all the classes it stands for, else their letters, then K, E and m. Like Redis, "n" is
    /// not shown when "A" is.
    var configText: String {
        var out = ""
        if isSuperset(of: .all) {
            out = "A"
        } else {
            for (ch, f) in NotifyType.letters.prefix(11) where contains(f) { out.append(ch) }
        }
        for (ch, f) in NotifyType.letters.suffix(3) where contains(f) { out.append(ch) }
        return out
    }

    static let configError = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
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

    /// Publishes a keyspace event (`__keyspace@<db>__:<key>` → event and
    /// `__keyevent@<db>__:<event>` → key) when `notify-keyspace-events` enables its class.
    /// While notifications are off (the default) this is one flag test.
    @inline(__always)
    func notifyKeyspaceEvent(_ type: NotifyType, _ event: StaticString, _ key: UnsafeRawBufferPointer,
                             _ dbid: Int) {
        if config.notifyKeyspaceEvents.rawValue & type.rawValue == 0 { return }
        publishKeyspaceEvent(event, key, dbid)
    }

    @inline(never)
    private func publishKeyspaceEvent(_ event: StaticString, _ key: UnsafeRawBufferPointer, _ dbid: Int) {
        // With no subscriber at all nothing could be delivered: skip building the channels.
        if pubsub.channels.isEmpty && pubsub.patterns.isEmpty { return }
        let flags = config.notifyKeyspaceEvents
        let eventBytes = UnsafeRawBufferPointer(start: event.utf8Start, count: event.utf8CodeUnitCount)
        let db = Array(String(dbid).utf8)
        if flags.contains(.keyspace) {
            let channel = Array("__keyspace@".utf8) + db + Array("__:".utf8) + Array(key)
            channel.withUnsafeBytes { publish($0, eventBytes) }
        }
        if flags.contains(.keyevent) {
            let channel = Array("__keyevent@".utf8) + db + Array("__:".utf8) + Array(eventBytes)
            channel.withUnsafeBytes { publish($0, key) }
        }
    }
}

/// What the databases report by themselves: keys deleted by expiry (lazily or by the active
/// cycle) and keys created, wherever the creation comes from (Redis's dbAdd).
extension Server: KeyspaceListener {
    func keyExpired(db: Database, key: UnsafeRawBufferPointer) {
        stats.expiredKeys += 1
        if changes.enabled {
            let del = config.bool("lazyfree-lazy-expire") ? "UNLINK" : "DEL"
            changes.append(db: db.id, [Array(del.utf8), Array(key.bindMemory(to: UInt8.self))])
        }
        notifyKeyspaceEvent(.expired, "expired", key, db.id)
        signalModifiedKey(db, key)
    }

    /// A key was created (Redis's dbAdd): the "new" keyspace event.
    func keyAdded(db: Database, key: UnsafeRawBufferPointer, value: Value) {
        if blocking.blockedCount > 0 { signalKeyAsReady(db, key, value) }
        notifyKeyspaceEvent(.new, "new", key, db.id)
    }
}
