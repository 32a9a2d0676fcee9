import CEventShim
import Dispatch
import Glibc

/// A point-in-time snapshot of every database taken without fork (ARCHITECTURE.md, "Snapshots
/// without fork").
///
/// At start (time E) each non-empty database's dictionary gets a `DBCapture` as its observer
/// and stops rehashing, so its buckets keep their places until the capture ends. Then:
///
/// - the main thread walks the buckets in small slices (`step`, from the loop's before-sleep
///   hook), capturing each bucket not yet captured;
/// - before any change to a bucket (insert, unlink, overwrite, expiry, a TTL change), the
///   dictionary calls the observer, which captures the bucket first if it has not been. So
///   every key is captured exactly as it was at E, or not at all if it was created after E.
///   FLUSHDB and FLUSHALL capture everything left before the tables empty;
/// - capturing copies a key and small string values into a batch and keeps a reference to
///   anything larger. Values are copy-on-write (`Database.mutate*`): while a batch holds a
///   reference, a writer changes a copy, and the captured value stays as it was at E. Nested
///   hash tables are frozen (`finishRehash`) when captured, since reads move buckets while
///   rehashing;
/// - a background thread takes the batches in order and encodes them (`RDBWriter`), so the
///   slow part (LZF, writing, fsync) never runs on the main thread.
///
/// Memory: the batches in flight are bounded (`Pace.highWater`); the cursor waits while the
/// writer is behind. Barrier captures cannot wait, so a burst of writes to not-yet-captured
/// keys can pass the bound by what those writes touch.
final class Snapshot {
    /// How far the cursor may run ahead of the writer.
    struct Pace {
        /// Bytes queued for the writer above which the cursor waits.
        var highWater: Int
        /// Bytes queued under which the writer wakes a waiting cursor.
        var lowWater: Int
        /// Keys per batch at most (batches also close at `batchBytes`).
        var batchEntries: Int
        /// Keys captured per loop iteration at most.
        var sliceEntries: Int
        /// Microseconds a slice may take (checked every few dozen keys): each key's first
        /// touch is a cache miss, so a slice's cost depends on the machine, not the count.
        var sliceMicros: Int64

        static let normal = Pace(highWater: 32 << 20, lowWater: 8 << 20, batchEntries: 1 << 16,
                                 sliceEntries: 20000, sliceMicros: 200)
        /// In step with a slowed writer (`rdb-key-save-delay`): one small batch at a time,
        /// only when the writer has taken the last. Client writes then reach most keys before
        /// the cursor does, and the barrier does most of the capturing, as it would in a long
        /// save of a large dataset; the tests rely on this.
        static let lockstep = Pace(highWater: 0, lowWater: 1, batchEntries: 16, sliceEntries: 16,
                                   sliceMicros: 200)
    }

    /// What the snapshot was taken for (INFO and the log say so).
    let purpose: String
    let startedAt: Int64
    private let server: Server
    private var captures: [DBCapture] = []
    /// Index into `captures` of the database the cursor is walking.
    private var cursorDB = 0
    /// Batches captured by the barrier in databases the cursor has not reached yet.
    private var pendingBatches: [Int: CaptureBatch] = [:]
    private var current: CaptureBatch? = nil
    let channel = BatchChannel()
    private(set) var capturing = true

    /// Bytes of batches waiting for the writer above which the cursor pauses.
    let pace: Pace
    static let batchBytes = 256 << 10
    /// Strings longer than this are captured by reference instead of copied.
    static let inlineStringLimit = 512

    /// Starts capturing every database of `server` as it is now. `db.count` and the number of
    /// keys with a TTL at this moment go to the RESIZEDB hints.
    init(server: Server, purpose: String, pace: Pace = .normal) {
        self.server = server
        self.purpose = purpose
        self.pace = pace
        startedAt = rw_now_ms()
        for db in server.dbs where db.count > 0 {
            let cap = DBCapture(snapshot: self, id: db.id, dict: db.dict,
                                keys: db.count, expires: db.expiresCount)
            captures.append(cap)
        }
        channel.sizes = captures.map { ($0.id, $0.keys, $0.expires) }
        channel.lowWater = pace.lowWater
        if captures.isEmpty { endCapture() }
    }

    /// Captures up to a slice of keys, then returns whether the capture continues. Waits
    /// (does nothing) while the writer is more than `pace.highWater` behind.
    @discardableResult
    func step() -> Bool {
        guard capturing else { return false }
        if channel.queuedBytes > pace.highWater {
            channel.wantWake = true
            return true
        }
        var budget = pace.sliceEntries
        let deadline = rw_now_us() + pace.sliceMicros
        while budget > 0 && cursorDB < captures.count && rw_now_us() < deadline {
            let cap = captures[cursorDB]
            if cap.cursorAtStart {
                cap.cursorAtStart = false
                // Batches go out database by database: what is open for the previous one
                // first, then what the barrier already caught in this one.
                if let c = current { submit(c) }
                current = nil
                if let p = pendingBatches.removeValue(forKey: cap.id) { submit(p) }
            }
            budget -= cap.advance(min(budget, 64))
            if cap.complete {
                cap.detach()
                cursorDB += 1
            }
        }
        if cursorDB >= captures.count {
            endCapture()
        } else if pace.highWater == 0, let c = current {
            // In lockstep the writer gets each slice at once, and wakes the loop for the next.
            submit(c)
            current = nil
            channel.wantWake = true
        }
        return capturing
    }

    /// Whether the cursor may go on without waiting for the writer.
    var hasRoom: Bool { channel.queuedBytes <= pace.highWater }

    private func endCapture() {
        guard capturing else { return }
        capturing = false
        if let c = current { submit(c) }
        current = nil
        for (_, b) in pendingBatches.sorted(by: { $0.key < $1.key }) { submit(b) }
        pendingBatches = [:]
        for cap in captures { cap.detach() }
        channel.close()
    }

    /// Stops early: detaches from every dictionary and tells the writer to give up.
    func cancel() {
        for cap in captures { cap.detach() }
        capturing = false
        current = nil
        pendingBatches = [:]
        channel.cancel()
    }

    // MARK: - Capturing

    /// The batch a capture in database `id` goes to: the current one for the cursor's
    /// database, a pending one for a database further on.
    fileprivate func record(db id: Int, _ e: Entry) {
        let onCursor = cursorDB < captures.count && captures[cursorDB].id == id
            && !captures[cursorDB].cursorAtStart
        if onCursor {
            if current == nil || current!.db != id { current.map(submit); current = CaptureBatch(db: id) }
            current!.add(e)
            if current!.arena.count >= Snapshot.batchBytes || current!.entries >= pace.batchEntries {
                submit(current!)
                current = nil
            }
        } else {
            let b = pendingBatches[id] ?? CaptureBatch(db: id)
            b.add(e)
            pendingBatches[id] = b
        }
    }

    private func submit(_ b: CaptureBatch) {
        if b.entries > 0 { channel.push(b) }
    }
}

// MARK: - Per-database capture

/// The snapshot's view of one database's dictionary: which buckets of the tables that existed
/// at the start have been captured, and the cursor's place among them.
final class DBCapture: DictObserver {
    unowned let snapshot: Snapshot
    let id: Int
    let dict: Dict
    let keys: Int
    let expires: Int
    /// Captured buckets of t0 and (when the table was rehashing at the start) t1.
    private var done: [[UInt64]]
    private let sizes: [Int]
    /// Next bucket to visit, counting t0's buckets then t1's.
    private var cursor = 0
    private(set) var complete = false
    var cursorAtStart = true
    private var attached = true

    init(snapshot: Snapshot, id: Int, dict: Dict, keys: Int, expires: Int) {
        self.snapshot = snapshot
        self.id = id
        self.dict = dict
        self.keys = keys
        self.expires = expires
        sizes = [dict.t0.size, dict.isRehashing ? dict.t1.size : 0]
        done = sizes.map { [UInt64](repeating: 0, count: ($0 + 63) / 64) }
        dict.pauseRehash += 1
        dict.observer = self
    }

    /// Leaves the dictionary to itself again (rehashing resumes).
    func detach() {
        guard attached else { return }
        attached = false
        complete = true
        dict.observer = nil
        dict.pauseRehash -= 1
    }

    /// Captures buckets from the cursor on until about `budget` keys were taken (or ten
    /// buckets per key of budget were visited: a sparse table must not stall the loop).
    /// Returns the work done, in keys.
    func advance(_ budget: Int) -> Int {
        var taken = 0
        let total = sizes[0] + sizes[1]
        let start = cursor
        let stop = min(cursor + budget * 10, total)
        while taken < budget && cursor < stop {
            let (table, bucket) = cursor < sizes[0] ? (0, cursor) : (1, cursor - sizes[0])
            prefetch(table: table, bucket: bucket + DBCapture.prefetchDistance)
            taken += capture(table: table, bucket: bucket)
            cursor += 1
        }
        if cursor >= total { complete = true }
        return max(taken, (cursor - start) / 10, 1)
    }

    func willMutate(_ dict: AnyObject, table: Int, bucket: Int) {
        guard attached, bucket < sizes[table] else { return }
        capture(table: table, bucket: bucket)
    }

    func willClear(_ dict: AnyObject) {
        guard attached else { return }
        let total = sizes[0] + sizes[1]
        while cursor < total {
            let (table, bucket) = cursor < sizes[0] ? (0, cursor) : (1, cursor - sizes[0])
            capture(table: table, bucket: bucket)
            cursor += 1
        }
        // Buckets behind the cursor captured out of order by the barrier are already done;
        // every bucket is now, so nothing further in this dictionary belongs to the snapshot.
        complete = true
        detach()
    }

    /// Buckets ahead of the cursor whose first entry is prefetched: each capture's cost is
    /// mostly the cache miss on an entry, and misses a few buckets apart can overlap.
    static let prefetchDistance = 8

    private func prefetch(table: Int, bucket: Int) {
        let t = table == 0 ? dict.t0 : dict.t1
        guard bucket < sizes[table], let b = t.buckets, let head = b[bucket] else { return }
        rw_prefetch(head)
        rw_prefetch(head + 64)
    }

    /// Captures one bucket if not yet done. Returns the number of keys captured.
    @discardableResult
    private func capture(table: Int, bucket: Int) -> Int {
        let word = bucket >> 6, bit = UInt64(1) << UInt64(bucket & 63)
        if done[table][word] & bit != 0 { return 0 }
        done[table][word] |= bit
        let t = table == 0 ? dict.t0 : dict.t1
        guard let b = t.buckets else { return 0 }
        var n = 0
        var p = b[bucket]
        while let raw = p {
            snapshot.record(db: id, Entry(raw))
            n += 1
            p = chainNext(raw)
        }
        return n
    }
}

// MARK: - Batches

/// Captured keys of one database, in a compact arena (keys and small strings copied) plus
/// references to larger values. Records: kind (u8), expireAt (i64), key length (u32), key,
/// then per kind: an i64 (int), a u32 length and bytes (inline string), or a u32 index into
/// `refs` (anything else).
final class CaptureBatch: @unchecked Sendable {
    let db: Int
    private(set) var arena: [UInt8] = []
    private(set) var refs: [Value] = []
    private(set) var entries = 0

    static let kindInt: UInt8 = 0
    static let kindBytes: UInt8 = 1
    static let kindRef: UInt8 = 2

    init(db: Int) {
        self.db = db
        arena.reserveCapacity(Snapshot.batchBytes + 1024)
    }

    /// Approximate memory the batch holds (for the channel's bound).
    var weight: Int { arena.count + refs.count * 64 }

    func add(_ e: Entry) {
        entries += 1
        let v = e.value
        switch v {
        case .int(let n):
            header(CaptureBatch.kindInt, e)
            append(n)
        case .small(let s):
            header(CaptureBatch.kindBytes, e)
            s.withBytes { appendBytes($0) }
        case .string(let b, _) where b.count <= Snapshot.inlineStringLimit:
            header(CaptureBatch.kindBytes, e)
            b.withUnsafeBytes { appendBytes($0) }
        default:
            header(CaptureBatch.kindRef, e)
            append(UInt32(refs.count))
            Snapshot.freeze(v)
            refs.append(v)
        }
    }

    private func header(_ kind: UInt8, _ e: Entry) {
        arena.append(kind)
        append(e.expireAt)
        appendBytes(e.key)
    }

    private func append<T: FixedWidthInteger>(_ v: T) {
        withUnsafeBytes(of: v.littleEndian) { arena.append(contentsOf: $0) }
    }

    private func appendBytes(_ p: UnsafeRawBufferPointer) {
        append(UInt32(p.count))
        arena.append(contentsOf: p)
    }

    /// Calls `body` for every record in order (on the writer thread).
    func forEach(_ body: (UnsafeRawBufferPointer, Value, Int64) throws -> Void) rethrows {
        try arena.withUnsafeBytes { a in
            var off = 0
            func u32() -> Int {
                let v = a.loadUnaligned(fromByteOffset: off, as: UInt32.self)
                off += 4
                return Int(UInt32(littleEndian: v))
            }
            func i64() -> Int64 {
                let v = a.loadUnaligned(fromByteOffset: off, as: Int64.self)
                off += 8
                return Int64(littleEndian: v)
            }
            while off < a.count {
                let kind = a[off]
                off += 1
                let expireAt = i64()
                let klen = u32()
                let key = UnsafeRawBufferPointer(rebasing: a[off..<off + klen])
                off += klen
                let value: Value
                switch kind {
                case CaptureBatch.kindInt:
                    value = .int(i64())
                case CaptureBatch.kindBytes:
                    let n = u32()
                    value = Value.fromBytes(UnsafeRawBufferPointer(rebasing: a[off..<off + n]))
                    off += n
                default:
                    value = refs[u32()]
                }
                try body(key, value, expireAt)
            }
        }
    }
}

extension Snapshot {
    /// Makes a captured value safe to read from the writer thread while the main thread keeps
    /// reading it: no hash table inside it may be in the middle of a rehash, because lookups
    /// then move buckets.
    static func freeze(_ v: Value) {
        switch v {
        case .hash(let h): if case .table(let d) = h.storage { d.finishRehash() }
        case .set(let s): if case .table(let t) = s.storage { t.finishRehash() }
        case .zset(let z): if case .skiplist(let sl) = z.storage { sl.dict.finishRehash() }
        default: break
        }
    }
}

/// The queue between the main thread (producer) and the writer thread (consumer).
final class BatchChannel: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var queue: [CaptureBatch] = []
    private var closed = false
    private(set) var cancelled = false
    private var bytes = 0
    /// (database, keys, expires) at the start, for the RESIZEDB hints.
    var sizes: [(Int, Int, Int)] = []
    /// See `Snapshot.Pace.lowWater`.
    var lowWater = 0
    /// Set by the producer when it paused at the high-water mark: the writer then wakes the
    /// loop once the queue has drained to the low-water mark.
    var wantWake: Bool {
        get { locked { _wantWake } }
        set { locked { _wantWake = newValue } }
    }
    private var _wantWake = false

    init() {
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
    }

    deinit {
        pthread_cond_destroy(&cond)
        pthread_mutex_destroy(&mutex)
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    var queuedBytes: Int { locked { bytes } }

    func push(_ b: CaptureBatch) {
        locked {
            if cancelled { return }
            queue.append(b)
            bytes += b.weight
            pthread_cond_signal(&cond)
        }
    }

    /// No more batches will come.
    func close() { locked { closed = true; pthread_cond_signal(&cond) } }

    func cancel() {
        locked {
            cancelled = true
            closed = true
            queue = []
            bytes = 0
            pthread_cond_signal(&cond)
        }
    }

    /// The next batch, waiting for one; nil once the channel is closed and drained (or
    /// cancelled). `drained` is called when the queue fell under the low-water mark while
    /// the producer waited.
    func pop(drained: () -> Void) -> CaptureBatch? {
        pthread_mutex_lock(&mutex)
        while queue.isEmpty && !closed { pthread_cond_wait(&cond, &mutex) }
        if cancelled || queue.isEmpty {
            pthread_mutex_unlock(&mutex)
            return nil
        }
        // Taken out of the queue, not just passed over: a batch the writer is done with must
        // not keep its keys and values alive. (The queue stays short: `Pace.highWater`.)
        let b = queue.removeFirst()
        bytes -= b.weight
        let wake = _wantWake && bytes < lowWater
        if wake { _wantWake = false }
        pthread_mutex_unlock(&mutex)
        if wake { drained() }
        return b
    }
}
