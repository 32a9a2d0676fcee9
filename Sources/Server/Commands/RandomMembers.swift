/// What HRANDFIELD, SRANDMEMBER and ZRANDMEMBER share: Redis's checks of the count argument
/// and the choice of distinct random positions.
enum RandomMembers {
    /// Draws beyond this many are refused: Redis would try to build the reply whatever its
    /// size (a real redis-server dies on SRANDMEMBER key -4611686018427387903).
    static let maxDraws = 10_000_000

    /// Parses `key [count [withWord]]`. Returns nil after an error reply; `count` is nil when
    /// absent. Everything about the count is checked before the key is looked up, as in Redis.
    static func parse(_ c: Client, _ a: Args, withWord: StaticString?) -> (count: Int64?, with: Bool)? {
        guard a.count >= 3 else { return (nil, false) }
        // SRANDMEMBER takes no option: extra arguments are refused before the count is read.
        if withWord == nil && a.count > 3 { c.syntaxError(); return nil }
        guard let v = a.int(2) else { c.notInteger(); return nil }
        if v == Int64.min {
            c.error("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
            return nil
        }
        if a.count == 3 { return (v, false) }
        guard a.count == 4, let word = withWord, a.is(3, word) else { c.syntaxError(); return nil }
        if v.magnitude > UInt64(Int64.max / 2) { c.error("ERR value is out of range"); return nil }
        return (v, true)
    }

    /// The number of independent draws for a negative count, or nil after refusing it.
    static func draws(_ c: Client, _ n: Int64) -> Int? {
        let d = Int(clamping: n.magnitude)
        if d > maxDraws { c.error("ERR value is out of range"); return nil }
        return d
    }

    /// `n` distinct positions out of `total` (n < total), in random order.
    static func distinct(_ n: Int, of total: Int) -> [Int] {
        var positions = Array(0..<total)
        for i in 0..<n { positions.swapAt(i, i + FastRandom.below(total - i)) }
        positions.removeLast(total - n)
        return positions
    }
}
