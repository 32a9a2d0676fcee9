import CRC64

/// DUMP and RESTORE in Redis's payload format: the value in its RDB encoding (type byte and
/// body), the RDB version as two little-endian bytes, and the CRC-64 of all that, so a payload
/// moves between Redwing and Redis in both directions.
enum DumpRestoreCommands {
    /// The payload for `v`.
    static func payload(_ v: Value, compress: Bool) -> [UInt8] {
        var enc = RDBEncoder(compress: compress)
        enc.byte(RDBEncoder.type(of: v))
        enc.value(v)
        enc.littleEndian(UInt16(RDB.version))
        let crc = enc.out.withUnsafeBytes { rw_crc64(0, $0.baseAddress, $0.count) }
        enc.littleEndian(crc)
        return enc.out
    }

    /// The value of a payload whose version and checksum are right, or an error reply's text.
    static func decode(_ p: UnsafeRawBufferPointer) -> Result<Value, RestoreError> {
        guard p.count >= 10 else { return .failure(.versionOrChecksum) }
        let footer = p.count - 10
        let version = Int(p[footer]) | Int(p[footer + 1]) << 8
        guard version <= RDB.version else { return .failure(.versionOrChecksum) }
        let crc = rw_crc64(0, p.baseAddress, p.count - 8)
        let stored = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: p.count - 8, as: UInt64.self))
        guard crc == stored else { return .failure(.versionOrChecksum) }
        var r = RDBReader(UnsafeRawBufferPointer(rebasing: p[0..<footer]))
        do {
            let type = try r.byte()
            return .success(try r.value(type: type))
        } catch {
            return .failure(.badFormat)
        }
    }

    enum RestoreError: Error {
        case versionOrChecksum, badFormat
        var message: String {
            switch self {
            case .versionOrChecksum: return "ERR DUMP payload version or checksum are wrong"
            case .badFormat: return "ERR Bad data format"
            }
        }
    }

    static func dump(_ s: Server, _ c: Client, _ a: Args) {
        guard let e = s.lookupRead(c.db, a[1]) else { c.null(); return }
        c.bulk(payload(e.value, compress: s.config.bool("rdbcompression")))
    }

    /// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency], with
    /// Redis's checks in Redis's order.
    static func restore(_ s: Server, _ c: Client, _ a: Args) {
        var replace = false, absTTL = false
        var idle: Int64? = nil, freq: Int64? = nil
        var i = 4
        while i < a.count {
            let more = a.count - i - 1
            if a.is(i, "REPLACE") {
                replace = true
            } else if a.is(i, "ABSTTL") {
                absTTL = true
            } else if a.is(i, "IDLETIME") && more >= 1 && freq == nil {
                guard let v = parseStrictInt64(a[i + 1]) else { c.notInteger(); return }
                if v < 0 { c.error("ERR Invalid IDLETIME value, must be >= 0"); return }
                idle = v
                i += 1
            } else if a.is(i, "FREQ") && more >= 1 && idle == nil {
                guard let v = parseStrictInt64(a[i + 1]) else { c.notInteger(); return }
                if v < 0 || v > 255 { c.error("ERR Invalid FREQ value, must be >= 0 and <= 255"); return }
                freq = v
                i += 1
            } else {
                c.syntaxError()
                return
            }
            i += 1
        }
        let key = a[1]
        if !replace && s.lookupWrite(c.db, key) != nil {
            c.error("BUSYKEY Target key name already exists.")
            return
        }
        guard var ttl = parseStrictInt64(a[2]) else { c.notInteger(); return }
        if ttl < 0 { c.error("ERR Invalid TTL value, must be >= 0"); return }
        let value: Value
        switch decode(a[3]) {
        case .failure(let e): c.error(e.message); return
        case .success(let v): value = v
        }
        let deleted = replace && s.deleteKey(c.db, key)
        if ttl > 0 && !absTTL { ttl = ttl &+ s.now }
        if ttl > 0 && ttl <= s.now {
            // Already expired: the key is simply gone (what replaced it included).
            if deleted {
                c.propagate(as: [[word(s.config.bool("lazyfree-lazy-server-del") ? "UNLINK" : "DEL"), a.bytes(1)]])
                s.signalModifiedKey(c.db, key)
                s.notifyKeyspaceEvent(.generic, "del", key, c.db.id)
                s.changed()
            }
            c.ok()
            return
        }
        let e = c.db.add(key, value)
        if ttl > 0 {
            c.db.setExpire(e, at: ttl)
            if !absTTL {
                // The TTL replays as the same moment (Redis appends ABSTTL).
                c.propagate(as: [a.allBytes.enumerated().map { $0.offset == 2 ? number(ttl) : $0.element } + [word("ABSTTL")]])
            }
        }
        if LRUClock.lfu, let f = freq {
            e.lru = (LRUClock.minutes << 8) | UInt32(f)
        } else if !LRUClock.lfu, let idle = idle {
            e.lru = LRUClock.now &- UInt32(truncatingIfNeeded: idle)
        }
        s.signalModifiedKey(c.db, key)
        s.notifyKeyspaceEvent(.generic, "restore", key, c.db.id)
        c.ok()
        s.changed()
    }
}
