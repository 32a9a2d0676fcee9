import CEventShim
import CRC64
import Glibc

/// Receives a call before any change to a bucket's contents. The snapshot engine uses it as its
/// write barrier: a bucket not yet captured is captured before the change lands.
public protocol DictObserver: AnyObject {
    /// `table` is 0 or 1 (the rehash target), `bucket` the index in that table.
    func willMutate(_ dict: AnyObject, table: Int, bucket: Int)
    /// Every entry is about to leave the table at once (FLUSHDB, FLUSHALL).
    func willClear(_ dict: AnyObject)
}

/// A block that a `HashTable` chains: it starts with the chain link (8 bytes at offset 0) and
/// knows where its key bytes are. The keyspace's `Entry`, set members and sorted-set nodes
/// each lay themselves out differently, so a set member pays for a link and its bytes only.
protocol ChainedEntry {
    init(_ raw: UnsafeMutableRawPointer)
    var raw: UnsafeMutableRawPointer { get }
    var key: UnsafeRawBufferPointer { get }
    func keyEquals(_ other: UnsafeRawBufferPointer) -> Bool
    /// Releases the block (and whatever it owns). It must already be unlinked.
    func free()
}

/// The keyspace's table.
typealias Dict = HashTable<Entry>

/// The chain link at offset 0 of every chained block.
@inline(__always)
func chainNext(_ raw: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    raw.load(as: UnsafeMutableRawPointer?.self)
}

@inline(__always)
func setChainNext(_ raw: UnsafeMutableRawPointer, _ next: UnsafeMutableRawPointer?) {
    raw.storeBytes(of: next, as: UnsafeMutableRawPointer?.self)
}

/// The process's hash key, chosen at random once (shared by every table).
let hashTableSeed: (UInt64, UInt64) = {
    var s: (UInt64, UInt64) = (0, 0)
    withUnsafeMutableBytes(of: &s) { raw in rw_random_bytes(raw.baseAddress, 16) }
    return s
}()
let hashTableInitialSize = 4

/// The keyspace's hash table: power-of-two bucket arrays with chaining, and Redis's
/// incremental rehashing (two tables while growing or shrinking, a few buckets moved per
/// operation and in the cron), so growing never stalls the server.
///
/// `scan` uses Redis's reverse-binary cursor: every entry present for the whole scan is
/// returned at least once even if the table grows or shrinks in between.
///
/// Keys hash with SipHash-1-2 keyed by a per-process random seed.
final class HashTable<E: ChainedEntry> {
    struct Table {
        var buckets: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        var size: Int = 0
        var used: Int = 0
        var mask: Int { size &- 1 }
    }

    var t0 = Table()
    var t1 = Table()
    /// Next bucket of t0 to move while rehashing; -1 when not rehashing.
    var rehashIndex = -1
    /// While positive, lookups do not rehash (an iteration is running).
    var pauseRehash = 0
    /// The active snapshot, if any; it detaches itself before it goes away. Not `weak`, for
    /// the same side-table cost as Database.listener.
    unowned(unsafe) var observer: DictObserver? = nil

    /// A copy per table, so hashing reads an instance field rather than a lazily
    /// initialised global.
    private var seed = hashTableSeed

    init() {}

    deinit {
        removeAll()
    }

    var count: Int { t0.used + t1.used }
    var isRehashing: Bool { rehashIndex != -1 }
    /// Bucket slots allocated (for INFO and memory accounting).
    var slots: Int { t0.size + t1.size }

    @inline(__always)
    func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        withUnsafeBytes(of: &seed) { k in
            rw_siphash(key.baseAddress, key.count, k.baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
    }

    // MARK: - Lookup

    /// Finds the entry for `key`.
    @inline(__always)
    func find(_ key: UnsafeRawBufferPointer) -> E? {
        if count == 0 { return nil }
        return find(key, hash: hash(key))
    }

    /// `find` with the key's hash already computed (an insert that follows reuses it).
    @inline(__always)
    func find(_ key: UnsafeRawBufferPointer, hash hv: UInt64) -> E? {
        if count == 0 { return nil }
        if rehashIndex != -1 && pauseRehash == 0 { rehashStep(1) }
        let h = Int(truncatingIfNeeded: hv)
        if let e = findIn(t0, h, key) { return e }
        if rehashIndex != -1 { return findIn(t1, h, key) }
        return nil
    }

    @inline(__always)
    private func findIn(_ t: Table, _ h: Int, _ key: UnsafeRawBufferPointer) -> E? {
        guard let b = t.buckets else { return nil }
        var p = b[h & t.mask]
        while let raw = p {
            let e = E(raw)
            if e.keyEquals(key) { return e }
            p = raw.load(as: UnsafeMutableRawPointer?.self)
        }
        return nil
    }

    // MARK: - Insert and remove

    /// Links a new entry whose key is not present. The caller checked with `find`.
    func insert(_ e: E) { insert(e, hash: hash(e.key)) }

    /// `insert` with the key's hash already computed.
    func insert(_ e: E, hash hv: UInt64) {
        if rehashIndex != -1 && pauseRehash == 0 { rehashStep(1) }
        expandIfNeeded()
        let h = Int(truncatingIfNeeded: hv)
        if rehashIndex != -1 {
            let i = h & t1.mask
            observer?.willMutate(self, table: 1, bucket: i)
            setChainNext(e.raw, t1.buckets![i])
            t1.buckets![i] = e.raw
            t1.used += 1
        } else {
            let i = h & t0.mask
            observer?.willMutate(self, table: 0, bucket: i)
            setChainNext(e.raw, t0.buckets![i])
            t0.buckets![i] = e.raw
            t0.used += 1
        }
    }

    /// Unlinks the entry for `key` and returns it (the caller frees it), or nil.
    @discardableResult
    func unlink(_ key: UnsafeRawBufferPointer) -> E? {
        if count == 0 { return nil }
        if rehashIndex != -1 && pauseRehash == 0 { rehashStep(1) }
        let h = Int(truncatingIfNeeded: hash(key))
        if let e = unlinkFrom(table: 0, h, key) { return e }
        if rehashIndex != -1 { return unlinkFrom(table: 1, h, key) }
        return nil
    }

    private func unlinkFrom(table: Int, _ h: Int, _ key: UnsafeRawBufferPointer) -> E? {
        let t = table == 0 ? t0 : t1
        guard let b = t.buckets else { return nil }
        let i = h & t.mask
        var prev: UnsafeMutableRawPointer? = nil
        var p = b[i]
        while let raw = p {
            let e = E(raw)
            if e.keyEquals(key) {
                observer?.willMutate(self, table: table, bucket: i)
                if let pr = prev { setChainNext(pr, chainNext(raw)) } else { b[i] = chainNext(raw) }
                if table == 0 { t0.used -= 1 } else { t1.used -= 1 }
                setChainNext(raw, nil)
                return e
            }
            prev = raw
            p = chainNext(raw)
        }
        return nil
    }

    /// The table and bucket holding `key` now (for the write barrier before in-place changes).
    func location(of key: UnsafeRawBufferPointer) -> (table: Int, bucket: Int) {
        let h = Int(truncatingIfNeeded: hash(key))
        if rehashIndex != -1, findIn(t0, h, key) == nil { return (1, h & t1.mask) }
        return (0, h & t0.mask)
    }

    /// Tells the observer that the bucket of `key` is about to change in place.
    @inline(__always)
    func willModify(_ key: UnsafeRawBufferPointer) {
        guard let o = observer else { return }
        let loc = location(of: key)
        o.willMutate(self, table: loc.table, bucket: loc.bucket)
    }

    /// Frees every entry and the tables.
    func removeAll() {
        observer?.willClear(self)
        // The walk reads each link before the body runs, so the body may free the entry.
        forEachFrozen { $0.free() }
        t0.buckets?.deallocate()
        t1.buckets?.deallocate()
        t0 = Table()
        t1 = Table()
        rehashIndex = -1
    }

    /// Takes every entry out, leaving the dictionary empty; the returned detached dictionary
    /// owns them (used to free a whole database off the main thread).
    func takeAll() -> HashTable<E> {
        observer?.willClear(self)
        let d = HashTable<E>()
        swap(&d.t0, &t0)
        swap(&d.t1, &t1)
        d.rehashIndex = rehashIndex
        rehashIndex = -1
        return d
    }

    // MARK: - Resizing and rehashing

    static func nextPower(_ n: Int) -> Int {
        var s = hashTableInitialSize
        while s < n { s <<= 1 }
        return s
    }

    private func allocTable(_ size: Int) -> Table {
        let b = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: size)
        b.initialize(repeating: nil, count: size)
        return Table(buckets: b, size: size, used: 0)
    }

    private func expandIfNeeded() {
        if rehashIndex != -1 { return }
        if t0.size == 0 { t0 = allocTable(hashTableInitialSize); return }
        if t0.used >= t0.size { resize(to: t0.used + 1) }
    }

    /// Starts rehashing into a table sized for `n` entries.
    func resize(to n: Int) {
        if rehashIndex != -1 { return }
        let size = HashTable.nextPower(n)
        if size == t0.size { return }
        if t0.size == 0 { t0 = allocTable(size); return }
        t1 = allocTable(size)
        rehashIndex = 0
    }

    /// Shrinks when less than 10 % full (called by the cron, like Redis's tryResizeHashTables).
    func shrinkIfSparse() {
        if rehashIndex != -1 || t0.size <= hashTableInitialSize { return }
        if t0.used * 100 / t0.size < 10 { resize(to: max(t0.used, hashTableInitialSize)) }
    }

    /// Moves up to `n` non-empty buckets (visiting at most 10·n empty ones) from t0 to t1.
    /// Returns true while more remain.
    @discardableResult
    func rehashStep(_ n: Int) -> Bool {
        var n = n
        var emptyVisits = n * 10
        guard let src = t0.buckets, let dst = t1.buckets else { return false }
        while n > 0 && t0.used > 0 {
            while src[rehashIndex] == nil {
                rehashIndex += 1
                emptyVisits -= 1
                if emptyVisits == 0 { return true }
            }
            observer?.willMutate(self, table: 0, bucket: rehashIndex)
            var p = src[rehashIndex]
            while let raw = p {
                let e = E(raw)
                p = chainNext(raw)
                let i = Int(truncatingIfNeeded: hash(e.key)) & t1.mask
                observer?.willMutate(self, table: 1, bucket: i)
                setChainNext(raw, dst[i])
                dst[i] = raw
                t0.used -= 1
                t1.used += 1
            }
            src[rehashIndex] = nil
            rehashIndex += 1
            n -= 1
        }
        if t0.used == 0 {
            src.deallocate()
            t0 = t1
            t1 = Table()
            rehashIndex = -1
            return false
        }
        return true
    }

    /// Rehashes for about `ms` milliseconds (the cron's active rehashing).
    func rehashFor(milliseconds ms: Int) {
        if rehashIndex == -1 || pauseRehash > 0 { return }
        let start = rw_now_ms()
        while rehashStep(100) {
            if rw_now_ms() - start > Int64(ms) { break }
        }
    }

    /// Completes a rehash in progress at once (a snapshot freezes a captured value this way,
    /// so that later reads, which move buckets while rehashing, leave it untouched).
    func finishRehash() {
        while rehashIndex != -1 && rehashStep(1000) {}
    }

    // MARK: - Iteration, scan, random

    /// Visits every entry without changing anything in the table, not even the rehash pause,
    /// so that a background thread may run it while the main thread reads the same table.
    /// Only for tables nobody changes meanwhile: a captured snapshot value, frozen first with
    /// `finishRehash` (see Persistence/Snapshot.swift).
    func forEachFrozen(_ body: (E) throws -> Void) rethrows {
        for t in [t0, t1] {
            guard let b = t.buckets else { continue }
            for i in 0..<t.size {
                var p = b[i]
                while let raw = p {
                    p = raw.load(as: UnsafeMutableRawPointer?.self)
                    try body(E(raw))
                }
            }
        }
    }

    /// Calls `body` for every entry. The body must not add or remove entries.
    func forEach(_ body: (E) -> Void) {
        pauseRehash += 1
        defer { pauseRehash -= 1 }
        forEachFrozen(body)
    }

    private func visitBucket(_ t: Table, _ i: Int, _ body: (E) -> Void) {
        var p = t.buckets![i & t.mask]
        while let raw = p {
            p = raw.load(as: UnsafeMutableRawPointer?.self)
            body(E(raw))
        }
    }

    /// One step of SCAN: visits the bucket(s) at `cursor` and returns the next cursor (0 when
    /// the scan is complete). With two tables, the bucket of the small table and every bucket
    /// of the large one that expands it are visited together, so no entry moving between them
    /// can be missed.
    func scan(_ cursor: UInt64, _ body: (E) -> Void) -> UInt64 {
        if count == 0 { return 0 }
        pauseRehash += 1
        defer { pauseRehash -= 1 }
        var v = cursor
        if rehashIndex == -1 {
            let m0 = UInt64(t0.mask)
            visitBucket(t0, Int(truncatingIfNeeded: v & m0), body)
            v |= ~m0
            v = reverseBits(v)
            v &+= 1
            v = reverseBits(v)
        } else {
            var small = t0, large = t1
            if small.size > large.size { swap(&small, &large) }
            let m0 = UInt64(small.mask), m1 = UInt64(large.mask)
            visitBucket(small, Int(truncatingIfNeeded: v & m0), body)
            repeat {
                visitBucket(large, Int(truncatingIfNeeded: v & m1), body)
                v |= ~m1
                v = reverseBits(v)
                v &+= 1
                v = reverseBits(v)
            } while v & (m0 ^ m1) != 0
        }
        return v
    }

    @inline(__always)
    private func reverseBits(_ v: UInt64) -> UInt64 {
        var x = v
        x = ((x >> 1) & 0x5555_5555_5555_5555) | ((x & 0x5555_5555_5555_5555) << 1)
        x = ((x >> 2) & 0x3333_3333_3333_3333) | ((x & 0x3333_3333_3333_3333) << 2)
        x = ((x >> 4) & 0x0F0F_0F0F_0F0F_0F0F) | ((x & 0x0F0F_0F0F_0F0F_0F0F) << 4)
        return x.byteSwapped
    }

    /// A random entry: a random non-empty bucket, then a random element of its chain.
    func randomEntry() -> E? {
        if count == 0 { return nil }
        if rehashIndex != -1 && pauseRehash == 0 { rehashStep(1) }
        var head: UnsafeMutableRawPointer? = nil
        while head == nil {
            if rehashIndex != -1 {
                // Buckets of t0 below rehashIndex are empty: pick among the rest and t1.
                let span = t0.size + t1.size - rehashIndex
                let r = rehashIndex + FastRandom.below(span)
                head = r >= t0.size ? t1.buckets![r - t0.size] : t0.buckets![r]
            } else {
                head = t0.buckets![FastRandom.below(t0.size)]
            }
        }
        var len = 0
        var p = head
        while let raw = p { len += 1; p = raw.load(as: UnsafeMutableRawPointer?.self) }
        var k = FastRandom.below(len)
        p = head
        while k > 0 { p = p!.load(as: UnsafeMutableRawPointer?.self); k -= 1 }
        return E(p!)
    }
}
