import CEventShim

/// Hash commands (Redis's t_hash.c).
enum HashCommands {
    // MARK: - Helpers

    static func readHash(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer,
                         failed: inout Bool) -> HashValue? {
        s.readValue(c, key, as: HashValue.self, wrongType: &failed)
    }

    /// The entry of the hash at `key` for writing, created when `create`; nil after WRONGTYPE
    /// (or when missing and not created).
    static func writeHash(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, create: Bool,
                          failed: inout Bool) -> Entry? {
        if let e = s.lookupWrite(c.db, key) {
            guard e.value.isHash else { c.wrongType(); failed = true; return nil }
            return e
        }
        return create ? c.db.add(key, .hash(HashValue())) : nil
    }

    static func reply(_ c: Client, _ v: HashValue.FieldValue) {
        switch v {
        case .packed(.int(let i)), .value(.int(let i)): rw_reply_bulk_int(c.raw, i)
        default: v.withBytes { c.bulk($0) }
        }
    }

    /// Deletes the key when its hash became empty; returns whether it did.
    static func deleteIfEmpty(_ c: Client, _ e: Entry, _ key: UnsafeRawBufferPointer) -> Bool {
        guard case .hash(let h) = e.valuePointer.pointee, h.count == 0 else { return false }
        c.db.delete(key)
        return true
    }

    // MARK: - Set and get

    /// Sets the field/value pairs of HSET and HMSET; returns how many fields were new, or nil
    /// after an error reply.
    static func setPairs(_ s: Server, _ c: Client, _ a: Args, command: String) -> Int? {
        guard a.count % 2 == 0 else { c.arityError(command); return nil }
        var failed = false
        guard let e = writeHash(s, c, a[1], create: true, failed: &failed) else { return nil }
        let added = c.db.mutateHash(e) { h -> Int in
            var n = 0
            for i in stride(from: 2, to: a.count, by: 2) where h.set(a[i], a[i + 1]) { n += 1 }
            return n
        }
        s.changed(Int64(a.count / 2 - 1))
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.hash, "hset", a[1], c.db.id)
        return added
    }

    static func hset(_ s: Server, _ c: Client, _ a: Args) {
        if let added = setPairs(s, c, a, command: "hset") { c.int(added) }
    }

    static func hmset(_ s: Server, _ c: Client, _ a: Args) {
        if setPairs(s, c, a, command: "hmset") != nil { c.ok() }
    }

    static func hsetnx(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        if let e = s.lookupWrite(c.db, a[1]) {
            guard case .hash(let h) = e.valuePointer.pointee else { c.wrongType(); return }
            if h.get(a[2]) != nil { c.int(0); return }
        }
        guard let e = writeHash(s, c, a[1], create: true, failed: &failed) else { return }
        c.db.mutateHash(e) { $0.set(a[2], a[3]) }
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.hash, "hset", a[1], c.db.id)
        c.int(1)
    }

    static func hget(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let h = readHash(s, c, a[1], failed: &failed)
        if failed { return }
        guard let v = h?.get(a[2]) else { c.null(); return }
        reply(c, v)
    }

    static func hmget(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let h = readHash(s, c, a[1], failed: &failed)
        if failed { return }
        c.array(a.count - 2)
        for i in 2..<a.count {
            if let v = h?.get(a[i]) { reply(c, v) } else { c.null() }
        }
    }

    static func hdel(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        guard let e = writeHash(s, c, a[1], create: false, failed: &failed) else {
            if !failed { c.int(0) }
            return
        }
        let n = c.db.mutateHash(e) { h -> Int in
            var n = 0
            for i in 2..<a.count where h.delete(a[i]) { n += 1 }
            return n
        }
        if n > 0 {
            let removed = deleteIfEmpty(c, e, a[1])
            s.changed(Int64(n))
            s.signalModifiedKey(c.db, a[1])
            s.notifyKeyspaceEvent(.hash, "hdel", a[1], c.db.id)
            if removed { s.notifyKeyspaceEvent(.generic, "del", a[1], c.db.id) }
        }
        c.int(n)
    }

    static func hlen(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let h = readHash(s, c, a[1], failed: &failed)
        if failed { return }
        c.int(h?.count ?? 0)
    }

    static func hstrlen(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let h = readHash(s, c, a[1], failed: &failed)
        if failed { return }
        c.int(h?.get(a[2])?.withBytes { $0.count } ?? 0)
    }

    static func hexists(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let h = readHash(s, c, a[1], failed: &failed)
        if failed { return }
        c.int(h?.get(a[2]) != nil ? 1 : 0)
    }

    /// HKEYS, HVALS and HGETALL.
    static func getAll(_ s: Server, _ c: Client, _ a: Args, fields: Bool, values: Bool) {
        var failed = false
        let h = readHash(s, c, a[1], failed: &failed)
        if failed { return }
        guard let hash = h else {
            if fields && values { c.map(0) } else { c.array(0) }
            return
        }
        if fields && values { c.map(hash.count) } else { c.array(hash.count) }
        hash.forEach { f, v in
            if fields { reply(c, f) }
            if values { reply(c, v) }
        }
    }

    static func hkeys(_ s: Server, _ c: Client, _ a: Args) { getAll(s, c, a, fields: true, values: false) }
    static func hvals(_ s: Server, _ c: Client, _ a: Args) { getAll(s, c, a, fields: false, values: true) }
    static func hgetall(_ s: Server, _ c: Client, _ a: Args) { getAll(s, c, a, fields: true, values: true) }

    // MARK: - Counters

    /// The current number in field `a[2]` of hash `a[1]` for HINCRBY/HINCRBYFLOAT: `zero` when
    /// the key or field is missing; nil after replying WRONGTYPE or `notANumber`.
    static func counterValue<N>(_ s: Server, _ c: Client, _ a: Args, zero: N, notANumber: StaticString,
                                _ parse: (UnsafeRawBufferPointer) -> N?) -> N? {
        guard let e = s.lookupWrite(c.db, a[1]) else { return zero }
        guard case .hash(let h) = e.valuePointer.pointee else { c.wrongType(); return nil }
        guard let v = h.get(a[2]) else { return zero }
        guard let n = v.withBytes(parse) else { c.error(notANumber); return nil }
        return n
    }

    /// Stores a counter's new text in field `a[2]`, creating the hash if needed, and raises
    /// `event`.
    static func storeCounter(_ s: Server, _ c: Client, _ a: Args, _ text: [UInt8], event: StaticString) -> Bool {
        var failed = false
        guard let e = writeHash(s, c, a[1], create: true, failed: &failed) else { return false }
        text.withUnsafeBytes { v in c.db.mutateHash(e) { $0.set(a[2], v) } }
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.hash, event, a[1], c.db.id)
        return true
    }

    static func hincrby(_ s: Server, _ c: Client, _ a: Args) {
        guard let incr = a.int(3) else { c.notInteger(); return }
        guard let current = counterValue(s, c, a, zero: Int64(0), notANumber: "ERR hash value is not an integer",
                                         { parseStrictInt64($0) }) else { return }
        let (result, overflow) = current.addingReportingOverflow(incr)
        if overflow { c.error("ERR increment or decrement would overflow"); return }
        if storeCounter(s, c, a, int64Bytes(result), event: "hincrby") { c.int(result) }
    }

    static func hincrbyfloat(_ s: Server, _ c: Client, _ a: Args) {
        guard let incr = parseLongDouble(a[3]) else { c.notFloat(); return }
        if !incr.isFinite { c.error("ERR value is NaN or Infinity"); return }
        guard let current = counterValue(s, c, a, zero: Float80(0), notANumber: "ERR hash value is not a float",
                                         parseLongDouble) else { return }
        let result = current + incr
        guard result.isFinite, let text = formatLongDoubleHuman(result) else {
            c.error("ERR increment would produce NaN or Infinity")
            return
        }
        if storeCounter(s, c, a, text, event: "hincrbyfloat") {
            c.propagate(as: [[word("HSET"), a.bytes(1), a.bytes(2), text]])
            c.bulk(text)
        }
    }

    // MARK: - Random and scan

    static func hrandfield(_ s: Server, _ c: Client, _ a: Args) {
        guard let (count, withValues) = RandomMembers.parse(c, a, withWord: "WITHVALUES") else { return }
        var failed = false
        let h = readHash(s, c, a[1], failed: &failed)
        if failed { return }
        guard let n = count else {
            guard let (f, _) = h?.randomPair() else { c.null(); return }
            reply(c, f)
            return
        }
        guard let hash = h, n != 0 else { c.array(0); return }
        func emit(_ f: HashValue.FieldValue, _ v: HashValue.FieldValue) {
            if withValues && c.resp >= 3 { c.array(2) }
            reply(c, f)
            if withValues { reply(c, v) }
        }
        let perItem = withValues && c.resp < 3 ? 2 : 1
        if n < 0 {
            guard let draws = RandomMembers.draws(c, n) else { return }
            c.array(draws * perItem)
            for _ in 0..<draws {
                let (f, v) = hash.randomPair()!
                emit(f, v)
            }
            return
        }
        // Distinct fields: all of them when count covers the hash, else a random subset.
        var pairs: [(HashValue.FieldValue, HashValue.FieldValue)] = []
        hash.forEach { f, v in pairs.append((f, v)) }
        if Int64(pairs.count) > n {
            pairs = RandomMembers.distinct(Int(n), of: pairs.count).map { pairs[$0] }
        }
        c.array(pairs.count * perItem)
        for (f, v) in pairs { emit(f, v) }
    }

    static func hscan(_ s: Server, _ c: Client, _ a: Args) {
        guard let cursor = KeyCommands.parseCursor(c, a[2]) else { return }
        var failed = false
        let h = readHash(s, c, a[1], failed: &failed)
        if failed { return }
        guard let hash = h else { CollectionScan.replyEmpty(c); return }
        var whole: ((CollectionScan.Emit) -> Void)? = nil
        if case .packed = hash.storage {
            whole = { emit in hash.forEach { f, v in emit(f.withBytes { Array($0) }, v.withBytes { Array($0) }) } }
        }
        CollectionScan.run(c, a, optionsFrom: 3, cursor: cursor, whole: whole) { next, emit in
            hash.scanTable(next) { e in emit(e.keyBytes, e.value.bytes) }
        }
    }
}
