import CEventShim

/// Set commands (Redis's t_set.c).
enum SetCommands {
    // MARK: - Helpers

    static func readSet(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, failed: inout Bool) -> SetValue? {
        s.readValue(c, key, as: SetValue.self, wrongType: &failed)
    }

    static func reply(_ c: Client, _ e: SetValue.Element) {
        switch e {
        case .int(let v): rw_reply_bulk_int(c.raw, v)
        case .member(let m): c.bulk(m.key)
        }
    }

    /// Replies with every member of `set` (a RESP3 set; an array in RESP2).
    static func replyMembers(_ c: Client, _ set: SetValue?) {
        guard let set = set else { c.set(0); return }
        c.set(set.count)
        set.forEach { reply(c, $0) }
    }

    /// Deletes `key` when its set became empty (Redis never keeps an empty collection).
    static func deleteIfEmpty(_ s: Server, _ c: Client, _ e: Entry, _ key: UnsafeRawBufferPointer) {
        if case .set(let set) = e.valuePointer.pointee, set.count == 0 {
            c.db.delete(key)
            s.notifyKeyspaceEvent(.generic, "del", key, c.db.id)
        }
    }

    // MARK: - Add, remove, move

    static func sadd(_ s: Server, _ c: Client, _ a: Args) {
        let key = a[1]
        let e: Entry
        if let found = s.lookupWrite(c.db, key) {
            guard found.value.isSet else { c.wrongType(); return }
            e = found
        } else {
            e = c.db.add(key, .set(SetValue(first: a[2])))
        }
        let added = c.db.mutateSet(e) { set -> Int in
            var n = 0
            for i in 2..<a.count where set.add(a[i]) { n += 1 }
            return n
        }
        if added > 0 {
            s.signalModifiedKey(c.db, key)
            s.notifyKeyspaceEvent(.set, "sadd", key, c.db.id)
            s.changed(Int64(added))
        }
        c.int(added)
    }

    static func srem(_ s: Server, _ c: Client, _ a: Args) {
        let key = a[1]
        guard let e = s.lookupWrite(c.db, key) else { c.int(0); return }
        guard e.value.isSet else { c.wrongType(); return }
        let removed = c.db.mutateSet(e) { set -> Int in
            var n = 0
            for i in 2..<a.count where set.remove(a[i]) {
                n += 1
                if set.count == 0 { break }
            }
            return n
        }
        if removed > 0 {
            s.signalModifiedKey(c.db, key)
            s.notifyKeyspaceEvent(.set, "srem", key, c.db.id)
            deleteIfEmpty(s, c, e, key)
            s.changed(Int64(removed))
        }
        c.int(removed)
    }

    static func smove(_ s: Server, _ c: Client, _ a: Args) {
        let srcKey = a[1], dstKey = a[2], member = a[3]
        let src = s.lookupWrite(c.db, srcKey)
        let dst = s.lookupWrite(c.db, dstKey)
        guard let srcEntry = src else { c.int(0); return }
        guard srcEntry.value.isSet, dst.map({ $0.value.isSet }) ?? true else { c.wrongType(); return }
        if srcEntry == dst {
            guard case .set(let set) = srcEntry.value else { return }
            c.int(set.contains(member) ? 1 : 0)
            return
        }
        guard c.db.mutateSet(srcEntry, { $0.remove(member) }) else { c.int(0); return }
        s.notifyKeyspaceEvent(.set, "srem", srcKey, c.db.id)
        deleteIfEmpty(s, c, srcEntry, srcKey)
        let dstEntry = dst ?? c.db.add(dstKey, .set(SetValue(first: member)))
        if c.db.mutateSet(dstEntry, { $0.add(member) }) {
            s.changed()
            s.notifyKeyspaceEvent(.set, "sadd", dstKey, c.db.id)
        }
        s.signalModifiedKey(c.db, srcKey)
        s.signalModifiedKey(c.db, dstKey)
        s.changed()
        c.int(1)
    }

    // MARK: - Reads

    static func sismember(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let set = readSet(s, c, a[1], failed: &failed)
        if failed { return }
        c.int(set?.contains(a[2]) == true ? 1 : 0)
    }

    static func smismember(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let set = readSet(s, c, a[1], failed: &failed)
        if failed { return }
        c.array(a.count - 2)
        for i in 2..<a.count { c.int(set?.contains(a[i]) == true ? 1 : 0) }
    }

    static func scard(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let set = readSet(s, c, a[1], failed: &failed)
        if failed { return }
        c.int(set?.count ?? 0)
    }

    static func smembers(_ s: Server, _ c: Client, _ a: Args) {
        var failed = false
        let set = readSet(s, c, a[1], failed: &failed)
        if failed { return }
        replyMembers(c, set)
    }

    // MARK: - Random members

    static func spop(_ s: Server, _ c: Client, _ a: Args) {
        if a.count > 3 { c.syntaxError(); return }
        var count: Int? = nil
        if a.count == 3 {
            guard let v = a.int(2), v >= 0 else { c.error("ERR value is out of range, must be positive"); return }
            count = Int(v)
        }
        let key = a[1]
        guard let e = s.lookupWrite(c.db, key) else {
            if count == nil { c.null() } else { c.set(0) }
            return
        }
        guard case .set(let current) = e.value else { c.wrongType(); return }
        // What was popped replays as SREM (DEL for the whole set): SPOP is random.
        let record = s.changes.enabled
        var popped: [[UInt8]] = []
        guard let n = count else {
            c.db.mutateSet(e) { $0.popRandom { m in
                c.bulk(m)
                if record { popped.append(Array(m.bindMemory(to: UInt8.self))) }
            } }
            c.propagate(as: [[word("SREM"), Array(key.bindMemory(to: UInt8.self))] + popped])
            s.notifyKeyspaceEvent(.set, "spop", key, c.db.id)
            deleteIfEmpty(s, c, e, key)
            s.signalModifiedKey(c.db, key)
            s.changed()
            return
        }
        if n == 0 { c.set(0); return }
        let size = current.count
        if n >= size {
            // The whole set, replied from a freshly built copy (Redis answers with the SUNION
            // of the key, so an all-integer set comes back sorted), and the key goes.
            let fresh = SetValue()
            current.forEach { m in m.withBytes { _ = fresh.add($0) } }
            replyMembers(c, fresh)
            c.propagate(as: [[word(s.config.bool("lazyfree-lazy-server-del") ? "UNLINK" : "DEL"),
                              Array(key.bindMemory(to: UInt8.self))]])
            c.db.delete(key)
            s.notifyKeyspaceEvent(.set, "spop", key, c.db.id)
            s.notifyKeyspaceEvent(.generic, "del", key, c.db.id)
        } else if (size - n) * 5 > n {
            // Most members stay: pop them one at a time.
            c.set(n)
            c.db.mutateSet(e) { set in
                for _ in 0..<n { set.popRandom { m in
                    c.bulk(m)
                    if record { popped.append(Array(m.bindMemory(to: UInt8.self))) }
                } }
            }
            s.notifyKeyspaceEvent(.set, "spop", key, c.db.id)
        } else {
            // Few members stay: move those into a new set (encoded for its new size) and
            // hand the old one, what is left of it, to the client. The TTL stays.
            let kept = SetValue()
            let rest = c.db.mutateSet(e) { set -> SetValue in
                for _ in 0..<(size - n) { set.popRandom { _ = kept.add($0) } }
                return set
            }
            replyMembers(c, rest)
            if record { rest.forEach { popped.append($0.bytes) } }
            c.db.overwrite(e, .set(kept), keepTTL: true)
            s.notifyKeyspaceEvent(.set, "spop", key, c.db.id)
        }
        if !popped.isEmpty {
            // In batches of 1024 members, as Redis does.
            let k = Array(key.bindMemory(to: UInt8.self))
            c.propagate(as: stride(from: 0, to: popped.count, by: 1024).map { i in
                [word("SREM"), k] + popped[i..<min(i + 1024, popped.count)]
            })
        }
        s.signalModifiedKey(c.db, key)
        s.changed(Int64(min(n, size)))
    }

    static func srandmember(_ s: Server, _ c: Client, _ a: Args) {
        guard let (count, _) = RandomMembers.parse(c, a, withWord: nil) else { return }
        var failed = false
        let found = readSet(s, c, a[1], failed: &failed)
        if failed { return }
        guard let n = count else {
            guard let m = found?.randomElement() else { c.null(); return }
            reply(c, m)
            return
        }
        guard let set = found, n != 0 else { c.array(0); return }
        if n < 0 {
            guard let draws = RandomMembers.draws(c, n) else { return }
            c.array(draws)
            for _ in 0..<draws { reply(c, set.randomElement()!) }
            return
        }
        // Distinct members: the whole set when the count covers it, else a random subset.
        if n >= Int64(set.count) {
            c.array(set.count)
            set.forEach { reply(c, $0) }
            return
        }
        var members: [SetValue.Element] = []
        members.reserveCapacity(set.count)
        set.forEach { members.append($0) }
        let picks = RandomMembers.distinct(Int(n), of: members.count)
        c.array(picks.count)
        for i in picks { reply(c, members[i]) }
    }

    // MARK: - Intersection, union, difference

    /// The sets at `keys` (nil for a missing key), or nil after a WRONGTYPE reply.
    static func loadSets(_ s: Server, _ c: Client, _ a: Args, _ keys: Range<Int>) -> [SetValue?]? {
        var sets: [SetValue?] = []
        sets.reserveCapacity(keys.count)
        for i in keys {
            var failed = false
            let set = readSet(s, c, a[i], failed: &failed)
            if failed { return nil }
            sets.append(set)
        }
        return sets
    }

    static func store(_ s: Server, _ c: Client, _ dst: UnsafeRawBufferPointer, _ result: SetValue,
                      event: StaticString) {
        s.storeResult(c, dst, .set(result), count: result.count, .set, event)
    }

    /// Walks the smallest set and keeps the members every other set has, as Redis does;
    /// stops after `limit` members (SINTERCARD).
    static func intersect(_ sets: [SetValue], limit: Int = Int.max, _ body: (SetValue.Element) -> Void) {
        let ordered = sets.sorted { $0.count < $1.count }
        var found = 0
        ordered[0].forEach { m in
            if found >= limit { return }
            for other in ordered.dropFirst() {
                let present: Bool
                switch m {
                case .int(let v):
                    if case .ints(let i) = other.storage { present = i.contains(v) }
                    else { present = Value.int(v).withBytes { other.contains($0) } }
                case .member(let mm):
                    present = other.contains(mm.key)
                }
                if !present { return }
            }
            found += 1
            body(m)
        }
    }

    static func sinterGeneric(_ s: Server, _ c: Client, _ a: Args, keys: Range<Int>, dst: UnsafeRawBufferPointer?) {
        guard let loaded = loadSets(s, c, a, keys) else { return }
        let sets = loaded.compactMap { $0 }
        if sets.count < loaded.count {
            // An empty set empties the intersection.
            if let d = dst { store(s, c, d, SetValue(), event: "sinterstore") } else { c.set(0) }
            return
        }
        if let d = dst {
            let result = SetValue()
            intersect(sets) { m in m.withBytes { _ = result.add($0) } }
            store(s, c, d, result, event: "sinterstore")
            return
        }
        let header = c.deferLength()
        var n = 0
        intersect(sets) { m in reply(c, m); n += 1 }
        c.setDeferredSet(header, n)
    }

    static func sinter(_ s: Server, _ c: Client, _ a: Args) {
        sinterGeneric(s, c, a, keys: 1..<a.count, dst: nil)
    }

    static func sinterstore(_ s: Server, _ c: Client, _ a: Args) {
        sinterGeneric(s, c, a, keys: 2..<a.count, dst: a[1])
    }

    /// The LIMIT of SINTERCARD and ZINTERCARD: 0 means none (Int.max); nil after the error.
    static func cardinalityLimit(_ c: Client, _ a: Args, _ i: Int) -> Int? {
        guard let v = a.int(i), v >= 0 else { c.error("ERR LIMIT can't be negative"); return nil }
        return v == 0 ? Int.max : Int(v)
    }

    static func sintercard(_ s: Server, _ c: Client, _ a: Args) {
        guard let numkeys = a.int(1), numkeys > 0 else { c.error("ERR numkeys should be greater than 0"); return }
        guard numkeys <= Int64(a.count - 2) else {
            c.error("ERR Number of keys can't be greater than number of args")
            return
        }
        let keysEnd = 2 + Int(numkeys)
        var limit = Int.max
        var j = keysEnd
        while j < a.count {
            if a.is(j, "LIMIT") && j + 1 < a.count {
                guard let v = cardinalityLimit(c, a, j + 1) else { return }
                limit = v
                j += 2
            } else {
                c.syntaxError()
                return
            }
        }
        guard let loaded = loadSets(s, c, a, 2..<keysEnd) else { return }
        let sets = loaded.compactMap { $0 }
        if sets.count < loaded.count { c.int(0); return }
        var n = 0
        intersect(sets, limit: limit) { _ in n += 1 }
        c.int(n)
    }

    enum Combine { case union, difference }

    /// SUNION/SDIFF and their STORE forms: the result is built as a new set (an intset while
    /// it can be, as in Redis), then replied or stored.
    static func combine(_ s: Server, _ c: Client, _ a: Args, keys: Range<Int>, dst: UnsafeRawBufferPointer?,
                        _ op: Combine) {
        guard let sets = loadSets(s, c, a, keys) else { return }
        let result = SetValue()
        switch op {
        case .union:
            for set in sets { set?.forEach { m in m.withBytes { _ = result.add($0) } } }
        case .difference:
            guard let first = sets[0], first.count > 0 else { break }
            let others = sets.dropFirst().compactMap { $0 }
            // Redis's choice between checking each member of the first set against the others
            // (cheaper when work is shared: halved) and copying the first set and removing the
            // others' members. The choice shows: a copy keeps the first set's encoding.
            let checkWork = first.count * (others.count + 1) / 2
            let removeWork = first.count + others.reduce(0) { $0 + $1.count }
            if checkWork <= removeWork {
                let bySize = others.sorted { $0.count > $1.count }
                first.forEach { m in
                    m.withBytes { bytes in
                        if !bySize.contains(where: { $0.contains(bytes) }) { _ = result.add(bytes) }
                    }
                }
            } else {
                first.forEach { m in m.withBytes { _ = result.add($0) } }
                for other in others {
                    other.forEach { m in m.withBytes { _ = result.remove($0) } }
                    if result.count == 0 { break }
                }
            }
        }
        if let d = dst {
            store(s, c, d, result, event: op == .union ? "sunionstore" : "sdiffstore")
        } else {
            replyMembers(c, result)
        }
    }

    static func sunion(_ s: Server, _ c: Client, _ a: Args) { combine(s, c, a, keys: 1..<a.count, dst: nil, .union) }
    static func sunionstore(_ s: Server, _ c: Client, _ a: Args) { combine(s, c, a, keys: 2..<a.count, dst: a[1], .union) }
    static func sdiff(_ s: Server, _ c: Client, _ a: Args) { combine(s, c, a, keys: 1..<a.count, dst: nil, .difference) }
    static func sdiffstore(_ s: Server, _ c: Client, _ a: Args) { combine(s, c, a, keys: 2..<a.count, dst: a[1], .difference) }

    // MARK: - SSCAN

    static func sscan(_ s: Server, _ c: Client, _ a: Args) {
        guard let cursor = KeyCommands.parseCursor(c, a[2]) else { return }
        var failed = false
        let found = readSet(s, c, a[1], failed: &failed)
        if failed { return }
        guard let set = found else { CollectionScan.replyEmpty(c); return }
        var whole: ((CollectionScan.Emit) -> Void)? = nil
        if case .ints = set.storage {
            whole = { emit in set.forEach { m in emit(m.bytes, nil) } }
        }
        CollectionScan.run(c, a, optionsFrom: 3, cursor: cursor, whole: whole) { next, emit in
            set.scanTable(next) { m in emit(Array(m.key), nil) }
        }
    }
}
