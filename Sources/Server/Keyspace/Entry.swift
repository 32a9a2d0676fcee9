import Glibc
import CEventShim

/// One key of the keyspace: a single malloc'd block holding the chain link, the value, the
/// expiry, bookkeeping and the key bytes.
///
/// Layout (bytes):
/// ```
///  0  next        UnsafeMutableRawPointer?   hash-chain link
///  8  value       Value (24-byte stride)     retained payloads live inside
/// 32  expireAt    Int64                      absolute ms, or -1
/// 40  keyLen      Int                        (keys may pass 4 GB with raised limits)
/// 48  lru         UInt32                     LRU clock or LFU counter (see LRUClock)
/// 52  expIndex    UInt32                     position in the database's expiry index
/// 56  key bytes
/// ```
/// A raw block rather than a Swift class saves the object header (16 bytes per key) and keeps
/// chain walks free of reference counting. This file is the only place that touches the
/// layout; every access goes through `Entry`'s properties. Safety: an `Entry` is valid from
/// `Entry.make` until `free()`; the dictionary owns it and frees it exactly once.
struct Entry: Equatable, ChainedEntry {
    let raw: UnsafeMutableRawPointer

    static let valueOffset = 8
    static let expireOffset = 32
    static let keyLenOffset = 40
    static let lruOffset = 48
    static let expIndexOffset = 52
    static let keyOffset = 56
    static let noExpIndex = UInt32.max

    @inline(__always) init(_ raw: UnsafeMutableRawPointer) { self.raw = raw }

    /// Allocates an entry for `key` holding `value`.
    static func make(key: UnsafeRawBufferPointer, value: Value) -> Entry {
        assert(MemoryLayout<Value>.size <= 24)
        let p = malloc(keyOffset + max(key.count, 1))!
        p.storeBytes(of: nil, as: UnsafeMutableRawPointer?.self)
        (p + valueOffset).bindMemory(to: Value.self, capacity: 1).initialize(to: value)
        p.storeBytes(of: -1, toByteOffset: expireOffset, as: Int64.self)
        p.storeBytes(of: key.count, toByteOffset: keyLenOffset, as: Int.self)
        p.storeBytes(of: LRUClock.initial, toByteOffset: lruOffset, as: UInt32.self)
        p.storeBytes(of: noExpIndex, toByteOffset: expIndexOffset, as: UInt32.self)
        if key.count > 0 { (p + keyOffset).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        return Entry(p)
    }

    /// Releases the value and the block. The entry must already be unlinked.
    func free() {
        (raw + Entry.valueOffset).assumingMemoryBound(to: Value.self).deinitialize(count: 1)
        Glibc.free(raw)
    }

    var next: Entry? {
        @inline(__always) get { raw.load(as: UnsafeMutableRawPointer?.self).map(Entry.init) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue?.raw, as: UnsafeMutableRawPointer?.self) }
    }

    /// The value, read and written in place.
    var valuePointer: UnsafeMutablePointer<Value> {
        @inline(__always) get { (raw + Entry.valueOffset).assumingMemoryBound(to: Value.self) }
    }

    var value: Value {
        @inline(__always) get { valuePointer.pointee }
        @inline(__always) nonmutating set { valuePointer.pointee = newValue }
    }

    var expireAt: Int64 {
        @inline(__always) get { raw.load(fromByteOffset: Entry.expireOffset, as: Int64.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue, toByteOffset: Entry.expireOffset, as: Int64.self) }
    }

    var lru: UInt32 {
        @inline(__always) get { raw.load(fromByteOffset: Entry.lruOffset, as: UInt32.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue, toByteOffset: Entry.lruOffset, as: UInt32.self) }
    }

    var expIndex: UInt32 {
        @inline(__always) get { raw.load(fromByteOffset: Entry.expIndexOffset, as: UInt32.self) }
        @inline(__always) nonmutating set { raw.storeBytes(of: newValue, toByteOffset: Entry.expIndexOffset, as: UInt32.self) }
    }

    var keyCount: Int {
        @inline(__always) get { raw.load(fromByteOffset: Entry.keyLenOffset, as: Int.self) }
    }

    var key: UnsafeRawBufferPointer {
        @inline(__always) get { UnsafeRawBufferPointer(start: raw + Entry.keyOffset, count: keyCount) }
    }

    var keyBytes: [UInt8] { Array(key.bindMemory(to: UInt8.self)) }

    @inline(__always)
    func keyEquals(_ other: UnsafeRawBufferPointer) -> Bool {
        let n = keyCount
        guard n == other.count else { return false }
        if n == 0 { return true }
        return memcmp(raw + Entry.keyOffset, other.baseAddress!, n) == 0
    }
}

/// The access stamp kept in each entry: either the LRU clock (seconds, for OBJECT IDLETIME)
/// or, under an LFU maxmemory policy, Redis's LFU pair: 16 bits of minutes since the last
/// decrement and an 8-bit logarithmic access counter (for OBJECT FREQ).
enum LRUClock {
    /// Set by the server at start-up and every cron tick (a constant initial value keeps the
    /// accessor free of lazy-initialisation checks on the hot path).
    nonisolated(unsafe) static var now: UInt32 = 0
    /// Whether entries carry LFU counters (maxmemory-policy *-lfu).
    nonisolated(unsafe) static var lfu = false
    nonisolated(unsafe) static var lfuLogFactor: Double = 10
    nonisolated(unsafe) static var lfuDecayTime: Int = 1
    static let lfuInitValue: UInt32 = 5

    /// The stamp of a new entry.
    @inline(__always)
    static var initial: UInt32 { lfu ? (minutes << 8) | lfuInitValue : now }

    static var minutes: UInt32 { (now / 60) & 0xFFFF }

    /// The stamp after an access.
    @inline(__always)
    static func touched(_ old: UInt32) -> UInt32 {
        guard lfu else { return now }
        var counter = decayed(old)
        if counter < 255 {
            let base = Double(max(Int(counter) - Int(lfuInitValue), 0))
            let p = 1.0 / (base * lfuLogFactor + 1)
            if Double(FastRandom.next() >> 11) / Double(1 << 53) < p { counter += 1 }
        }
        return (minutes << 8) | counter
    }

    /// The LFU counter decremented by one per `lfu-decay-time` minutes since it was stamped.
    static func decayed(_ stamp: UInt32) -> UInt32 {
        let then = (stamp >> 8) & 0xFFFF
        let counter = stamp & 0xFF
        let nowMin = minutes
        let elapsed = nowMin >= then ? nowMin - then : 65535 - then + nowMin
        let periods = lfuDecayTime > 0 ? elapsed / UInt32(lfuDecayTime) : 0
        return periods >= counter ? 0 : counter - periods
    }
}
