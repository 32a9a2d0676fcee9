/// The value held by a key.
///
/// Strings use three representations, mirroring Redis's encodings so that `OBJECT ENCODING`
/// answers the same: `int` (a 64-bit integer), `small` (up to 15 bytes stored inline in the
/// entry, no allocation; reported as embstr) and `string` (heap bytes, reported as embstr when
/// short and created whole, raw otherwise).
///
/// Heap payloads are copy-on-write: a snapshot keeps a reference, and a writer mutates in place
/// only while it holds the only one.
public enum Value {
    case int(Int64)
    case small(SmallBytes)
    case string([UInt8], raw: Bool)
    case list(ListValue)
    case hash(HashValue)
    case set(SetValue)
    case zset(ZSetValue)

    /// Redis keeps strings up to 44 bytes in one allocation with their object ("embstr").
    static let embstrLimit = 44

    /// A string value from bytes with Redis's `tryObjectEncoding` rules: integer-looking
    /// values of up to 20 characters become `int`, short ones stay inline.
    static func fromBytes(_ p: UnsafeRawBufferPointer) -> Value {
        if p.count <= 20, let v = parseStrictInt64(p) { return .int(v) }
        if p.count <= SmallBytes.capacity { return .small(SmallBytes(p)) }
        return .string(Array(p.bindMemory(to: UInt8.self)), raw: p.count > embstrLimit)
    }

    var typeName: StaticString {
        switch self {
        case .int, .small, .string: return "string"
        case .list: return "list"
        case .hash: return "hash"
        case .set: return "set"
        case .zset: return "zset"
        }
    }

    var isString: Bool {
        switch self {
        case .int, .small, .string: return true
        case .list, .hash, .set, .zset: return false
        }
    }

    var isList: Bool {
        if case .list = self { return true }
        return false
    }

    /// Elements a free would have to walk (Redis's lazyfreeGetFreeEffort): 1 for strings.
    var freeEffort: Int {
        switch self {
        case .int, .small, .string: return 1
        case .list(let l): return l.nodes.count
        case .hash(let h): return h.count
        case .set(let s): return s.count
        case .zset(let z): return z.count
        }
    }

    var isSet: Bool {
        if case .set = self { return true }
        return false
    }

    var isHash: Bool {
        if case .hash = self { return true }
        return false
    }

    var encodingName: StaticString {
        switch self {
        case .int: return "int"
        case .small: return "embstr"
        case .string(let b, let raw): return raw || b.count > Value.embstrLimit ? "raw" : "embstr"
        case .list: return "quicklist"
        case .hash(let h): return h.encodingName
        case .set(let s): return s.encodingName
        case .zset(let z): return z.encodingName
        }
    }

    /// Calls `body` with the string bytes (integers are formatted first).
    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .int(let v):
            var buf = (UInt64(0), UInt64(0), UInt64(0))
            return try withUnsafeMutableBytes(of: &buf) { raw in
                let n = formatInt64(v, into: raw.baseAddress!)
                return try body(UnsafeRawBufferPointer(start: raw.baseAddress, count: n))
            }
        case .small(let s):
            return try s.withBytes(body)
        case .string(let b, _):
            return try b.withUnsafeBytes(body)
        case .list, .hash, .set, .zset:
            preconditionFailure("string access to a collection value: check the type first")
        }
    }

    /// The string bytes as an array.
    var bytes: [UInt8] { withBytes { Array($0.bindMemory(to: UInt8.self)) } }

    /// Length of the string form.
    var stringLength: Int {
        switch self {
        case .int(let v): return decimalLength(v)
        case .small(let s): return s.count
        case .string(let b, _): return b.count
        case .list, .hash, .set, .zset: preconditionFailure("string length of a collection value")
        }
    }
}

/// Up to 15 bytes stored inline (two machine words, the last byte holds the length).
public struct SmallBytes {
    static let capacity = 15
    var lo: UInt64 = 0
    var hi: UInt64 = 0

    init(_ p: UnsafeRawBufferPointer) {
        precondition(p.count <= SmallBytes.capacity)
        withUnsafeMutableBytes(of: &self) { dst in
            if p.count > 0 { dst.baseAddress!.copyMemory(from: p.baseAddress!, byteCount: p.count) }
            dst[15] = UInt8(p.count)
        }
    }

    var count: Int { Int(hi >> 56) }

    @inline(__always)
    func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var copy = self
        return try withUnsafeBytes(of: &copy) { raw in
            try body(UnsafeRawBufferPointer(start: raw.baseAddress, count: Int(raw[15])))
        }
    }
}

/// A collection value shared copy-on-write between keys and snapshots.
protocol CopyOnWriteValue: AnyObject {
    /// The value of this type held by `v`, if any.
    static func extract(_ v: Value) -> Self?
    /// This value as a `Value`.
    var wrapped: Value { get }
    /// A copy that shares nothing mutable with the original.
    func copy() -> Self
}

extension ListValue: CopyOnWriteValue {
    static func extract(_ v: Value) -> ListValue? {
        if case .list(let l) = v { return l }
        return nil
    }
    var wrapped: Value { .list(self) }
}

extension HashValue: CopyOnWriteValue {
    static func extract(_ v: Value) -> HashValue? {
        if case .hash(let h) = v { return h }
        return nil
    }
    var wrapped: Value { .hash(self) }
}
