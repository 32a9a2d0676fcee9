/// The ZRANGE family (Redis's zrangeGenericCommand): ZRANGE with BYSCORE/BYLEX/REV/LIMIT/
/// WITHSCORES, ZRANGESTORE, and the older ZREVRANGE, Z[REV]RANGEBYSCORE and Z[REV]RANGEBYLEX,
/// which are the same command with the range kind and direction fixed.
extension SortedSetCommands {
    enum RangeDirection { case auto, forward, reverse }
    enum RangeBy { case auto, rank, score, lex }

    static func zrange(_ s: Server, _ c: Client, _ a: Args) { rangeGeneric(s, c, a, keyAt: 1, store: false, .auto, .auto) }
    static func zrangestore(_ s: Server, _ c: Client, _ a: Args) { rangeGeneric(s, c, a, keyAt: 2, store: true, .auto, .auto) }
    static func zrevrange(_ s: Server, _ c: Client, _ a: Args) { rangeGeneric(s, c, a, keyAt: 1, store: false, .rank, .reverse) }
    static func zrangebyscore(_ s: Server, _ c: Client, _ a: Args) { rangeGeneric(s, c, a, keyAt: 1, store: false, .score, .forward) }
    static func zrevrangebyscore(_ s: Server, _ c: Client, _ a: Args) { rangeGeneric(s, c, a, keyAt: 1, store: false, .score, .reverse) }
    static func zrangebylex(_ s: Server, _ c: Client, _ a: Args) { rangeGeneric(s, c, a, keyAt: 1, store: false, .lex, .forward) }
    static func zrevrangebylex(_ s: Server, _ c: Client, _ a: Args) { rangeGeneric(s, c, a, keyAt: 1, store: false, .lex, .reverse) }

    /// Arguments are checked in Redis's order: options, their conflicts, the range, and only
    /// then the key (so a bad range beats WRONGTYPE).
    static func rangeGeneric(_ s: Server, _ c: Client, _ a: Args, keyAt: Int, store: Bool,
                             _ fixedBy: RangeBy, _ fixedDirection: RangeDirection) {
        var by = fixedBy, direction = fixedDirection
        var withScores = false
        var offset: Int64 = 0, limit: Int64 = -1
        var limited = false
        var j = keyAt + 3
        while j < a.count {
            let left = a.count - j - 1
            if !store && a.is(j, "WITHSCORES") {
                withScores = true
            } else if a.is(j, "LIMIT") && left >= 2 {
                guard let o = a.int(j + 1), let l = a.int(j + 2) else { c.notInteger(); return }
                offset = o
                limit = l
                limited = true
                j += 2
            } else if direction == .auto && a.is(j, "REV") {
                direction = .reverse
            } else if by == .auto && a.is(j, "BYLEX") {
                by = .lex
            } else if by == .auto && a.is(j, "BYSCORE") {
                by = .score
            } else {
                c.syntaxError()
                return
            }
            j += 1
        }
        if direction == .auto { direction = .forward }
        if by == .auto { by = .rank }
        // A LIMIT counting -1 is the default one: Redis lets it pass on a rank range.
        if limited && limit != -1 && by == .rank {
            c.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
            return
        }
        if withScores && by == .lex {
            c.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
            return
        }
        let reverse = direction == .reverse
        // BYSCORE and BYLEX take the range as max, min when reversed.
        var minAt = keyAt + 1, maxAt = keyAt + 2
        if reverse && by != .rank { swap(&minAt, &maxAt) }

        var resolve: (ZSetValue) -> Range<Int>
        switch by {
        case .rank, .auto:
            guard let start = a.int(minAt), let end = a.int(maxAt) else { c.notInteger(); return }
            resolve = { z in
                let r = rankRange(start, end, count: z.count)
                // Reverse ranks count from the top.
                return reverse ? (z.count - r.upperBound)..<(z.count - r.lowerBound) : r
            }
        case .score:
            guard let range = ScoreRange(a[minAt], a[maxAt]) else { c.error("ERR min or max is not a float"); return }
            resolve = { z in range.ranks(in: z) }
        case .lex:
            guard let range = LexRange(a[minAt], a[maxAt]) else {
                c.error("ERR min or max not valid string range item")
                return
            }
            resolve = { z in range.ranks(in: z) }
        }

        var failed = false
        let found = readZSet(s, c, a[keyAt], failed: &failed)
        if failed { return }
        var ranks = 0..<0
        if let z = found {
            ranks = resolve(z)
            if limited && by != .rank {
                // A negative offset selects nothing; a negative limit means no limit.
                if offset < 0 || offset >= Int64(ranks.count) {
                    ranks = 0..<0
                } else {
                    let take = limit < 0 ? ranks.count - Int(offset) : Int(min(limit, Int64(ranks.count) - offset))
                    ranks = reverse
                        ? (ranks.upperBound - Int(offset) - take)..<(ranks.upperBound - Int(offset))
                        : (ranks.lowerBound + Int(offset))..<(ranks.lowerBound + Int(offset) + take)
                }
            }
        }
        if store {
            let result = ZSetValue(sizeHint: ranks.count)
            found?.forEach(ranks: ranks, reverse: reverse) { m, sc in result.insert(m, score: sc) }
            storeResult(s, c, a[1], result, event: "zrangestore")
            return
        }
        guard let z = found else { c.array(0); return }
        replyLength(c, ranks.count, withScores: withScores)
        z.forEach(ranks: ranks, reverse: reverse) { m, sc in replyElement(c, m, sc, withScores: withScores) }
    }

    /// Stores a computed sorted set at `dst` (packed again when small, as Redis does).
    static func storeResult(_ s: Server, _ c: Client, _ dst: UnsafeRawBufferPointer, _ result: ZSetValue,
                            event: StaticString) {
        result.convertToPackedIfSmall()
        s.storeResult(c, dst, .zset(result), count: result.count, .zset, event)
    }
}
