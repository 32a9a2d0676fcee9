/// The arguments LMPOP, BLMPOP, ZMPOP and BZMPOP share: `numkeys key [key ...] END [COUNT n]`
/// where END names the end to pop from (LEFT|RIGHT, MIN|MAX).
struct MultiPop {
    let keys: Range<Int>
    /// Pop from the first end named (LEFT, MIN).
    let first: Bool
    let count: Int

    /// Parses the arguments with numkeys at `numkeysAt`, replying the error in Redis's order
    /// of checks when they are wrong.
    static func parse(_ c: Client, _ a: Args, numkeysAt: Int,
                      ends: (StaticString, StaticString)) -> MultiPop? {
        guard let numkeys = a.int(numkeysAt), numkeys > 0 else {
            c.error("ERR numkeys should be greater than 0")
            return nil
        }
        let whereIndex = numkeysAt + 1 + Int(min(numkeys, Int64(a.count)))
        guard whereIndex < a.count else { c.syntaxError(); return nil }
        let first: Bool
        if a.is(whereIndex, ends.0) { first = true } else if a.is(whereIndex, ends.1) { first = false }
        else { c.syntaxError(); return nil }
        var count: Int64 = 1
        var j = whereIndex + 1
        var sawCount = false
        while j < a.count {
            if a.is(j, "COUNT") && j + 1 < a.count && !sawCount {
                guard let v = a.int(j + 1), v > 0 else {
                    c.error("ERR count should be greater than 0")
                    return nil
                }
                count = v
                sawCount = true
                j += 2
            } else {
                c.syntaxError()
                return nil
            }
        }
        return MultiPop(keys: (numkeysAt + 1)..<whereIndex, first: first, count: Int(clamping: count))
    }
}
