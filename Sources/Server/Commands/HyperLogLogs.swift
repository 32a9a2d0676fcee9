/// HyperLogLog commands (Redis's hyperloglog.c): PFADD, PFCOUNT, PFMERGE, PFDEBUG and
/// PFSELFTEST over sketches stored as plain strings (see Keyspace/HyperLogLog.swift).
///
/// A command that touches an existing sketch leaves it a "raw" string even when it does not
/// change it, as Redis unshares the value first; OBJECT ENCODING reports the same.
enum HyperLogLogCommands {
    typealias HLL = HyperLogLog

    static let corrupted: StaticString = "INVALIDOBJ Corrupted HLL object detected"

    // MARK: - Helpers

    /// Whether the entry holds a sketch; otherwise replies WRONGTYPE (the generic message for
    /// other types, the HyperLogLog one for strings that are not sketches).
    static func isSketch(_ c: Client, _ e: Entry) -> Bool {
        let v = e.valuePointer.pointee
        guard v.isString else { c.wrongType(); return false }
        if case .string(let b, _) = v, b.withUnsafeBytes({ HLL.isValid($0) }) { return true }
        c.error("WRONGTYPE Key is not a valid HyperLogLog string value.")
        return false
    }

    /// The sketch bytes of an entry already checked with `isSketch`.
    static func sketch(_ e: Entry) -> [UInt8] {
        if case .string(let b, _) = e.valuePointer.pointee { return b }
        preconditionFailure("not a sketch: check with isSketch first")
    }

    /// Merges the sketches at `keys` into one register per byte. Missing keys count as
    /// empty. Nil after an error reply; `sawDense` tells whether any input was dense.
    static func mergeRegisters(_ s: Server, _ c: Client, _ a: Args, keys: Range<Int>,
                               sawDense: inout Bool) -> [UInt8]? {
        var registers = [UInt8](repeating: 0, count: HLL.registerCount)
        for i in keys {
            guard let e = s.lookupRead(c.db, a[i]) else { continue }
            guard isSketch(c, e) else { return nil }
            let ok = sketch(e).withUnsafeBytes { p -> Bool in
                if p[4] == HLL.denseEncoding { sawDense = true }
                return HLL.merge(into: &registers, p)
            }
            guard ok else { c.error(corrupted); return nil }
        }
        return registers
    }

    // MARK: - PFADD

    static func pfadd(_ s: Server, _ c: Client, _ a: Args) {
        var updated = 0
        var broken = false
        if let e = s.lookupWrite(c.db, a[1]) {
            guard isSketch(c, e) else { return }
            c.db.mutateString(e) { b in
                for i in 2..<a.count {
                    switch HLL.add(&b, a[i]) {
                    case .changed: updated += 1
                    case .unchanged: break
                    case .corrupted: broken = true; return
                    }
                }
                if updated > 0 { HLL.invalidateCache(&b) }
            }
        } else {
            var b = HLL.empty()
            updated = 1
            for i in 2..<a.count where HLL.add(&b, a[i]) == .changed { updated += 1 }
            HLL.invalidateCache(&b)
            c.db.add(a[1], .string(b, raw: true))
        }
        if broken { c.error(corrupted); return }
        if updated > 0 {
            s.signalModifiedKey(c.db, a[1])
            s.notifyKeyspaceEvent(.string, "pfadd", a[1], c.db.id)
            s.changed(Int64(updated))
        }
        c.int(updated > 0 ? 1 : 0)
    }

    // MARK: - PFCOUNT

    static func pfcount(_ s: Server, _ c: Client, _ a: Args) {
        if a.count > 2 {
            // The union of several sketches, estimated without storing it.
            var sawDense = false
            guard let registers = mergeRegisters(s, c, a, keys: 1..<a.count, sawDense: &sawDense) else { return }
            c.int(Int64(bitPattern: HLL.estimate(HLL.histogram(registers: registers))))
            return
        }
        guard let e = s.lookupRead(c.db, a[1]) else { c.int(0); return }
        guard isSketch(c, e) else { return }
        // A raw sketch with a valid cached estimate needs no write at all.
        if case .string(let b, let raw) = e.valuePointer.pointee, raw || b.count > Value.embstrLimit,
           let card = b.withUnsafeBytes({ HLL.cachedCardinality($0) }) {
            c.int(Int64(bitPattern: card))
            return
        }
        var result: UInt64? = nil
        var recomputed = false
        c.db.mutateString(e) { b in
            if let cached = b.withUnsafeBytes({ HLL.cachedCardinality($0) }) { result = cached; return }
            guard let card = b.withUnsafeBytes({ HLL.count($0) }) else { return }
            HLL.setCachedCardinality(&b, card)
            result = card
            recomputed = true
        }
        guard let card = result else { c.error(corrupted); return }
        if recomputed {
            // The cache is part of the value: the write must reach replicas and the AOF.
            s.signalModifiedKey(c.db, a[1])
            s.changed()
        }
        c.int(Int64(bitPattern: card))
    }

    // MARK: - PFMERGE

    static func pfmerge(_ s: Server, _ c: Client, _ a: Args) {
        var useDense = false
        // The destination is one of the inputs, so its type is checked here too.
        guard let registers = mergeRegisters(s, c, a, keys: 1..<a.count, sawDense: &useDense) else { return }
        func store(_ b: inout [UInt8]) -> Bool {
            if useDense && !HLL.sparseToDense(&b) { return false }
            HLL.raiseAll(&b, registers)
            HLL.invalidateCache(&b)
            return true
        }
        if let e = s.lookupWrite(c.db, a[1]) {
            var ok = true
            c.db.mutateString(e) { ok = store(&$0) }
            guard ok else { c.error(corrupted); return }
        } else {
            var b = HLL.empty()
            _ = store(&b)
            c.db.add(a[1], .string(b, raw: true))
        }
        s.signalModifiedKey(c.db, a[1])
        s.notifyKeyspaceEvent(.string, "pfadd", a[1], c.db.id)
        s.changed()
        c.ok()
    }

    // MARK: - PFDEBUG

    /// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key.
    static func pfdebug(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupWrite(c.db, a[2]) else {
            c.error("ERR The specified key does not exist")
            return
        }
        guard isSketch(c, e) else { return }
        c.db.mutateString(e) { b in
            if a.is(1, "GETREG") {
                if b[4] == HLL.sparseEncoding {
                    guard HLL.sparseToDense(&b) else { c.error(corrupted); return }
                    s.changed()   // the encoding changed: propagate it
                }
                c.array(HLL.registerCount)
                b.withUnsafeBytes { p in
                    let r = p.baseAddress! + HLL.headerSize
                    for i in 0..<HLL.registerCount { c.int(Int(HLL.denseGet(r, i))) }
                }
            } else if a.is(1, "DECODE") {
                guard b[4] == HLL.sparseEncoding else { c.error("ERR HLL encoding is not sparse"); return }
                c.bulk(b.withUnsafeBytes { HLL.decode($0) })
            } else if a.is(1, "ENCODING") {
                c.simple(b[4] == HLL.denseEncoding ? "dense" : "sparse")
            } else if a.is(1, "TODENSE") {
                guard b[4] == HLL.sparseEncoding else { c.int(0); return }
                guard HLL.sparseToDense(&b) else { c.error(corrupted); return }
                s.changed()
                c.int(1)
            } else {
                var name = a.echo(1, max: Int.max)
                for i in name.indices where name[i] == 13 || name[i] == 10 { name[i] = 32 }
                c.error(bytes: Array("ERR Unknown PFDEBUG subcommand '".utf8) + name + [39])
            }
        }
    }

    // MARK: - PFSELFTEST

    static func pfselftest(_ s: Server, _ c: Client, _ a: Args) {
        if let failure = selfTest() { c.error(failure) } else { c.ok() }
    }

    /// Redis's PFSELFTEST: (1) dense registers keep random values without disturbing their
    /// neighbours; (2) ten million distinct elements added to a dense and a sparse sketch
    /// give equal estimates, stay sparse while small, and err within six standard errors at
    /// each power of ten. Returns the failure message, or nil.
    static func selfTest() -> String? {
        var dense = [UInt8](repeating: 0, count: HLL.denseSize)
        dense[4] = HLL.denseEncoding
        var expected = [UInt8](repeating: 0, count: HLL.registerCount)
        for _ in 0..<1000 {
            let failure: String? = dense.withUnsafeMutableBytes { raw in
                let r = raw.baseAddress! + HLL.headerSize
                for i in 0..<HLL.registerCount {
                    let v = UInt8(truncatingIfNeeded: FastRandom.next()) & HLL.registerMax
                    expected[i] = v
                    HLL.denseSet(r, i, v)
                }
                for i in 0..<HLL.registerCount where HLL.denseGet(r, i) != expected[i] {
                    return "TESTFAILED Register \(i) should be \(expected[i]) but is \(HLL.denseGet(r, i))"
                }
                return nil
            }
            if let failure = failure { return failure }
        }

        for i in HLL.headerSize..<dense.count { dense[i] = 0 }
        var sparse = HLL.empty()
        let relativeError = 1.04 / Double(HLL.registerCount).squareRoot()
        var checkpoint = 1
        let seed = FastRandom.next()
        for j in 1...10_000_000 {
            var element = (UInt64(j) ^ seed).littleEndian
            withUnsafeBytes(of: &element) { e in
                _ = HLL.add(&dense, e)
                _ = HLL.add(&sparse, e)
            }
            guard j == checkpoint else { continue }
            if j < HLL.sparseMaxBytes / 2 && sparse[4] != HLL.sparseEncoding {
                return "TESTFAILED sparse encoding not used"
            }
            let denseCount = dense.withUnsafeBytes { HLL.count($0) } ?? 0
            let sparseCount = sparse.withUnsafeBytes { HLL.count($0) } ?? 0
            if denseCount != sparseCount { return "TESTFAILED dense/sparse disagree" }
            let absError = abs(Int64(checkpoint) - Int64(denseCount))
            var maxError = Int64((relativeError * 6 * Double(checkpoint)).rounded(.up))
            // A cardinality of 10 collides often enough to err by more than the formula.
            if j == 10 { maxError = 1 }
            if absError > maxError {
                return "TESTFAILED Too big error. card:\(checkpoint) abserr:\(absError)"
            }
            checkpoint *= 10
        }
        return nil
    }
}
