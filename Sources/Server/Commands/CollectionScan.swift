/// The shared body of HSCAN, SSCAN and ZSCAN (Redis's scanGenericCommand for a key): option
/// parsing, the table walk with its budget, MATCH filtering and the reply.
enum CollectionScan {
    /// Receives one element (a field, member) and, for hashes and sorted sets, its value.
    typealias Emit = (_ element: [UInt8], _ value: [UInt8]?) -> Void

    /// The reply to a scan of a missing key: an empty, finished scan whatever the options say.
    static func replyEmpty(_ c: Client) {
        c.array(2)
        c.bulk("0")
        c.array(0)
    }

    /// Runs a scan from `cursor` with the COUNT/MATCH options at `a[optionsFrom...]`.
    /// A compact encoding passes `whole`, which emits everything: it is returned in one call
    /// with cursor 0, as Redis does. Otherwise `step` visits the bucket(s) at a cursor and
    /// returns the next one; steps run until COUNT elements were seen or 10·COUNT buckets
    /// were visited.
    static func run(_ c: Client, _ a: Args, optionsFrom: Int, cursor: UInt64,
                    whole: ((Emit) -> Void)?, step: (UInt64, Emit) -> UInt64) {
        var count = 10
        var pattern: [UInt8]? = nil
        var j = optionsFrom
        while j < a.count {
            if a.is(j, "COUNT") && j + 1 < a.count {
                guard let v = a.int(j + 1) else { c.notInteger(); return }
                if v < 1 { c.syntaxError(); return }
                count = Int(min(v, Int64(Int32.max)))
            } else if a.is(j, "MATCH") && j + 1 < a.count {
                pattern = a.bytes(j + 1)
            } else {
                c.syntaxError()
                return
            }
            j += 2
        }
        // "*" matches everything, even an empty element (Redis skips matching for it).
        if let p = pattern, p == [UInt8(ascii: "*")] { pattern = nil }
        var out: [[UInt8]] = []
        var seen = 0
        let emit: Emit = { element, value in
            seen += 1
            if let p = pattern, !globMatch(p, element) { return }
            out.append(element)
            if let v = value { out.append(v) }
        }
        var next: UInt64 = 0
        if let all = whole {
            all(emit)
        } else {
            next = cursor
            var budget = count * 10
            repeat {
                next = step(next, emit)
                budget -= 1
            } while next != 0 && budget > 0 && seen < count
        }
        c.array(2)
        c.bulk(String(next))
        c.bulkArray(out)
    }
}
