/// Told about keyspace events that other subsystems care about (stats, propagation, WATCH).
protocol KeyspaceListener: AnyObject {
    /// A key was deleted because its time to live passed (lazily or by the active cycle).
    /// It is already unlinked; `key` stays valid for the call.
    func keyExpired(db: Database, key: UnsafeRawBufferPointer)
    /// A key was created, whatever created it (Redis's dbAdd): SET, a push to a missing list,
    /// RENAME, COPY, MOVE ... Clients blocked on the key and the "new" event hang off this.
    func keyAdded(db: Database, key: UnsafeRawBufferPointer, value: Value)
}

/// One of the numbered databases: the main dictionary plus an expiry index.
///
/// The expiry index is a dense array of the entries that carry a TTL; each such entry records
/// its position (`expIndex`), so adding, removing and uniformly sampling a key with a TTL are
/// all O(1). The active-expire cycle samples it instead of a second hash table.
public final class Database {
    public let id: Int
    private(set) var dict = Dict()
    private(set) var expiring: [Entry] = []
    /// Running estimate of the average TTL of sampled keys (INFO keyspace avg_ttl).
    var avgTTL: Int64 = 0
    /// The server, which outlives its databases. Not `weak`: a weak reference gives the
    /// server a side table, and then every retain/release of it takes the slow path.
    unowned(unsafe) var listener: KeyspaceListener? = nil
    /// WATCHed keys of this database and the watches on each (see WatchedKeys.swift). Not
    /// part of the contents: SWAPDB leaves it with the database number.
    var watchedKeys: [[UInt8]: [WatchedKey]] = [:]

    init(id: Int) { self.id = id }

    public var count: Int { dict.count }
    public var expiresCount: Int { expiring.count }

    // MARK: - Lookup

    /// The live entry for `key`, deleting it first if its TTL has passed.
    @inline(__always)
    func lookup(_ key: UnsafeRawBufferPointer, now: Int64) -> Entry? {
        guard let e = dict.find(key) else { return nil }
        let at = e.expireAt
        if at >= 0 && at <= now {
            expireEntry(e)
            return nil
        }
        return e
    }

    /// Like `lookup`, and marks the key as accessed (OBJECT IDLETIME).
    @inline(__always)
    func lookupTouch(_ key: UnsafeRawBufferPointer, now: Int64) -> Entry? {
        guard let e = lookup(key, now: now) else { return nil }
        e.lru = LRUClock.touched(e.lru)
        return e
    }

    /// Whether the entry's TTL has passed; if so deletes it and reports the expiry.
    @discardableResult
    func expireIfNeeded(_ e: Entry, now: Int64) -> Bool {
        let at = e.expireAt
        guard at >= 0 && at <= now else { return false }
        expireEntry(e)
        return true
    }

    /// The listener hears of the expiry once the key is gone (WATCH checks whether it still
    /// exists), through the key bytes inside the unlinked entry, which is freed only after:
    /// no copy of the key is needed.
    private func expireEntry(_ e: Entry) {
        guard let gone = detach(e.key) else { return }
        listener?.keyExpired(db: self, key: gone.key)
        gone.free()
    }

    // MARK: - Writes

    /// Adds a key that is known to be absent, telling the listener (the "new" event).
    @discardableResult
    func add(_ key: UnsafeRawBufferPointer, _ value: Value) -> Entry {
        let e = Entry.make(key: key, value: value)
        dict.insert(e)
        listener?.keyAdded(db: self, key: e.key, value: value)
        return e
    }

    /// Replaces the value of an existing entry in place; the TTL is kept unless `keepTTL` is
    /// false, in which case it is cleared (SET semantics).
    func overwrite(_ e: Entry, _ value: Value, keepTTL: Bool) {
        dict.willModify(e.key)
        e.value = value
        e.lru = LRUClock.touched(e.lru)
        if !keepTTL && e.expireAt >= 0 { removeExpire(e) }
    }

    /// Sets `key` to `value`, creating it if needed (SET without options). The key is hashed
    /// once for the lookup and the insert; a key whose TTL passed counts as expired first.
    @discardableResult
    func set(_ key: UnsafeRawBufferPointer, _ value: Value, keepTTL: Bool = false, now: Int64) -> Entry {
        let h = dict.hash(key)
        if let e = dict.find(key, hash: h) {
            if !expireIfNeeded(e, now: now) {
                overwrite(e, value, keepTTL: keepTTL)
                return e
            }
        }
        let e = Entry.make(key: key, value: value)
        dict.insert(e, hash: h)
        listener?.keyAdded(db: self, key: e.key, value: value)
        return e
    }

    /// Mutates a string value in place (APPEND, SETRANGE). The bytes are moved out of the entry
    /// first so that, unless a snapshot shares them, they are uniquely owned and grow without a
    /// copy. The result is a "raw" string, as in Redis.
    func mutateString(_ e: Entry, _ body: (inout [UInt8]) -> Void) {
        dict.willModify(e.key)
        var bytes: [UInt8]
        if case .string(let b, _) = e.value {
            bytes = b
            e.value = .int(0)
        } else {
            bytes = e.value.bytes
        }
        body(&bytes)
        e.value = .string(bytes, raw: true)
        e.lru = LRUClock.touched(e.lru)
    }

    /// Mutates a collection value in place (the write barrier runs first). The value is taken
    /// out of the entry, so that unless a snapshot or a COPY shares it, it is uniquely
    /// referenced and changes without a copy; when shared, it is copied first.
    private func mutate<T: CopyOnWriteValue, R>(_ e: Entry, _ type: T.Type, _ body: (T) -> R) -> R {
        dict.willModify(e.key)
        guard var value = T.extract(e.value) else { preconditionFailure("not a \(T.self)") }
        e.value = .int(0)
        if !isKnownUniquelyReferenced(&value) { value = value.copy() }
        let r = body(value)
        e.value = value.wrapped
        return r
    }

    func mutateList<R>(_ e: Entry, _ body: (ListValue) -> R) -> R { mutate(e, ListValue.self, body) }
    func mutateHash<R>(_ e: Entry, _ body: (HashValue) -> R) -> R { mutate(e, HashValue.self, body) }
    func mutateSet<R>(_ e: Entry, _ body: (SetValue) -> R) -> R { mutate(e, SetValue.self, body) }
    func mutateZSet<R>(_ e: Entry, _ body: (ZSetValue) -> R) -> R { mutate(e, ZSetValue.self, body) }

    /// Deletes `key`. Returns whether it existed (expired or not).
    @discardableResult
    func delete(_ key: UnsafeRawBufferPointer) -> Bool {
        guard let e = dict.unlink(key) else { return false }
        if e.expireAt >= 0 { dropFromExpiryIndex(e) }
        e.free()
        return true
    }

    /// Unlinks the live entry for `key` in one hash-table walk (DEL, UNLINK). An entry whose
    /// TTL had passed is freed as an expiry and nil is returned, as if it had not been there.
    func detachLive(_ key: UnsafeRawBufferPointer, now: Int64) -> Entry? {
        guard let e = detach(key) else { return nil }
        if e.expireAt >= 0 && e.expireAt <= now {
            listener?.keyExpired(db: self, key: e.key)
            e.free()
            return nil
        }
        return e
    }

    /// Unlinks the entry for `key` without freeing it (RENAME/MOVE reuse the value).
    func detach(_ key: UnsafeRawBufferPointer) -> Entry? {
        guard let e = dict.unlink(key) else { return nil }
        if e.expireAt >= 0 { dropFromExpiryIndex(e) }
        return e
    }

    /// Sets an absolute expiry (ms).
    func setExpire(_ e: Entry, at: Int64) {
        dict.willModify(e.key)
        if e.expireAt < 0 {
            e.expIndex = UInt32(expiring.count)
            expiring.append(e)
        }
        e.expireAt = at
    }

    /// Clears the TTL. Returns whether there was one.
    @discardableResult
    func removeExpire(_ e: Entry) -> Bool {
        guard e.expireAt >= 0 else { return false }
        dict.willModify(e.key)
        dropFromExpiryIndex(e)
        e.expireAt = -1
        return true
    }

    private func dropFromExpiryIndex(_ e: Entry) {
        let i = Int(e.expIndex)
        let last = expiring.removeLast()
        if i < expiring.count {
            expiring[i] = last
            last.expIndex = UInt32(i)
        }
        e.expIndex = Entry.noExpIndex
    }

    /// Empties the database. The entries are handed back in a detached dictionary so the
    /// caller can free them now or on a background thread (FLUSHALL ASYNC).
    func takeAll() -> Dict {
        expiring = []
        avgTTL = 0
        return dict.takeAll()
    }

    /// Exchanges contents with another database (SWAPDB).
    func swapContents(with other: Database) {
        swap(&dict, &other.dict)
        swap(&expiring, &other.expiring)
        swap(&avgTTL, &other.avgTTL)
    }

    // MARK: - Active expiry

    /// Samples up to `count` keys with a TTL and deletes the expired ones.
    /// Returns (sampled, expired).
    func expireSample(_ count: Int, now: Int64) -> (sampled: Int, expired: Int) {
        var sampled = 0, expired = 0
        var ttlSum: Double = 0, ttlSamples = 0
        while sampled < count && !expiring.isEmpty {
            let e = expiring[FastRandom.below(expiring.count)]
            sampled += 1
            if expireIfNeeded(e, now: now) {
                expired += 1
            } else {
                // In floating point: expiry times up to Int64.max are legal, and a sum of a few
                // of them would overflow.
                ttlSum += Double(e.expireAt - now)
                ttlSamples += 1
            }
        }
        if ttlSamples > 0 {
            let avg = Int64(min(ttlSum / Double(ttlSamples), Double(Int64.max / 2)))
            avgTTL = avgTTL == 0 ? avg : (avgTTL / 50) * 49 + avg / 50
        }
        return (sampled, expired)
    }
}
