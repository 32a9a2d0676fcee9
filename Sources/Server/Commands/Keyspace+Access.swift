/// Key access helpers shared by every command family: lookups that apply lazy expiry and
/// count keyspace hits and misses the way Redis's lookupKeyRead/lookupKeyWrite do.
extension Server {
    /// Lookup for reading: expires lazily, updates the access time (unless `touch` is false,
    /// Redis's LOOKUP_NOTOUCH for EXISTS, TYPE, TTL ...), counts hits/misses.
    @inline(__always)
    func lookupRead(_ db: Database, _ key: UnsafeRawBufferPointer, touch: Bool = true) -> Entry? {
        if let e = touch ? db.lookupTouch(key, now: now) : db.lookup(key, now: now) {
            stats.keyspaceHits += 1
            return e
        }
        stats.keyspaceMisses += 1
        notifyKeyspaceEvent(.keyMiss, "keymiss", key, db.id)
        return nil
    }

    /// Lookup for writing: expires lazily, no hit/miss accounting.
    @inline(__always)
    func lookupWrite(_ db: Database, _ key: UnsafeRawBufferPointer) -> Entry? {
        db.lookup(key, now: now)
    }

    /// The collection of type `T` at `key` for reading: nil when the key is missing; when it
    /// holds another type, replies WRONGTYPE and sets `wrongType`.
    func readValue<T: CopyOnWriteValue>(_ c: Client, _ key: UnsafeRawBufferPointer, as type: T.Type,
                                        wrongType: inout Bool) -> T? {
        guard let e = lookupRead(c.db, key) else { return nil }
        guard let v = T.extract(e.valuePointer.pointee) else {
            c.wrongType()
            wrongType = true
            return nil
        }
        return v
    }

    /// Deletes a key for a client command (DEL, UNLINK, GETDEL ...). Returns whether it existed.
    @discardableResult
    func deleteKey(_ db: Database, _ key: UnsafeRawBufferPointer) -> Bool {
        guard let e = db.detachLive(key, now: now) else { return false }
        e.free()
        return true
    }

    /// Stores the result of a *STORE command (SINTERSTORE, ZUNIONSTORE, ZRANGESTORE ...) at
    /// `dst`, replacing what was there, or deletes `dst` when the result is empty; replies
    /// with the result's size. A store counts as `dirty` changes (SORT counts every element it
    /// stores), a delete as one.
    func storeResult(_ c: Client, _ dst: UnsafeRawBufferPointer, _ value: Value, count: Int,
                     _ type: NotifyType, _ event: StaticString, dirty: Int64 = 1) {
        if count > 0 {
            c.db.set(dst, value, now: now)
            notifyKeyspaceEvent(type, event, dst, c.db.id)
        } else if deleteKey(c.db, dst) {
            notifyKeyspaceEvent(.generic, "del", dst, c.db.id)
        } else {
            c.int(0)
            return
        }
        signalModifiedKey(c.db, dst)
        changed(count > 0 ? dirty : 1)
        c.int(count)
    }

    /// Marks the dataset changed by `n` writes.
    @inline(__always)
    func changed(_ n: Int64 = 1) { dirty += n }
}

/// Absolute-expiry parsing shared by SET, SETEX, PSETEX and GETEX, with Redis's checks:
/// positive, no overflow when converted to milliseconds or made absolute.
enum ExpireUnit { case seconds, milliseconds }

extension Server {
    /// Parses an expire argument into absolute milliseconds, replying with the error on failure.
    func parseExpire(_ c: Client, _ arg: UnsafeRawBufferPointer, unit: ExpireUnit, absolute: Bool,
                     command: String) -> Int64? {
        guard var ms = parseStrictInt64(arg) else {
            c.notInteger()
            return nil
        }
        if ms <= 0 || (unit == .seconds && ms > Int64.max / 1000) {
            c.error("ERR invalid expire time in '\(command)' command")
            return nil
        }
        if unit == .seconds { ms *= 1000 }
        if !absolute {
            let (sum, overflow) = ms.addingReportingOverflow(now)
            if overflow || sum <= 0 {
                c.error("ERR invalid expire time in '\(command)' command")
                return nil
            }
            ms = sum
        }
        return ms
    }
}
