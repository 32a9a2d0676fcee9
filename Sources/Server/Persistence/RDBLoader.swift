import CEventShim
import CRC64
import Glibc

/// What a load found, for the log and INFO (rdb_last_load_keys_loaded / _expired).
struct RDBLoadStats {
    var keysLoaded = 0
    var keysExpired = 0
    var emptyKeysSkipped = 0
    var version = 0
    /// Aux fields by name (redis-ver, ctime, used-mem, repl-id ...).
    var aux: [String: [UInt8]] = [:]
    /// Where the RDB stream ended (an AOF with an RDB preamble goes on in RESP from here).
    var endOffset = 0
}

/// Loads a whole RDB stream (a file, later a replica's transfer) into databases.
///
/// Keys whose TTL has already passed are skipped, as a primary does. Anything malformed
/// (truncation, a wrong checksum, an impossible length, an unknown type, a duplicate key)
/// stops the load with an `RDBError` naming the problem and the offset.
struct RDBLoader {
    var r: RDBReader
    let dbs: [Database]
    /// Whether to verify the trailer's CRC-64 (`rdbchecksum`).
    var verifyChecksum = true
    /// Whether keys already expired are dropped (true on a primary).
    var skipExpired = true
    var now: Int64
    /// Called with the offset reached every `progressKeys` keys (the start-up load serves
    /// clients from it).
    var progress: ((Int) -> Void)?
    var progressKeys = 1024
    /// Microseconds to sleep per key (`key-load-delay`, Redis's test hook for slow loads).
    var keyDelayMicros = 0
    private var keysSinceProgress = 0

    init(_ bytes: UnsafeRawBufferPointer, dbs: [Database], now: Int64, progress: ((Int) -> Void)? = nil) {
        r = RDBReader(bytes)
        self.dbs = dbs
        self.now = now
        self.progress = progress
    }

    mutating func load() throws -> RDBLoadStats {
        var stats = RDBLoadStats()
        let magic = try r.take(9)
        guard magic.starts(with: Array("REDIS".utf8)),
              let version = Int(String(decoding: magic[5..<9], as: UTF8.self)) else {
            throw r.fail("Wrong signature trying to load DB from file")
        }
        guard version >= 1 && version <= RDB.version else {
            throw r.fail("Can't handle RDB format version \(version)")
        }
        stats.version = version
        var db = dbs[0]
        var expireAt: Int64 = -1
        var lfuFreq: Int? = nil
        var idleSeconds: Int? = nil
        while true {
            let op = try r.byte()
            switch op {
            case RDB.opExpireTimeMs:
                expireAt = try r.littleEndian(Int64.self)
                continue
            case RDB.opExpireTime:
                expireAt = Int64(try r.littleEndian(Int32.self)) * 1000
                continue
            case RDB.opFreq:
                lfuFreq = Int(try r.byte())
                continue
            case RDB.opIdle:
                idleSeconds = try r.length()
                continue
            case RDB.opEOF:
                break
            case RDB.opSelectDB:
                let id = try r.length()
                guard id < dbs.count else {
                    throw r.fail("FATAL: Data file was created with a Redis server configured to handle more than \(dbs.count) databases. Exiting")
                }
                db = dbs[id]
                continue
            case RDB.opResizeDB:
                let keys = try r.length()
                _ = try r.length()
                // Only a hint; never let it size a table beyond what the data could hold.
                db.dict.resize(to: min(keys, r.remaining / 3))
                continue
            case RDB.opAux:
                let name = String(decoding: try r.stringBytes(), as: UTF8.self)
                stats.aux[name] = try r.stringBytes()
                continue
            case RDB.opModuleAux:
                throw r.fail("The RDB file contains AUX module data, which Redwing cannot load: it has no modules")
            case RDB.opFunction, RDB.opFunction2:
                throw r.fail("The RDB file contains Redis functions, which Redwing cannot load yet")
            default:
                try loadKey(type: op, into: db, expireAt: expireAt, lfuFreq: lfuFreq,
                            idleSeconds: idleSeconds, stats: &stats)
                expireAt = -1
                lfuFreq = nil
                idleSeconds = nil
                continue
            }
            break
        }
        if version >= 5 {
            let covered = r.offset
            let expected = try r.littleEndian(UInt64.self)
            if verifyChecksum && expected != 0 {
                let got = rw_crc64(0, r.base.baseAddress, covered)
                if got != expected {
                    throw RDBError(message: "Wrong RDB checksum expected: (\(String(expected, radix: 16))) got (\(String(got, radix: 16))). Aborting now.", offset: covered)
                }
            }
        }
        stats.endOffset = r.offset
        return stats
    }

    private mutating func loadKey(type: UInt8, into db: Database, expireAt: Int64, lfuFreq: Int?,
                                  idleSeconds: Int?, stats: inout RDBLoadStats) throws {
        if keyDelayMicros > 0 { usleep(UInt32(keyDelayMicros)) }
        keysSinceProgress += 1
        if keysSinceProgress >= (keyDelayMicros > 0 ? 1 : progressKeys), let p = progress {
            keysSinceProgress = 0
            p(r.offset)
        }
        let keyOffset = r.offset
        let key = try r.stringBytes()
        let value: Value
        do {
            value = try r.value(type: type)
        } catch is RDBEmptyKey {
            stats.emptyKeysSkipped += 1
            return
        }
        if skipExpired && expireAt >= 0 && expireAt < now {
            stats.keysExpired += 1
            return
        }
        try key.withUnsafeBytes { k in
            if db.dict.find(k) != nil {
                throw RDBError(message: "RDB has duplicated key '\(String(decoding: k, as: UTF8.self))' in DB \(db.id)", offset: keyOffset)
            }
            let e = db.add(k, value)
            if expireAt >= 0 { db.setExpire(e, at: expireAt) }
            if LRUClock.lfu, let f = lfuFreq {
                e.lru = (LRUClock.minutes << 8) | UInt32(f)
            } else if !LRUClock.lfu, let idle = idleSeconds {
                e.lru = LRUClock.now &- UInt32(truncatingIfNeeded: idle)
            }
        }
        stats.keysLoaded += 1
    }
}

/// A file mapped read-only for loading, unmapped when done.
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    private let address: UnsafeMutableRawPointer?

    /// Maps `path`; nil with errno set if it cannot be opened (ENOENT when absent).
    init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return nil }
        let size = Int(st.st_size)
        if size == 0 {
            address = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else { return nil }
        madvise(p, size, MADV_SEQUENTIAL)
        address = p
        bytes = UnsafeRawBufferPointer(start: p, count: size)
    }

    deinit {
        if let a = address { munmap(a, bytes.count) }
    }
}
