/// Generic key commands (Redis's db.c and expire.c).
enum KeyCommands {
    // MARK: - Existence and deletion

    static func del(_ s: Server, _ c: Client, _ a: Args) { remove(s, c, a, lazy: false) }
    static func unlink(_ s: Server, _ c: Client, _ a: Args) { remove(s, c, a, lazy: true) }

    /// DEL and UNLINK. UNLINK (`lazy`) frees a value that is expensive to free (more than 64
    /// elements or nodes, as Redis's LAZYFREE_THRESHOLD) on the background thread.
    static func remove(_ s: Server, _ c: Client, _ a: Args, lazy: Bool) {
        var n = 0
        for i in 1..<a.count {
            guard let e = c.db.detachLive(a[i], now: s.now) else { continue }
            if lazy && e.value.freeEffort > 64 { s.lazyFree.free(e) } else { e.free() }
            s.signalModifiedKey(c.db, a[i])
            s.notifyKeyspaceEvent(.generic, "del", a[i], c.db.id)
            n += 1
        }
        s.changed(Int64(n))
        c.int(n)
    }

    static func exists(_ s: Server, _ c: Client, _ a: Args) {
        var n = 0
        for i in 1..<a.count where s.lookupRead(c.db, a[i], touch: false) != nil { n += 1 }
        c.int(n)
    }

    static func type(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupRead(c.db, a[1], touch: false) else { c.simple("none"); return }
        c.simple(e.value.typeName)
    }

    static func touch(_ s: Server, _ c: Client, _ a: Args) {
        var n = 0
        for i in 1..<a.count where s.lookupRead(c.db, a[i]) != nil { n += 1 }
        c.int(n)
    }

    // MARK: - Expiry

    static func expire(_ s: Server, _ c: Client, _ a: Args) { expireGeneric(s, c, a, base: s.now, unit: .seconds) }
    static func pexpire(_ s: Server, _ c: Client, _ a: Args) { expireGeneric(s, c, a, base: s.now, unit: .milliseconds) }
    static func expireat(_ s: Server, _ c: Client, _ a: Args) { expireGeneric(s, c, a, base: 0, unit: .seconds) }
    static func pexpireat(_ s: Server, _ c: Client, _ a: Args) { expireGeneric(s, c, a, base: 0, unit: .milliseconds) }

    /// EXPIRE and friends, with NX/XX/GT/LT. A time already in the past deletes the key.
    static func expireGeneric(_ s: Server, _ c: Client, _ a: Args, base: Int64, unit: ExpireUnit) {
        var nx = false, xx = false, gt = false, lt = false
        for j in 3..<max(a.count, 3) {
            if a.is(j, "NX") { nx = true }
            else if a.is(j, "XX") { xx = true }
            else if a.is(j, "GT") { gt = true }
            else if a.is(j, "LT") { lt = true }
            else { c.error(bytes: Array("ERR Unsupported option ".utf8) + a.echo(j, max: Int.max)); return }
        }
        if nx && (xx || gt || lt) {
            c.error("ERR NX and XX, GT or LT options at the same time are not compatible")
            return
        }
        if gt && lt {
            c.error("ERR GT and LT options at the same time are not compatible")
            return
        }
        guard var when = a.int(2) else { c.notInteger(); return }
        let name = a.lower(0)
        if unit == .seconds {
            if when > Int64.max / 1000 || when < Int64.min / 1000 {
                c.error("ERR invalid expire time in '\(name)' command")
                return
            }
            when *= 1000
        }
        if when > Int64.max - base {
            c.error("ERR invalid expire time in '\(name)' command")
            return
        }
        when += base
        guard let e = s.lookupWrite(c.db, a[1]) else { c.int(0); return }
        let current = e.expireAt
        if nx && current != -1 { c.int(0); return }
        if xx && current == -1 { c.int(0); return }
        if gt && (when <= current || current == -1) { c.int(0); return }
        if lt && current != -1 && when >= current { c.int(0); return }
        s.changed()
        if when <= s.now {
            c.propagate(as: [[word(s.config.bool("lazyfree-lazy-expire") ? "UNLINK" : "DEL"), a.bytes(1)]])
            c.db.delete(a[1])
            s.signalModifiedKey(c.db, a[1])
            s.notifyKeyspaceEvent(.generic, "del", a[1], c.db.id)
        } else {
            c.propagate(as: [[word("PEXPIREAT"), a.bytes(1), number(when)]])
            c.db.setExpire(e, at: when)
            s.signalModifiedKey(c.db, a[1])
            s.notifyKeyspaceEvent(.generic, "expire", a[1], c.db.id)
        }
        c.int(1)
    }

    static func ttlGeneric(_ s: Server, _ c: Client, _ a: Args, ms: Bool) {
        guard let e = s.lookupRead(c.db, a[1], touch: false) else { c.int(-2); return }
        let at = e.expireAt
        if at < 0 { c.int(-1); return }
        let ttl = max(at - s.now, 0)
        c.int(ms ? ttl : (ttl + 500) / 1000)
    }

    static func ttl(_ s: Server, _ c: Client, _ a: Args) { ttlGeneric(s, c, a, ms: false) }
    static func pttl(_ s: Server, _ c: Client, _ a: Args) { ttlGeneric(s, c, a, ms: true) }

    static func expiretimeGeneric(_ s: Server, _ c: Client, _ a: Args, ms: Bool) {
        guard let e = s.lookupRead(c.db, a[1], touch: false) else { c.int(-2); return }
        let at = e.expireAt
        if at < 0 { c.int(-1); return }
        c.int(ms ? at : at / 1000)
    }

    static func expiretime(_ s: Server, _ c: Client, _ a: Args) { expiretimeGeneric(s, c, a, ms: false) }
    static func pexpiretime(_ s: Server, _ c: Client, _ a: Args) { expiretimeGeneric(s, c, a, ms: true) }

    static func persist(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupWrite(c.db, a[1]) else { c.int(0); return }
        if c.db.removeExpire(e) {
            s.changed()
            s.signalModifiedKey(c.db, a[1])
            s.notifyKeyspaceEvent(.generic, "persist", a[1], c.db.id)
            c.int(1)
        } else {
            c.int(0)
        }
    }

    // MARK: - Enumeration

    static func keys(_ s: Server, _ c: Client, _ a: Args) {
        let pattern = a[1]
        let all = pattern.count == 1 && pattern[0] == UInt8(ascii: "*")
        let h = c.deferLength()
        var n = 0
        let db = c.db
        let now = s.now
        db.dict.forEach { e in
            if e.expireAt >= 0 && e.expireAt <= now { return }
            if all || globMatch(pattern, e.key) {
                c.bulk(e.key)
                n += 1
            }
        }
        c.setDeferredArray(h, n)
    }

    /// Parses a SCAN cursor the way Redis does, with C's strtoul: an optional sign, decimal
    /// digits, nothing else; "" is 0, "-1" wraps to 2^64-1, overflow and leading spaces fail.
    static func parseCursor(_ c: Client, _ p: UnsafeRawBufferPointer) -> UInt64? {
        var i = 0
        var negative = false
        if i < p.count && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) {
            negative = p[i] == UInt8(ascii: "-")
            i += 1
        }
        var v: UInt64 = 0
        var digits = 0
        var valid = true
        while i < p.count {
            let d = p[i] &- 48
            if d > 9 { valid = false; break }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            if o1 || o2 { valid = false; break }
            v = s
            digits += 1
            i += 1
        }
        // A lone sign converts nothing: strtoul leaves the end pointer at the sign.
        if !valid || (digits == 0 && p.count > 0) {
            c.error("ERR invalid cursor")
            return nil
        }
        return negative ? 0 &- v : v
    }

    static func scan(_ s: Server, _ c: Client, _ a: Args) {
        guard let cursor = parseCursor(c, a[1]) else { return }
        var count = 10
        var pattern: [UInt8]? = nil
        var typeFilter: String? = nil
        var j = 2
        while j < a.count {
            let remaining = a.count - j - 1
            if a.is(j, "COUNT") && remaining >= 1 {
                guard let v = a.int(j + 1) else { c.notInteger(); return }
                if v < 1 { c.syntaxError(); return }
                count = Int(min(v, Int64(Int32.max)))
                j += 2
            } else if a.is(j, "MATCH") && remaining >= 1 {
                pattern = a.bytes(j + 1)
                j += 2
            } else if a.is(j, "TYPE") && remaining >= 1 {
                typeFilter = a.lower(j + 1)
                j += 2
            } else {
                c.syntaxError()
                return
            }
        }
        if let p = pattern, p == [UInt8(ascii: "*")] { pattern = nil }
        var found: [[UInt8]] = []
        var next = cursor
        var budget = count * 10
        let dict = c.db.dict
        repeat {
            next = dict.scan(next) { e in found.append(e.keyBytes) }
            budget -= 1
        } while next != 0 && budget > 0 && found.count < count
        // Filter after collecting, as Redis does: expired keys are deleted on the way.
        var out: [[UInt8]] = []
        for k in found {
            if let p = pattern, !globMatch(p, k) { continue }
            guard let e = k.withUnsafeBytes({ s.lookupWrite(c.db, $0) }) else { continue }
            if let t = typeFilter, "\(e.value.typeName)" != t { continue }
            out.append(k)
        }
        c.array(2)
        c.bulk(String(next))
        c.bulkArray(out)
    }

    static func randomkey(_ s: Server, _ c: Client, _ a: Args) {
        let db = c.db
        // Expired keys drawn on the way are deleted, so this ends: with a live key, or with
        // an empty database.
        while let e = db.dict.randomEntry() {
            if db.expireIfNeeded(e, now: s.now) { continue }
            c.bulk(e.key)
            return
        }
        c.null()
    }

    // MARK: - Rename, copy, move

    static func rename(_ s: Server, _ c: Client, _ a: Args) { renameGeneric(s, c, a, nx: false) }
    static func renamenx(_ s: Server, _ c: Client, _ a: Args) { renameGeneric(s, c, a, nx: true) }

    static func renameGeneric(_ s: Server, _ c: Client, _ a: Args, nx: Bool) {
        guard s.lookupWrite(c.db, a[1]) != nil else { c.error("ERR no such key"); return }
        if a[1].elementsEqual(a[2]) {
            if nx { c.int(0) } else { c.ok() }
            return
        }
        if s.lookupWrite(c.db, a[2]) != nil {
            if nx { c.int(0); return }
            c.db.delete(a[2])
        }
        let src = c.db.detach(a[1])!
        let e = c.db.add(a[2], src.value)
        if src.expireAt >= 0 { c.db.setExpire(e, at: src.expireAt) }
        src.free()
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.signalModifiedKey(c.db, a[2])
        s.notifyKeyspaceEvent(.generic, "rename_from", a[1], c.db.id)
        s.notifyKeyspaceEvent(.generic, "rename_to", a[2], c.db.id)
        if nx { c.int(1) } else { c.ok() }
    }

    /// Parses a database index argument: Redis's getIntFromObjectOrReply then range check.
    static func dbIndex(_ s: Server, _ c: Client, _ p: UnsafeRawBufferPointer) -> Database? {
        guard let v = parseStrictInt64(p), v >= Int64(Int32.min), v <= Int64(Int32.max) else {
            c.notInteger()
            return nil
        }
        guard v >= 0 && v < Int64(s.dbs.count) else {
            c.error("ERR DB index is out of range")
            return nil
        }
        return s.dbs[Int(v)]
    }

    static func copy(_ s: Server, _ c: Client, _ a: Args) {
        var dst = c.db
        var replace = false
        var j = 3
        while j < a.count {
            if a.is(j, "REPLACE") {
                replace = true
            } else if a.is(j, "DB") && j + 1 < a.count {
                guard let d = dbIndex(s, c, a[j + 1]) else { return }
                dst = d
                j += 1
            } else {
                c.syntaxError()
                return
            }
            j += 1
        }
        if dst === c.db && a[1].elementsEqual(a[2]) {
            c.error("ERR source and destination objects are the same")
            return
        }
        guard let src = s.lookupWrite(c.db, a[1]) else { c.int(0); return }
        if s.lookupWrite(dst, a[2]) != nil {
            if !replace { c.int(0); return }
            dst.delete(a[2])
        }
        // Values are copy-on-write: sharing the payload is a copy.
        let e = dst.add(a[2], src.value)
        if src.expireAt >= 0 { dst.setExpire(e, at: src.expireAt) }
        s.changed()
        s.signalModifiedKey(dst, a[2])
        s.notifyKeyspaceEvent(.generic, "copy_to", a[2], dst.id)
        c.int(1)
    }

    static func move(_ s: Server, _ c: Client, _ a: Args) {
        guard let dst = dbIndex(s, c, a[2]) else { return }
        if dst === c.db {
            c.error("ERR source and destination objects are the same")
            return
        }
        guard s.lookupWrite(c.db, a[1]) != nil else { c.int(0); return }
        if s.lookupWrite(dst, a[1]) != nil { c.int(0); return }
        let src = c.db.detach(a[1])!
        let e = dst.add(a[1], src.value)
        if src.expireAt >= 0 { dst.setExpire(e, at: src.expireAt) }
        src.free()
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.signalModifiedKey(dst, a[1])
        s.notifyKeyspaceEvent(.generic, "move_from", a[1], c.db.id)
        s.notifyKeyspaceEvent(.generic, "move_to", a[1], dst.id)
        c.int(1)
    }

    // MARK: - Databases

    static func select(_ s: Server, _ c: Client, _ a: Args) {
        guard let d = dbIndex(s, c, a[1]) else { return }
        c.db = d
        c.ok()
    }

    static func swapdb(_ s: Server, _ c: Client, _ a: Args) {
        guard let i = parseStrictInt64(a[1]), i >= Int64(Int32.min), i <= Int64(Int32.max) else {
            c.error("ERR invalid first DB index")
            return
        }
        guard let k = parseStrictInt64(a[2]), k >= Int64(Int32.min), k <= Int64(Int32.max) else {
            c.error("ERR invalid second DB index")
            return
        }
        guard i >= 0, k >= 0, i < Int64(s.dbs.count), k < Int64(s.dbs.count) else {
            c.error("ERR DB index is out of range")
            return
        }
        if i != k {
            let first = s.dbs[Int(i)], second = s.dbs[Int(k)]
            // Watchers of a key present in either database see it change.
            s.touchAllWatchedKeys(in: first, replacedWith: second)
            s.touchAllWatchedKeys(in: second, replacedWith: first)
            first.swapContents(with: second)
            s.signalReadyKeysAfterSwap([first, second])
            s.changed()
        }
        c.ok()
    }

    static func dbsize(_ s: Server, _ c: Client, _ a: Args) { c.int(c.db.count) }

    /// Parses the optional ASYNC|SYNC of FLUSHDB/FLUSHALL. Nil after replying an error.
    static func flushMode(_ s: Server, _ c: Client, _ a: Args) -> Bool? {
        if a.count == 1 { return s.config.bool("lazyfree-lazy-user-flush") }
        if a.count == 2 && a.is(1, "ASYNC") { return true }
        if a.count == 2 && a.is(1, "SYNC") { return false }
        c.syntaxError()
        return nil
    }

    static func flush(_ s: Server, _ db: Database, async: Bool) -> Int {
        // While the keys are still there: watchers of the existing ones are touched.
        s.touchAllWatchedKeys(in: db, replacedWith: nil)
        let n = db.count
        let taken = db.takeAll()
        if async && n > 64 {
            s.lazyFree.free(taken)
        } else {
            taken.removeAll()
        }
        return n
    }

    static func flushdb(_ s: Server, _ c: Client, _ a: Args) {
        guard let async = flushMode(s, c, a) else { return }
        s.changed(Int64(flush(s, c.db, async: async)))
        c.ok()
    }

    static func flushall(_ s: Server, _ c: Client, _ a: Args) {
        guard let async = flushMode(s, c, a) else { return }
        // As in Redis 7.0: a save in progress is abandoned (cancelled first, so its capture
        // does not copy what is about to go), and with save points the empty dataset is
        // saved at once.
        s.cancelBackgroundSave()
        var n = 0
        for db in s.dbs { n += flush(s, db, async: async) }
        s.changed(Int64(n))
        if !s.config.savePoints.isEmpty { s.saveNow() }
        s.changed(1)
        c.ok()
    }

    // MARK: - OBJECT

    static let lfuNotSelected = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
    static let lruNotSelected = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."

    static func objectEncoding(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupWrite(c.db, a[2]) else { c.null(); return }
        c.bulk("\(e.value.encodingName)")
    }

    static func objectRefcount(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupWrite(c.db, a[2]) else { c.null(); return }
        // Redis shares the integers 0..9999 (refcount INT_MAX) when no maxmemory is set.
        if case .int(let v) = e.value, v >= 0, v < 10000, s.config.int("maxmemory") == 0 {
            c.int(Int(Int32.max))
        } else {
            c.int(1)
        }
    }

    static func objectIdletime(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupWrite(c.db, a[2]) else { c.null(); return }
        if LRUClock.lfu { c.error(lruNotSelected); return }
        let idle = Int64(LRUClock.now) - Int64(e.lru)
        c.int(max(idle, 0))
    }

    static func objectFreq(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupWrite(c.db, a[2]) else { c.null(); return }
        if !LRUClock.lfu { c.error(lfuNotSelected); return }
        c.int(Int(LRUClock.decayed(e.lru)))
    }

    static func objectHelp(_ s: Server, _ c: Client, _ a: Args) {
        replyHelp(c, "OBJECT", [
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
        ])
    }
}
