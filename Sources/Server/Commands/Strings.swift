import CEventShim

/// String commands (Redis's t_string.c).
enum StringCommands {
    // MARK: - GET / SET family

    static func get(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupRead(c.db, a[1]) else { c.null(); return }
        // One look at the value in place: no copy (and no retain) of a heap payload.
        switch e.valuePointer.pointee {
        case .int(let v): rw_reply_bulk_int(c.raw, v)
        case .small(let b): b.withBytes { c.bulk($0) }
        case .string(let bytes, _): bytes.withUnsafeBytes { c.bulk($0) }
        default: c.wrongType()
        }
    }

    /// Options of SET and GETEX, parsed with Redis's compatibility rules.
    struct SetOptions {
        var nx = false, xx = false, get = false, keepTTL = false, persist = false
        var expireArg: Int? = nil
        var unit = ExpireUnit.seconds
        var absolute = false
        var hasExpire: Bool { expireArg != nil }
    }

    /// Parses the options from argument `from` on. `forGetEx` allows PERSIST and forbids
    /// NX/XX/GET/KEEPTTL. Replies a syntax error and returns nil when invalid.
    static func parseSetOptions(_ c: Client, _ a: Args, from: Int, forGetEx: Bool) -> SetOptions? {
        var o = SetOptions()
        var j = from
        while j < a.count {
            let hasNext = j + 1 < a.count
            if !forGetEx && a.is(j, "NX") && !o.xx {
                o.nx = true
            } else if !forGetEx && a.is(j, "XX") && !o.nx {
                o.xx = true
            } else if !forGetEx && a.is(j, "GET") {
                o.get = true
            } else if !forGetEx && a.is(j, "KEEPTTL") && !o.hasExpire {
                o.keepTTL = true
            } else if forGetEx && a.is(j, "PERSIST") && !o.hasExpire {
                o.persist = true
            } else if hasNext && !o.keepTTL && !o.persist,
                      let (unit, absolute) = expireOption(a, j),
                      // The same option again is allowed (the last one wins); another unit is not.
                      !o.hasExpire || (o.unit == unit && o.absolute == absolute) {
                o.unit = unit
                o.absolute = absolute
                o.expireArg = j + 1
                j += 1
            } else {
                c.syntaxError()
                return nil
            }
            j += 1
        }
        return o
    }

    /// EX, PX, EXAT or PXAT at argument `j`: its unit and whether it is absolute.
    static func expireOption(_ a: Args, _ j: Int) -> (ExpireUnit, Bool)? {
        if a.is(j, "EX") { return (.seconds, false) }
        if a.is(j, "PX") { return (.milliseconds, false) }
        if a.is(j, "EXAT") { return (.seconds, true) }
        if a.is(j, "PXAT") { return (.milliseconds, true) }
        return nil
    }

    static func set(_ s: Server, _ c: Client, _ a: Args) {
        if a.count == 3 {
            // The plain form, by far the most common: no option parsing at all.
            c.db.set(a[1], Value.fromBytes(a[2]), now: s.now)
            s.changed()
            s.signalModifiedKey(c.db, a[1])
            s.notifyKeyspaceEvent(.string, "set", a[1], c.db.id)
            c.ok()
            return
        }
        guard let o = parseSetOptions(c, a, from: 3, forGetEx: false) else { return }
        setGeneric(s, c, key: a[1], value: a[2], o, command: "set", a)
    }

    static func setGeneric(_ s: Server, _ c: Client, key: UnsafeRawBufferPointer,
                           value: UnsafeRawBufferPointer, _ o: SetOptions, command: String, _ a: Args) {
        var expireAt: Int64 = -1
        if let ei = o.expireArg {
            guard let at = s.parseExpire(c, a[ei], unit: o.unit, absolute: o.absolute, command: command) else { return }
            expireAt = at
        }
        if o.get {
            if let e = s.lookupRead(c.db, key) {
                guard e.value.isString else { c.wrongType(); return }
                c.bulk(e.value)
            } else {
                c.null()
            }
        }
        let existing = s.lookupWrite(c.db, key)
        if (o.nx && existing != nil) || (o.xx && existing == nil) {
            if !o.get { c.null() }
            return
        }
        let v = Value.fromBytes(value)
        let e: Entry
        if let ex = existing {
            c.db.overwrite(ex, v, keepTTL: o.keepTTL)
            e = ex
        } else {
            e = c.db.add(key, v)
        }
        if expireAt >= 0 {
            c.db.setExpire(e, at: expireAt)
            // A relative expiry replays as the same moment, not a new countdown.
            c.propagate(as: [[word("SET"), Array(key.bindMemory(to: UInt8.self)),
                              Array(value.bindMemory(to: UInt8.self)), word("PXAT"), number(expireAt)]])
        }
        s.changed()
        s.signalModifiedKey(c.db, key)
        s.notifyKeyspaceEvent(.string, "set", key, c.db.id)
        if expireAt >= 0 { s.notifyKeyspaceEvent(.generic, "expire", key, c.db.id) }
        if !o.get { c.ok() }
    }

    static func setnx(_ s: Server, _ c: Client, _ a: Args) {
        if s.lookupWrite(c.db, a[1]) != nil { c.int(0); return }
        c.db.add(a[1], Value.fromBytes(a[2]))
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.string, "set", a[1], c.db.id)
        c.int(1)
    }

    static func setex(_ s: Server, _ c: Client, _ a: Args) {
        var o = SetOptions()
        o.expireArg = 2
        o.unit = .seconds
        setGeneric(s, c, key: a[1], value: a[3], o, command: "setex", a)
    }

    static func psetex(_ s: Server, _ c: Client, _ a: Args) {
        var o = SetOptions()
        o.expireArg = 2
        o.unit = .milliseconds
        setGeneric(s, c, key: a[1], value: a[3], o, command: "psetex", a)
    }

    static func getset(_ s: Server, _ c: Client, _ a: Args) {
        var o = SetOptions()
        o.get = true
        setGeneric(s, c, key: a[1], value: a[2], o, command: "getset", a)
    }

    static func getdel(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupRead(c.db, a[1]) else { c.null(); return }
        guard e.value.isString else { c.wrongType(); return }
        c.bulk(e.value)
        c.db.delete(a[1])
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.generic, "del", a[1], c.db.id)
    }

    static func getex(_ s: Server, _ c: Client, _ a: Args) {
        guard let o = parseSetOptions(c, a, from: 2, forGetEx: true) else { return }
        // Like Redis, the expiry value is only checked when there is a string to apply it to.
        guard let e = s.lookupRead(c.db, a[1]) else { c.null(); return }
        guard e.value.isString else { c.wrongType(); return }
        var expireAt: Int64 = -1
        if let ei = o.expireArg {
            guard let at = s.parseExpire(c, a[ei], unit: o.unit, absolute: o.absolute, command: "getex") else { return }
            expireAt = at
        }
        c.bulk(e.value)
        if expireAt >= 0 {
            s.changed()
            if o.absolute && expireAt <= s.now {
                c.propagate(as: [[word("DEL"), a.bytes(1)]])
                c.db.delete(a[1])
                s.signalModifiedKey(c.db, a[1])
                s.notifyKeyspaceEvent(.generic, "del", a[1], c.db.id)
            } else {
                c.db.setExpire(e, at: expireAt)
                c.propagate(as: [[word("PEXPIREAT"), a.bytes(1), number(expireAt)]])
                s.signalModifiedKey(c.db, a[1])
                s.notifyKeyspaceEvent(.generic, "expire", a[1], c.db.id)
            }
        } else if o.persist && c.db.removeExpire(e) {
            c.propagate(as: [[word("PERSIST"), a.bytes(1)]])
            s.changed()
            s.signalModifiedKey(c.db, a[1])
            s.notifyKeyspaceEvent(.generic, "persist", a[1], c.db.id)
        }
    }

    static func mget(_ s: Server, _ c: Client, _ a: Args) {
        c.array(a.count - 1)
        for i in 1..<a.count {
            if let e = s.lookupRead(c.db, a[i]), e.value.isString {
                c.bulk(e.value)
            } else {
                c.null()
            }
        }
    }

    static func mset(_ s: Server, _ c: Client, _ a: Args) {
        guard a.count % 2 == 1 else { c.arityError("mset"); return }
        setPairs(s, c, a)
        c.ok()
    }

    static func msetnx(_ s: Server, _ c: Client, _ a: Args) {
        guard a.count % 2 == 1 else { c.arityError("msetnx"); return }
        for i in stride(from: 1, to: a.count, by: 2) where s.lookupWrite(c.db, a[i]) != nil {
            c.int(0)
            return
        }
        setPairs(s, c, a)
        c.int(1)
    }

    /// Sets the key/value pairs of MSET and MSETNX.
    static func setPairs(_ s: Server, _ c: Client, _ a: Args) {
        for i in stride(from: 1, to: a.count, by: 2) {
            c.db.set(a[i], Value.fromBytes(a[i + 1]), now: s.now)
            s.signalModifiedKey(c.db, a[i])
            s.notifyKeyspaceEvent(.string, "set", a[i], c.db.id)
        }
        s.changed(Int64(a.count / 2))
    }

    // MARK: - Length, append, ranges

    /// Redis's checkStringLength: the result must fit proto-max-bulk-len.
    static func checkLength(_ s: Server, _ c: Client, _ size: Int64, _ extra: Int64) -> Bool {
        let (total, overflow) = size.addingReportingOverflow(extra)
        if overflow || total > s.config.protoMaxBulkLen {
            c.error("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
            return false
        }
        return true
    }

    static func append(_ s: Server, _ c: Client, _ a: Args) {
        var n = a[2].count
        if let e = s.lookupWrite(c.db, a[1]) {
            guard e.value.isString else { c.wrongType(); return }
            guard checkLength(s, c, Int64(e.value.stringLength), Int64(a[2].count)) else { return }
            c.db.mutateString(e) { bytes in
                bytes.append(contentsOf: a[2])
                n = bytes.count
            }
        } else {
            c.db.add(a[1], Value.fromBytes(a[2]))
        }
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.string, "append", a[1], c.db.id)
        c.int(n)
    }

    static func strlen(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupRead(c.db, a[1]) else { c.int(0); return }
        guard e.value.isString else { c.wrongType(); return }
        c.int(e.value.stringLength)
    }

    static func getrange(_ s: Server, _ c: Client, _ a: Args) {
        guard var start = a.int(2), var end = a.int(3) else { c.notInteger(); return }
        guard let e = s.lookupRead(c.db, a[1]) else { c.bulk([]); return }
        guard e.value.isString else { c.wrongType(); return }
        e.value.withBytes { p in
            let len = Int64(p.count)
            if start < 0 && end < 0 && start > end { c.bulk([]); return }
            if start < 0 { start += len }
            if end < 0 { end += len }
            if start < 0 { start = 0 }
            if end < 0 { end = 0 }
            if end >= len { end = len - 1 }
            if start > end || len == 0 { c.bulk([]); return }
            c.bulk(UnsafeRawBufferPointer(rebasing: p[Int(start)...Int(end)]))
        }
    }

    static func setrange(_ s: Server, _ c: Client, _ a: Args) {
        guard let offset = a.int(2) else { c.notInteger(); return }
        if offset < 0 { c.error("ERR offset is out of range"); return }
        let value = a[3]
        var n = 0
        if let e = s.lookupWrite(c.db, a[1]) {
            guard e.value.isString else { c.wrongType(); return }
            if value.count == 0 { c.int(e.value.stringLength); return }
            guard checkLength(s, c, offset, Int64(value.count)) else { return }
            c.db.mutateString(e) { bytes in
                let need = Int(offset) + value.count
                if bytes.count < need { bytes.append(contentsOf: repeatElement(0, count: need - bytes.count)) }
                bytes.withUnsafeMutableBytes {
                    $0.baseAddress!.advanced(by: Int(offset)).copyMemory(from: value.baseAddress!, byteCount: value.count)
                }
                n = bytes.count
            }
        } else {
            if value.count == 0 { c.int(0); return }
            guard checkLength(s, c, offset, Int64(value.count)) else { return }
            var bytes = [UInt8](repeating: 0, count: Int(offset) + value.count)
            bytes.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: Int(offset)).copyMemory(from: value.baseAddress!, byteCount: value.count) }
            n = bytes.count
            c.db.add(a[1], .string(bytes, raw: true))
        }
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.string, "setrange", a[1], c.db.id)
        c.int(n)
    }

    // MARK: - Counters

    static func incrBy(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, _ delta: Int64) {
        let e = s.lookupWrite(c.db, key)
        var current: Int64 = 0
        if let e = e {
            switch e.value {
            case .int(let v): current = v
            case .small, .string:
                guard let v = e.value.withBytes({ parseStrictInt64($0) }) else { c.notInteger(); return }
                current = v
            default:
                c.wrongType()
                return
            }
        }
        let (result, overflow) = current.addingReportingOverflow(delta)
        if overflow {
            c.error("ERR increment or decrement would overflow")
            return
        }
        if let e = e {
            c.db.overwrite(e, .int(result), keepTTL: true)
        } else {
            c.db.add(key, .int(result))
        }
        s.changed()
        s.signalModifiedKey(c.db, key)
        s.notifyKeyspaceEvent(.string, "incrby", key, c.db.id)
        c.int(result)
    }

    static func incr(_ s: Server, _ c: Client, _ a: Args) { incrBy(s, c, a[1], 1) }
    static func decr(_ s: Server, _ c: Client, _ a: Args) { incrBy(s, c, a[1], -1) }

    static func incrby(_ s: Server, _ c: Client, _ a: Args) {
        guard let d = a.int(2) else { c.notInteger(); return }
        incrBy(s, c, a[1], d)
    }

    static func decrby(_ s: Server, _ c: Client, _ a: Args) {
        guard let d = a.int(2) else { c.notInteger(); return }
        if d == Int64.min { c.error("ERR decrement would overflow"); return }
        incrBy(s, c, a[1], -d)
    }

    static func incrbyfloat(_ s: Server, _ c: Client, _ a: Args) {
        let e = s.lookupWrite(c.db, a[1])
        var current: Float80 = 0
        if let e = e {
            guard e.value.isString else { c.wrongType(); return }
            guard let v = e.value.withBytes({ parseLongDouble($0) }) else { c.notFloat(); return }
            current = v
        }
        guard let incr = parseLongDouble(a[2]) else { c.notFloat(); return }
        let result = current + incr
        guard result.isFinite, let text = formatLongDoubleHuman(result) else {
            c.error("ERR increment would produce NaN or Infinity")
            return
        }
        // Redis stores the formatted text as a plain string, never as an integer.
        let v: Value = text.count <= SmallBytes.capacity
            ? text.withUnsafeBytes { .small(SmallBytes($0)) }
            : .string(text, raw: false)
        if let e = e { c.db.overwrite(e, v, keepTTL: true) } else { c.db.add(a[1], v) }
        // Float arithmetic may round differently elsewhere: the result replays, not the sum.
        c.propagate(as: [[word("SET"), a.bytes(1), text, word("KEEPTTL")]])
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.string, "incrbyfloat", a[1], c.db.id)
        c.bulk(text)
    }

    // MARK: - LCS

    static func lcs(_ s: Server, _ c: Client, _ a: Args) {
        var strings: [[UInt8]] = []
        for i in 1...2 {
            if let e = s.lookupRead(c.db, a[i]) {
                guard e.value.isString else {
                    c.error("ERR The specified keys must contain string values")
                    return
                }
                strings.append(e.value.bytes)
            } else {
                strings.append([])
            }
        }
        var getLen = false, getIdx = false, withMatchLen = false
        var minMatchLen: Int64 = 0
        var j = 3
        while j < a.count {
            if a.is(j, "IDX") { getIdx = true }
            else if a.is(j, "LEN") { getLen = true }
            else if a.is(j, "WITHMATCHLEN") { withMatchLen = true }
            else if a.is(j, "MINMATCHLEN") && j + 1 < a.count {
                guard let v = a.int(j + 1) else { c.notInteger(); return }
                minMatchLen = max(v, 0)
                j += 1
            } else {
                c.syntaxError()
                return
            }
            j += 1
        }
        if getIdx && getLen {
            c.error("ERR If you want both the length and indexes, please just use IDX.")
            return
        }
        let A = strings[0], B = strings[1]
        let alen = A.count, blen = B.count
        let cells = (alen + 1).multipliedReportingOverflow(by: blen + 1)
        let bytes = cells.partialValue.multipliedReportingOverflow(by: 4)
        if cells.overflow || bytes.overflow || Int64(bytes.partialValue) > s.config.protoMaxBulkLen {
            c.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
            return
        }
        // dp[i][j]: LCS length of A[0..<i] and B[0..<j].
        var dp = [UInt32](repeating: 0, count: cells.partialValue)
        let w = blen + 1
        for i in 1..<(alen + 1) where alen > 0 {
            for jj in 1..<(blen + 1) where blen > 0 {
                if A[i - 1] == B[jj - 1] {
                    dp[i * w + jj] = dp[(i - 1) * w + jj - 1] + 1
                } else {
                    dp[i * w + jj] = max(dp[(i - 1) * w + jj], dp[i * w + jj - 1])
                }
            }
        }
        let total = Int(dp[alen * w + blen])
        if getLen { c.int(total); return }
        var result = [UInt8](repeating: 0, count: total)
        var idx = total
        var i = alen, k = blen
        var aStart = alen, aEnd = 0, bStart = 0, bEnd = 0
        var matches: [(Int, Int, Int, Int)] = []
        // Walk back from the end, emitting maximal runs of matching positions.
        while i > 0 && k > 0 {
            var emit = false
            if A[i - 1] == B[k - 1] {
                result[idx - 1] = A[i - 1]
                if aStart == alen {
                    aStart = i - 1; aEnd = i - 1; bStart = k - 1; bEnd = k - 1
                } else if aStart == i && bStart == k {
                    aStart -= 1; bStart -= 1
                } else {
                    emit = true
                }
                if aStart == 0 || bStart == 0 { emit = true }
                idx -= 1; i -= 1; k -= 1
            } else {
                if dp[(i - 1) * w + k] > dp[i * w + k - 1] { i -= 1 } else { k -= 1 }
                if aStart != alen { emit = true }
            }
            if emit {
                let matchLen = aEnd - aStart + 1
                if minMatchLen == 0 || Int64(matchLen) >= minMatchLen {
                    matches.append((aStart, aEnd, bStart, bEnd))
                }
                aStart = alen
            }
        }
        if !getIdx { c.bulk(result); return }
        c.map(2)
        c.bulk("matches")
        c.array(matches.count)
        for m in matches {
            c.array(withMatchLen ? 3 : 2)
            c.array(2); c.int(m.0); c.int(m.1)
            c.array(2); c.int(m.2); c.int(m.3)
            if withMatchLen { c.int(m.1 - m.0 + 1) }
        }
        c.bulk("len")
        c.int(total)
    }
}
