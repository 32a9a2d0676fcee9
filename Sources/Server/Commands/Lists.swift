import CEventShim

/// List commands (Redis's t_list.c). The blocking variants are in Blocking.swift.
enum ListCommands {
    // MARK: - Helpers

    static func readList(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer,
                         wrongType: inout Bool) -> ListValue? {
        s.readValue(c, key, as: ListValue.self, wrongType: &wrongType)
    }

    /// Deletes the key when its list became empty (Redis never keeps empty lists), with its
    /// "del" event.
    static func deleteIfEmpty(_ s: Server, _ c: Client, _ e: Entry, _ key: UnsafeRawBufferPointer) {
        guard case .list(let l) = e.valuePointer.pointee, l.count == 0 else { return }
        c.db.delete(key)
        s.notifyKeyspaceEvent(.generic, "del", key, c.db.id)
    }

    /// After `count` elements were popped from the list at `key` (Redis's
    /// listElementsRemoved): the pop event, the deletion of an emptied list, the touch.
    static func elementsRemoved(_ s: Server, _ c: Client, _ e: Entry, _ key: UnsafeRawBufferPointer,
                                head: Bool, count: Int) {
        s.notifyKeyspaceEvent(.list, head ? "lpop" : "rpop", key, c.db.id)
        deleteIfEmpty(s, c, e, key)
        s.signalModifiedKey(c.db, key)
        s.changed(Int64(count))
    }

    static func reply(_ c: Client, _ el: PackedList.Element) {
        switch el {
        case .int(let v): rw_reply_bulk_int(c.raw, v)
        case .string(let s): s.withUnsafeBytes { c.bulk($0) }
        }
    }

    // MARK: - Push

    static func push(_ s: Server, _ c: Client, _ a: Args, head: Bool, onlyIfExists: Bool) {
        var e = s.lookupWrite(c.db, a[1])
        if let existing = e, !existing.value.isList { c.wrongType(); return }
        if e == nil {
            if onlyIfExists { c.int(0); return }
            e = c.db.add(a[1], .list(ListValue()))
        }
        let n = c.db.mutateList(e!) { l -> Int in
            for i in 2..<a.count {
                if head { l.pushHead(a[i]) } else { l.pushTail(a[i]) }
            }
            return l.count
        }
        s.changed(Int64(a.count - 2))
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.list, head ? "lpush" : "rpush", a[1], c.db.id)
        c.int(n)
    }

    static func lpush(_ s: Server, _ c: Client, _ a: Args) { push(s, c, a, head: true, onlyIfExists: false) }
    static func rpush(_ s: Server, _ c: Client, _ a: Args) { push(s, c, a, head: false, onlyIfExists: false) }
    static func lpushx(_ s: Server, _ c: Client, _ a: Args) { push(s, c, a, head: true, onlyIfExists: true) }
    static func rpushx(_ s: Server, _ c: Client, _ a: Args) { push(s, c, a, head: false, onlyIfExists: true) }

    // MARK: - Pop

    static func pop(_ s: Server, _ c: Client, _ a: Args, head: Bool) {
        if a.count > 3 { c.arityError(head ? "lpop" : "rpop"); return }
        var count: Int64? = nil
        if a.count == 3 {
            // Redis answers the same for junk and for negative numbers.
            guard let v = a.int(2), v >= 0 else { c.error("ERR value is out of range, must be positive"); return }
            count = v
        }
        guard let e = s.lookupWrite(c.db, a[1]) else {
            if count != nil { c.nullArray() } else { c.null() }
            return
        }
        guard e.value.isList else { c.wrongType(); return }
        guard let n = count else {
            let v = c.db.mutateList(e) { head ? $0.popHead() : $0.popTail() }
            c.bulk(v!)
            elementsRemoved(s, c, e, a[1], head: head, count: 1)
            return
        }
        if n == 0 { c.array(0); return }
        let popped = c.db.mutateList(e) { l -> [[UInt8]] in
            var out: [[UInt8]] = []
            for _ in 0..<min(Int(n), l.count) {
                out.append((head ? l.popHead() : l.popTail())!)
            }
            return out
        }
        c.bulkArray(popped)
        elementsRemoved(s, c, e, a[1], head: head, count: popped.count)
    }

    static func lpop(_ s: Server, _ c: Client, _ a: Args) { pop(s, c, a, head: true) }
    static func rpop(_ s: Server, _ c: Client, _ a: Args) { pop(s, c, a, head: false) }

    // MARK: - Read

    static func llen(_ s: Server, _ c: Client, _ a: Args) {
        var wrong = false
        let l = readList(s, c, a[1], wrongType: &wrong)
        if wrong { return }
        c.int(l?.count ?? 0)
    }

    static func lindex(_ s: Server, _ c: Client, _ a: Args) {
        var wrong = false
        let l = readList(s, c, a[1], wrongType: &wrong)
        if wrong { return }
        guard let list = l else { c.null(); return }
        guard var i = a.int(2) else { c.notInteger(); return }
        if i < 0 { i += Int64(list.count) }
        if i < 0 || i >= Int64(list.count) { c.null(); return }
        reply(c, list.element(at: Int(i)))
    }

    static func lrange(_ s: Server, _ c: Client, _ a: Args) {
        guard var start = a.int(2), var end = a.int(3) else { c.notInteger(); return }
        var wrong = false
        let l = readList(s, c, a[1], wrongType: &wrong)
        if wrong { return }
        guard let list = l else { c.array(0); return }
        let len = Int64(list.count)
        if start < 0 { start += len }
        if end < 0 { end += len }
        if start < 0 { start = 0 }
        if start > end || start >= len { c.array(0); return }
        if end >= len { end = len - 1 }
        c.array(Int(end - start + 1))
        list.forEach(from: Int(start), through: Int(end)) { reply(c, $0) }
    }

    static func lpos(_ s: Server, _ c: Client, _ a: Args) {
        var rank: Int64 = 1, count: Int64? = nil, maxlen: Int64 = 0
        var wrappedRank = false
        var j = 3
        while j < a.count {
            guard j + 1 < a.count else { c.syntaxError(); return }
            if a.is(j, "RANK") {
                guard let v = a.int(j + 1) else { c.notInteger(); return }
                if v == 0 {
                    c.error("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
                    return
                }
                // Redis negates the rank in C, where -LLONG_MIN wraps: the search runs from the
                // tail like -1, and its COUNT test overflows, so every match is returned.
                wrappedRank = v == Int64.min
                rank = wrappedRank ? -1 : v
            } else if a.is(j, "COUNT") {
                guard let v = a.int(j + 1), v >= 0 else { c.error("ERR COUNT can't be negative"); return }
                count = v
            } else if a.is(j, "MAXLEN") {
                guard let v = a.int(j + 1), v >= 0 else { c.error("ERR MAXLEN can't be negative"); return }
                maxlen = v
            } else {
                c.syntaxError()
                return
            }
            j += 2
        }
        var wrong = false
        let l = readList(s, c, a[1], wrongType: &wrong)
        if wrong { return }
        guard let list = l else {
            if count != nil { c.array(0) } else { c.null() }
            return
        }
        let want = count.map { $0 == 0 || wrappedRank ? Int.max : Int($0) } ?? 1
        var skip = rank.magnitude - 1
        var found: [Int] = []
        var compared: Int64 = 0
        let target = a[2]
        list.scan(reverse: rank < 0) { index, el in
            if maxlen > 0 && compared >= maxlen { return false }
            compared += 1
            if el.equals(target) {
                if skip > 0 { skip -= 1 } else {
                    found.append(index)
                    if found.count >= want { return false }
                }
            }
            return true
        }
        if count != nil {
            c.array(found.count)
            for f in found { c.int(f) }
        } else if let f = found.first {
            c.int(f)
        } else {
            c.null()
        }
    }

    // MARK: - Edits

    static func lset(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupWrite(c.db, a[1]) else { c.error("ERR no such key"); return }
        guard case .list(let l0) = e.valuePointer.pointee else { c.wrongType(); return }
        guard var i = a.int(2) else { c.notInteger(); return }
        if i < 0 { i += Int64(l0.count) }
        if i < 0 || i >= Int64(l0.count) { c.error("ERR index out of range"); return }
        c.db.mutateList(e) { $0.set(Int(i), a[3]) }
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.list, "lset", a[1], c.db.id)
        c.ok()
    }

    static func linsert(_ s: Server, _ c: Client, _ a: Args) {
        let after: Bool
        if a.is(2, "AFTER") { after = true } else if a.is(2, "BEFORE") { after = false } else {
            c.syntaxError()
            return
        }
        guard let e = s.lookupWrite(c.db, a[1]) else { c.int(0); return }
        guard case .list(let l0) = e.valuePointer.pointee else { c.wrongType(); return }
        var pivot = -1
        l0.scan(reverse: false) { index, el in
            if el.equals(a[3]) { pivot = index; return false }
            return true
        }
        if pivot < 0 { c.int(-1); return }
        let n = c.db.mutateList(e) { l -> Int in
            l.insert(a[4], at: pivot, after: after)
            return l.count
        }
        s.changed()
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.list, "linsert", a[1], c.db.id)
        c.int(n)
    }

    static func lrem(_ s: Server, _ c: Client, _ a: Args) {
        guard let toRemove = a.int(2) else { c.notInteger(); return }
        guard let e = s.lookupWrite(c.db, a[1]) else { c.int(0); return }
        guard case .list(let l0) = e.valuePointer.pointee else { c.wrongType(); return }
        // Which positions go: the first |count| matches from the head (count > 0), from the
        // tail (count < 0), or all of them (0).
        var doomed = Set<Int>()
        let limit = toRemove == 0 ? Int.max : Int(clamping: toRemove.magnitude)
        l0.scan(reverse: toRemove < 0) { index, el in
            if el.equals(a[3]) {
                doomed.insert(index)
                if doomed.count >= limit { return false }
            }
            return true
        }
        if doomed.isEmpty { c.int(0); return }
        c.db.mutateList(e) { l in l.filter { index, _ in !doomed.contains(index) } }
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.list, "lrem", a[1], c.db.id)
        deleteIfEmpty(s, c, e, a[1])
        s.changed(Int64(doomed.count))
        c.int(doomed.count)
    }

    static func ltrim(_ s: Server, _ c: Client, _ a: Args) {
        guard var start = a.int(2), var end = a.int(3) else { c.notInteger(); return }
        guard let e = s.lookupWrite(c.db, a[1]) else { c.ok(); return }
        guard case .list(let l0) = e.valuePointer.pointee else { c.wrongType(); return }
        let len = Int64(l0.count)
        if start < 0 { start += len }
        if end < 0 { end += len }
        if start < 0 { start = 0 }
        var left: Int64, right: Int64
        if start > end || start >= len {
            left = len
            right = 0
        } else {
            if end >= len { end = len - 1 }
            left = start
            right = len - end - 1
        }
        if left > 0 || right > 0 {
            c.db.mutateList(e) { $0.trim(left: Int(left), right: Int(right)) }
            s.changed(left + right)
        }
        // Even a trim that keeps everything is a change for Redis: event and touch.
        s.notifyKeyspaceEvent(.list, "ltrim", a[1], c.db.id)
        deleteIfEmpty(s, c, e, a[1])
        s.signalModifiedKey(c.db, a[1])
        c.ok()
    }

    // MARK: - Moves

    /// LEFT or RIGHT at argument `i`: true for LEFT (the head). Nil after a syntax error.
    static func side(_ c: Client, _ a: Args, _ i: Int) -> Bool? {
        if a.is(i, "LEFT") { return true }
        if a.is(i, "RIGHT") { return false }
        c.syntaxError()
        return nil
    }

    static func move(_ s: Server, _ c: Client, src: UnsafeRawBufferPointer, dst: UnsafeRawBufferPointer,
                     fromHead: Bool, toHead: Bool) {
        guard let se = s.lookupWrite(c.db, src) else { c.null(); return }
        guard se.value.isList else { c.wrongType(); return }
        let de = s.lookupWrite(c.db, dst)
        if let d = de, !d.value.isList { c.wrongType(); return }
        let v = c.db.mutateList(se) { fromHead ? $0.popHead() : $0.popTail() }!
        // RPOPLPUSH, LMOVE, BRPOPLPUSH and BLMOVE all replay as LMOVE.
        c.propagate(as: [[word("LMOVE"), Array(src.bindMemory(to: UInt8.self)), Array(dst.bindMemory(to: UInt8.self)),
                          word(fromHead ? "LEFT" : "RIGHT"), word(toHead ? "LEFT" : "RIGHT")]])
        let target = de ?? c.db.add(dst, .list(ListValue()))
        v.withUnsafeBytes { p in
            c.db.mutateList(target) { toHead ? $0.pushHead(p) : $0.pushTail(p) }
        }
        s.signalModifiedKey(c.db, dst)
        s.notifyKeyspaceEvent(.list, toHead ? "lpush" : "rpush", dst, c.db.id)
        c.bulk(v)
        // The source may be the destination (rotation): only an empty list is deleted.
        elementsRemoved(s, c, se, src, head: fromHead, count: 1)
    }

    static func rpoplpush(_ s: Server, _ c: Client, _ a: Args) {
        move(s, c, src: a[1], dst: a[2], fromHead: false, toHead: true)
    }

    static func lmove(_ s: Server, _ c: Client, _ a: Args) {
        guard let from = side(c, a, 3), let to = side(c, a, 4) else { return }
        move(s, c, src: a[1], dst: a[2], fromHead: from, toHead: to)
    }

    /// What LMPOP and BLMPOP ask for: the argument indexes of the keys, the side, the count.
    static func parseMultiPop(_ c: Client, _ a: Args, numkeysAt: Int) -> MultiPop? {
        MultiPop.parse(c, a, numkeysAt: numkeysAt, ends: ("LEFT", "RIGHT"))
    }

    /// Pops up to `count` elements from the list at `key` and replies `[key, [elements]]`.
    static func popRange(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, _ e: Entry,
                         head: Bool, count: Int) {
        let popped = c.db.mutateList(e) { l -> [[UInt8]] in
            (0..<min(count, l.count)).map { _ in (head ? l.popHead() : l.popTail())! }
        }
        // LMPOP and BLMPOP replay as a plain pop with a count, as in Redis.
        c.propagate(as: [[word(head ? "LPOP" : "RPOP"), Array(key.bindMemory(to: UInt8.self)), number(Int64(popped.count))]])
        c.array(2)
        c.bulk(key)
        c.bulkArray(popped)
        elementsRemoved(s, c, e, key, head: head, count: popped.count)
    }

    static func lmpop(_ s: Server, _ c: Client, _ a: Args) {
        guard let request = parseMultiPop(c, a, numkeysAt: 1) else { return }
        for k in request.keys {
            guard let e = s.lookupWrite(c.db, a[k]) else { continue }
            guard e.value.isList else { c.wrongType(); return }
            popRange(s, c, a[k], e, head: request.first, count: request.count)
            return
        }
        c.nullArray()
    }
}
