/// BZPOPMIN, BZPOPMAX and BZMPOP (Redis's blockingGenericZpopCommand): pop at once from the
/// first key holding a sorted set, else wait for one (Blocking/BlockedClients.swift) unless
/// blocking is denied (inside EXEC), which answers as a timeout.
extension SortedSetCommands {
    static func bzpopmin(_ s: Server, _ c: Client, _ a: Args) { bzpop(s, c, a, max: false) }
    static func bzpopmax(_ s: Server, _ c: Client, _ a: Args) { bzpop(s, c, a, max: true) }

    /// BZPOP[MIN|MAX] key [key ...] timeout: replies [key, member, score].
    static func bzpop(_ s: Server, _ c: Client, _ a: Args, max: Bool) {
        guard let deadline = BlockingCommands.deadline(c, a[a.count - 1]) else { return }
        let keys = 1..<(a.count - 1)
        var failed = false
        if let (k, e) = firstZSet(s, c, a, keys, failed: &failed) {
            popOne(s, c, a[k], e, max: max)
            return
        }
        if failed { return }
        if c.denyBlocking { c.nullArray(); return }
        s.block(c, keys: keys.map { a.bytes($0) }, deadline: deadline, type: .zset, args: a) {
            s, c, key, e in popOne(s, c, key, e, max: max)
        }
    }

    static func popOne(_ s: Server, _ c: Client, _ key: UnsafeRawBufferPointer, _ e: Entry, max: Bool) {
        c.propagate(as: [[word(max ? "ZPOPMAX" : "ZPOPMIN"), Array(key.bindMemory(to: UInt8.self))]])
        c.array(3)
        c.bulk(key)
        pop(s, c, e, key, count: 1, max: max) { m, sc in
            c.bulk(m)
            c.double(sc)
        }
    }

    /// BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count]: the arguments are checked
    /// before the timeout, as Redis does.
    static func bzmpop(_ s: Server, _ c: Client, _ a: Args) {
        guard let p = MultiPop.parse(c, a, numkeysAt: 2, ends: ("MIN", "MAX")) else { return }
        guard let deadline = BlockingCommands.deadline(c, a[1]) else { return }
        var failed = false
        if let (k, e) = firstZSet(s, c, a, p.keys, failed: &failed) {
            popWithKey(s, c, a[k], e, count: p.count, max: !p.first)
            return
        }
        if failed { return }
        if c.denyBlocking { c.nullArray(); return }
        s.block(c, keys: p.keys.map { a.bytes($0) }, deadline: deadline, type: .zset, args: a) {
            s, c, key, e in popWithKey(s, c, key, e, count: p.count, max: !p.first)
        }
    }
}
