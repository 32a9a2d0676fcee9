/// The change stream (Redis's propagate / alsoPropagate): every command that changed the
/// dataset, once it ran, in the form that gives the same result when replayed later or
/// elsewhere. The AOF appends it; replicas will be fed from the same stream.
///
/// What goes in:
/// - a command that changed `dirty` goes in as the client sent it, unless it set
///   `Client.propagateAs` (a deterministic or absolute-time form: SPOP → SREM, EXPIRE →
///   PEXPIREAT ..., or nothing at all);
/// - keys deleted by expiry go in as DEL (UNLINK with `lazyfree-lazy-expire`);
/// - the commands of one EXEC that changed something are wrapped in MULTI ... EXEC, so a
///   replay applies them together or not at all;
/// - a SELECT goes before a command whose database differs from the last one's.
final class ChangeStream {
    /// The database of the last command appended; -1 makes the next one start with SELECT.
    var selectedDB = -1
    /// RESP not yet written to the AOF (Redis's aof_buf).
    var aofBuffer: [UInt8] = []
    /// Whether anything consumes the stream (AOF on); off, appending costs one test.
    var enabled = false
    /// Inside EXEC: MULTI is written before its first change, EXEC after its last.
    private var transactionPending = false
    private var transactionOpened = false

    func append(db: Int, _ argv: [[UInt8]]) {
        guard enabled else { return }
        if transactionPending && !transactionOpened {
            transactionOpened = true
            appendCommand(db: db, [Array("MULTI".utf8)])
        }
        appendCommand(db: db, argv)
    }

    private func appendCommand(db: Int, _ argv: [[UInt8]]) {
        if db != selectedDB {
            ChangeStream.encode([Array("SELECT".utf8), Array(String(db).utf8)], into: &aofBuffer)
            selectedDB = db
        }
        ChangeStream.encode(argv, into: &aofBuffer)
    }

    var inTransaction: Bool { transactionPending }

    func beginTransaction() {
        transactionPending = true
        transactionOpened = false
    }

    func endTransaction(db: Int) {
        if transactionOpened { appendCommand(db: db, [Array("EXEC".utf8)]) }
        transactionPending = false
        transactionOpened = false
    }

    /// A command as a RESP array of bulk strings.
    static func encode(_ argv: [[UInt8]], into out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        out.append(contentsOf: Array(String(argv.count).utf8))
        out.append(contentsOf: [13, 10])
        for a in argv {
            out.append(UInt8(ascii: "$"))
            out.append(contentsOf: Array(String(a.count).utf8))
            out.append(contentsOf: [13, 10])
            out.append(contentsOf: a)
            out.append(contentsOf: [13, 10])
        }
    }
}

extension Args {
    /// Every argument, copied (for the change stream).
    var allBytes: [[UInt8]] { (0..<count).map { bytes($0) } }
}

extension Server {
    /// After a command that changed the dataset: its propagated form into the stream.
    func propagateCall(_ client: Client, _ db: Int, _ args: Args) {
        if let forms = client.propagateAs {
            client.propagateAs = nil
            appendForms(forms, db: db)
        } else {
            changes.append(db: db, args.allBytes)
        }
    }

    /// Several commands for one change replay together or not at all.
    func appendForms(_ forms: [[[UInt8]]], db: Int) {
        let wrap = forms.count > 1 && !changes.inTransaction
        if wrap { changes.beginTransaction() }
        for argv in forms { changes.append(db: db, argv) }
        if wrap { changes.endTransaction(db: db) }
    }
}

extension Client {
    /// Propagates the current command as `forms` instead of as sent. Builds nothing unless
    /// something consumes the change stream.
    @inline(__always)
    func propagate(as forms: @autoclosure () -> [[[UInt8]]]) {
        if server.changes.enabled { propagateAs = forms() }
    }
}

/// Bytes of a propagated argument: a word, a number, or a command argument.
@inline(__always) func word(_ s: StaticString) -> [UInt8] {
    Array(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount).bindMemory(to: UInt8.self))
}
@inline(__always) func number(_ v: Int64) -> [UInt8] { Value.int(v).bytes }
