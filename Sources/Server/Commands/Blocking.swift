import CEventShim

/// Blocking list commands (Redis's t_list.c): BLPOP BRPOP BRPOPLPUSH BLMOVE BLMPOP, and
/// CLIENT UNBLOCK. Each first tries what its non-blocking form would do; when every key is
/// missing it blocks (Blocking/BlockedClients.swift) with a function that serves it later.
/// In a context that must not block (Client.denyBlocking: EXEC) it answers as a timeout.
enum BlockingCommands {
    // MARK: - Timeout

    /// The timeout argument as an absolute deadline in ms, 0 for none, replying Redis's error
    /// when it is bad. Seconds are read as a long double and rounded up to whole ms, like
    /// Redis's getTimeoutFromObjectOrReply; a value that does not fit C's long long becomes
    /// LLONG_MIN there (x86), hence "negative".
    static func deadline(_ c: Client, _ arg: UnsafeRawBufferPointer) -> Int64? {
        guard let seconds = parseLongDouble(arg) else {
            c.error("ERR timeout is not a float or out of range")
            return nil
        }
        let ms = (seconds * 1000).rounded(.up)
        let fits = ms >= -9_223_372_036_854_775_808.0 && ms < 9_223_372_036_854_775_808.0
        let tval = fits ? Int64(ms) : Int64.min
        if tval < 0 {
            c.error("ERR timeout is negative")
            return nil
        }
        if tval == 0 { return 0 }
        // A deadline past Int64 wraps negative in Redis and never comes: no timeout either.
        let (at, overflow) = tval.addingReportingOverflow(rw_now_ms())
        return overflow ? 0 : at
    }

    // MARK: - BLPOP BRPOP

    static func blpop(_ s: Server, _ c: Client, _ a: Args) { blockingPop(s, c, a, head: true) }
    static func brpop(_ s: Server, _ c: Client, _ a: Args) { blockingPop(s, c, a, head: false) }

    /// Pops from the first key that holds a list; WRONGTYPE from the first key that holds
    /// something else (checked in key order).
    static func blockingPop(_ s: Server, _ c: Client, _ a: Args, head: Bool) {
        guard let deadline = deadline(c, a[a.count - 1]) else { return }
        for i in 1..<(a.count - 1) {
            guard let e = s.lookupWrite(c.db, a[i]) else { continue }
            guard e.value.isList else { c.wrongType(); return }
            popWithKey(s, c, a[i], e, head: head)
            return
        }
        if c.denyBlocking { c.nullArray(); return }
        s.block(c, keys: (1..<(a.count - 1)).map { a.bytes($0) }, deadline: deadline, type: .list, args: a) {
            s, c, key, e in popWithKey(s, c, key, e, head: head)
        }
    }

    /// Pops one element and replies `[key, element]`.
    static func popWithKey(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, _ e: Entry, head: Bool) {
        let (value, left) = c.db.mutateList(e) { l in ((head ? l.popHead() : l.popTail())!, l.count) }
        // Served now or later, a blocking pop replays as the plain pop.
        c.propagate(as: [[word(head ? "LPOP" : "RPOP"), Array(key.bindMemory(to: UInt8.self))]])
        c.array(2)
        c.bulk(key)
        c.bulk(value)
        s.notifyKeyspaceEvent(.list, head ? "lpop" : "rpop", key, c.db.id)
        if left == 0 {
            c.db.delete(key)
            s.notifyKeyspaceEvent(.generic, "del", key, c.db.id)
        }
        s.signalModifiedKey(c.db, key)
        s.changed()
    }

    // MARK: - BRPOPLPUSH BLMOVE

    static func brpoplpush(_ s: Server, _ c: Client, _ a: Args) {
        guard let deadline = deadline(c, a[3]) else { return }
        blockingMove(s, c, a, fromHead: false, toHead: true, deadline: deadline)
    }

    static func blmove(_ s: Server, _ c: Client, _ a: Args) {
        guard let from = ListCommands.side(c, a, 3), let to = ListCommands.side(c, a, 4) else { return }
        guard let deadline = deadline(c, a[5]) else { return }
        blockingMove(s, c, a, fromHead: from, toHead: to, deadline: deadline)
    }

    /// LMOVE when the source exists. Otherwise blocks, whatever the destination holds: a
    /// destination of another type is reported (WRONGTYPE) when the client is served.
    static func blockingMove(_ s: Server, _ c: Client, _ a: Args, fromHead: Bool, toHead: Bool, deadline: Int64) {
        if let e = s.lookupWrite(c.db, a[1]) {
            guard e.value.isList else { c.wrongType(); return }
            ListCommands.move(s, c, src: a[1], dst: a[2], fromHead: fromHead, toHead: toHead)
            return
        }
        if c.denyBlocking { c.null(); return }
        let destination = a.bytes(2)
        s.block(c, keys: [a.bytes(1)], deadline: deadline, type: .list, args: a) { s, c, key, _ in
            destination.withUnsafeBytes {
                ListCommands.move(s, c, src: key, dst: $0, fromHead: fromHead, toHead: toHead)
            }
        }
    }

    // MARK: - BLMPOP

    /// BLMPOP timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]: the arguments are checked
    /// before the timeout, as Redis does.
    static func blmpop(_ s: Server, _ c: Client, _ a: Args) {
        guard let request = ListCommands.parseMultiPop(c, a, numkeysAt: 2) else { return }
        guard let deadline = deadline(c, a[1]) else { return }
        for k in request.keys {
            guard let e = s.lookupWrite(c.db, a[k]) else { continue }
            guard e.value.isList else { c.wrongType(); return }
            ListCommands.popRange(s, c, a[k], e, head: request.first, count: request.count)
            return
        }
        if c.denyBlocking { c.nullArray(); return }
        s.block(c, keys: request.keys.map { a.bytes($0) }, deadline: deadline, type: .list, args: a) {
            s, c, key, e in ListCommands.popRange(s, c, key, e, head: request.first, count: request.count)
        }
    }

    // MARK: - CLIENT UNBLOCK

    /// CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was blocked and is now unblocked.
    static func clientUnblock(_ s: Server, _ c: Client, _ a: Args) {
        if a.count > 4 { c.subcommandSyntaxError(a); return }
        var asError = false
        if a.count == 4 {
            if a.is(3, "ERROR") {
                asError = true
            } else if !a.is(3, "TIMEOUT") {
                c.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
                return
            }
        }
        guard let id = a.int(2) else { c.notInteger(); return }
        guard id > 0, let target = s.allClients().first(where: { $0.id == UInt64(id) }), target.blocked != nil else {
            c.int(0)
            return
        }
        // Redis counts the unblocked command as failed either way.
        s.unblockWithoutServing(target, error: asError, countAsFailed: true)
        c.int(1)
    }
}
