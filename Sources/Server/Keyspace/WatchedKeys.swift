/// WATCH: optimistic locking for MULTI/EXEC, after Redis 7.0's multi.c.
///
/// Each database indexes its watched keys (`Database.watchedKeys`: key → the watches on it)
/// and each client lists its own watches (`TransactionState.watched`); one `WatchedKey`
/// object sits in both. A write touches a key through `signalModifiedKey`, which returns at
/// once when the database's index is empty, so writes cost nothing while nobody watches.
/// A touched watcher is marked dirty (EXEC will answer a null array) and all its watches are
/// dropped at once: nothing later can make it less dirty, and the memory is given back.

/// One key watched by one client in one database.
final class WatchedKey {
    let key: [UInt8]
    /// Databases live as long as the server; a client's watches are dropped before it goes
    /// away (`Server.clientClosed`), so neither reference can dangle.
    unowned(unsafe) let db: Database
    unowned(unsafe) let client: Client
    /// The key was there but already past its TTL when WATCH ran. Its (lazy or active)
    /// deletion is then no change at all: the key was logically gone already.
    var expired: Bool

    init(key: [UInt8], db: Database, client: Client, expired: Bool) {
        self.key = key
        self.db = db
        self.client = client
        self.expired = expired
    }

    /// Memory a watch holds: the key, the object and its slot in two arrays.
    var footprint: Int { key.count + 64 }
}

extension Server {
    // MARK: - Watching

    /// Watches `key` in the client's current database (Redis's watchForKey). Watching a key
    /// twice is one watch.
    func watchKey(_ c: Client, _ key: UnsafeRawBufferPointer) {
        let db = c.db
        let name = Array(key)
        if let watches = db.watchedKeys[name], watches.contains(where: { $0.client === c }) { return }
        let wk = WatchedKey(key: name, db: db, client: c, expired: keyIsExpired(db, key))
        db.watchedKeys[name, default: []].append(wk)
        c.tx.watched.append(wk)
        c.tx.memory += wk.footprint
    }

    /// Drops every watch of the client (UNWATCH, EXEC, DISCARD, a touch, disconnection).
    /// Leaves the dirty flag to the caller.
    func unwatchAllKeys(_ c: Client) {
        if c.tx.watched.isEmpty { return }
        for wk in c.tx.watched {
            let db = wk.db
            guard var watches = db.watchedKeys.removeValue(forKey: wk.key) else { continue }
            watches.removeAll { $0 === wk }
            if !watches.isEmpty { db.watchedKeys[wk.key] = watches }
            c.tx.memory -= wk.footprint
        }
        c.tx.watched = []
    }

    /// Whether a key the client watched while it was live has passed its TTL since, deleted
    /// or not: EXEC then fails, as in Redis 7.0 (a key that expires counts as modified).
    func isWatchedKeyExpired(_ c: Client) -> Bool {
        for wk in c.tx.watched where !wk.expired {
            if wk.key.withUnsafeBytes({ keyIsExpired(wk.db, $0) }) { return true }
        }
        return false
    }

    /// Present but past its TTL (not yet reclaimed). Same test as `Database.lookup`.
    private func keyIsExpired(_ db: Database, _ key: UnsafeRawBufferPointer) -> Bool {
        guard let e = db.dict.find(key) else { return false }
        return e.expireAt >= 0 && e.expireAt <= now
    }

    // MARK: - Touching

    /// Marks every client watching `key` in `db` dirty (Redis's touchWatchedKey). The caller,
    /// `signalModifiedKey`, has checked that the database has watched keys at all.
    func touchWatchedKey(_ db: Database, _ key: UnsafeRawBufferPointer) {
        guard let watches = db.watchedKeys[Array(key)] else { return }
        for wk in watches {
            if wk.expired {
                // Watched while already expired: deleting it now changes nothing.
                if db.dict.find(key) == nil {
                    wk.expired = false
                    continue
                }
                // Redis 7.0 stops at such a watch while the key is still present, leaving the
                // watchers after it alone. (Every write path deletes an expired key before
                // touching it, so this is not reached in practice.)
                break
            }
            wk.client.tx.dirtyCAS = true
            unwatchAllKeys(wk.client)
        }
    }

    /// FLUSHDB/FLUSHALL (`replacedWith` nil) and SWAPDB: the keys watched in `emptied` that
    /// exist in it, or in the database about to take its place, are touched (Redis's
    /// touchAllWatchedKeysInDb). Call before the contents change.
    func touchAllWatchedKeys(in emptied: Database, replacedWith other: Database?) {
        if emptied.watchedKeys.isEmpty { return }
        // A copy of the index: touched clients drop their watches from it meanwhile.
        for (name, watches) in emptied.watchedKeys {
            name.withUnsafeBytes { key in
                let existsHere = emptied.dict.find(key) != nil
                let existsThere = other?.dict.find(key) != nil
                guard existsHere || existsThere else { return }
                for wk in watches {
                    if wk.expired {
                        // Watched while expired: gone now, or still expired, is no change.
                        if !existsThere {
                            wk.expired = false
                            continue
                        }
                        if keyIsExpired(other!, key) { continue }
                    } else if !existsHere && keyIsExpired(other!, key) {
                        // A missing key replaced by an expired one: still logically missing.
                        wk.expired = true
                        continue
                    }
                    wk.client.tx.dirtyCAS = true
                    unwatchAllKeys(wk.client)
                }
            }
        }
    }
}
