/// A hash value with Redis 7.0's two encodings: "listpack" (fields and values alternating in
/// one packed buffer, in insertion order, while the hash is small) and "hashtable" (the
/// keyspace's own hash table, field → value entries). Small hashes convert when they pass
/// `hash-max-listpack-entries` fields or get a field or value longer than
/// `hash-max-listpack-value` bytes; they never convert back, as in Redis.
///
/// Reference type shared copy-on-write: writers go through `Database.mutateHash`.
public final class HashValue {
    enum Storage {
        case packed(PackedList)
        case table(Dict)
    }
    private(set) var storage: Storage = .packed(PackedList())

    nonisolated(unsafe) static var maxPackedEntries = 512
    nonisolated(unsafe) static var maxPackedValue = 64

    init() {}

    func copy() -> HashValue {
        let h = HashValue()
        switch storage {
        case .packed(let p): h.storage = .packed(p)
        case .table(let d):
            let t = Dict()
            t.resize(to: d.count)
            d.forEach { e in t.insert(Entry.make(key: e.key, value: e.value)) }
            h.storage = .table(t)
        }
        return h
    }

    var count: Int {
        switch storage {
        case .packed(let p): return p.count / 2
        case .table(let d): return d.count
        }
    }

    var encodingName: StaticString {
        if case .packed = storage { return "listpack" }
        return "hashtable"
    }

    /// A field's value, as the element kinds replies take.
    enum FieldValue {
        case packed(PackedList.Element)
        case value(Value)

        func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
            switch self {
            case .packed(let e): return e.withBytes(body)
            case .value(let v): return v.withBytes(body)
            }
        }
    }

    // MARK: - Lookup

    /// Offset of the value entry of `field` in the packed buffer.
    private func packedValueOffset(_ p: PackedList, _ field: UnsafeRawBufferPointer) -> Int? {
        var off = 0
        while off < p.bytes.count {
            let valueOff = off + p.fullSize(at: off)
            if p.element(at: off).equals(field) { return valueOff }
            off = valueOff + p.fullSize(at: valueOff)
        }
        return nil
    }

    func get(_ field: UnsafeRawBufferPointer) -> FieldValue? {
        switch storage {
        case .packed(let p):
            return packedValueOffset(p, field).map { .packed(p.element(at: $0)) }
        case .table(let d):
            return d.find(field).map { .value($0.value) }
        }
    }

    /// Calls `body` for every field and value, in the encoding's order.
    func forEach(_ body: (FieldValue, FieldValue) -> Void) {
        switch storage {
        case .packed(let p):
            var off = 0
            while off < p.bytes.count {
                let valueOff = off + p.fullSize(at: off)
                body(.packed(p.element(at: off)), .packed(p.element(at: valueOff)))
                off = valueOff + p.fullSize(at: valueOff)
            }
        case .table(let d):
            d.forEach { e in body(.value(.fromBytesCopy(e.key)), .value(e.value)) }
        }
    }

    // MARK: - Writes

    /// Sets a field. Returns true when the field is new.
    @discardableResult
    func set(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool {
        if case .packed = storage,
           field.count > HashValue.maxPackedValue || value.count > HashValue.maxPackedValue {
            convertToTable()
        }
        return store(field, value)
    }

    /// Sets a field read from a listpack or ziplist blob (an RDB file, a RESTORE payload).
    /// Redis 7.0 keeps such a blob packed whatever the length of its fields and values, and
    /// converts it only when it has more than `hash-max-listpack-entries` fields; so does
    /// this, so that a hash ends in the encoding Redis gives it. Returns true when the field
    /// is new.
    func setFromPackedBlob(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool {
        store(field, value)
    }

    /// Sets a field in the current encoding, converting to a table past the entry limit.
    private func store(_ field: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Bool {
        switch storage {
        case .packed(var p):
            storage = .packed(PackedList())   // keep `p` uniquely referenced while editing
            let isNew: Bool
            if let off = packedValueOffset(p, field) {
                p.replace(at: off, with: PackedList.encode(value))
                isNew = false
            } else {
                p.append(PackedList.encode(field))
                p.append(PackedList.encode(value))
                isNew = true
            }
            storage = .packed(p)
            if p.count / 2 > HashValue.maxPackedEntries { convertToTable() }
            return isNew
        case .table(let d):
            if let e = d.find(field) {
                d.willModify(field)
                e.value = Value.fromBytes(value)
                return false
            }
            d.insert(Entry.make(key: field, value: Value.fromBytes(value)))
            return true
        }
    }

    /// Removes a field. Returns whether it was there.
    @discardableResult
    func delete(_ field: UnsafeRawBufferPointer) -> Bool {
        switch storage {
        case .packed(var p):
            guard let valueOff = packedValueOffset(p, field) else { return false }
            storage = .packed(PackedList())
            let fieldOff = p.start(ofEntryEndingAt: valueOff)
            p.remove(at: valueOff)
            p.remove(at: fieldOff)
            storage = .packed(p)
            return true
        case .table(let d):
            guard let e = d.unlink(field) else { return false }
            e.free()
            return true
        }
    }

    private func convertToTable() {
        guard case .packed(let p) = storage else { return }
        let d = Dict()
        var off = 0
        while off < p.bytes.count {
            let valueOff = off + p.fullSize(at: off)
            p.element(at: off).withBytes { f in
                p.element(at: valueOff).withBytes { v in
                    d.insert(Entry.make(key: f, value: Value.fromBytes(v)))
                }
            }
            off = valueOff + p.fullSize(at: valueOff)
        }
        storage = .table(d)
    }

    /// Up to `n` fields in table order starting at `cursor` (HSCAN on a hashtable).
    func scanTable(_ cursor: UInt64, _ body: (Entry) -> Void) -> UInt64 {
        guard case .table(let d) = storage else { return 0 }
        return d.scan(cursor, body)
    }

    /// A uniformly random field index (0 ..< count) for HRANDFIELD on packed hashes, or a
    /// random entry of the table.
    func randomPair() -> (FieldValue, FieldValue)? {
        switch storage {
        case .packed(let p):
            guard p.count > 0 else { return nil }
            let pairOff = p.offset(ofIndex: 2 * FastRandom.below(p.count / 2))
            let valueOff = pairOff + p.fullSize(at: pairOff)
            return (.packed(p.element(at: pairOff)), .packed(p.element(at: valueOff)))
        case .table(let d):
            guard let e = d.randomEntry() else { return nil }
            return (.value(.fromBytesCopy(e.key)), .value(e.value))
        }
    }
}

extension Value {
    /// A string value holding a copy of the bytes, exactly (no integer conversion): for
    /// handing field names out of a table.
    static func fromBytesCopy(_ p: UnsafeRawBufferPointer) -> Value {
        if p.count <= SmallBytes.capacity { return .small(SmallBytes(p)) }
        return .string(Array(p.bindMemory(to: UInt8.self)), raw: false)
    }
}
