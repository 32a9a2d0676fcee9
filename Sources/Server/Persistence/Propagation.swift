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
        prepare(db: db)
        ChangeStream.encode(argv, into: &aofBuffer)
    }

    /// A command as the client sent it, encoded straight from its arguments (the common
    /// case: no copy of them is made).
    func append(db: Int, _ args: Args) {
        guard enabled else { return }
        prepare(db: db)
        ChangeStream.header(args.count, into: &aofBuffer)
        for i in 0..<args.count { ChangeStream.bulk(args[i], into: &aofBuffer) }
    }

    /// What goes before a command: MULTI opening a transaction, SELECT for another database.
    private func prepare(db: Int) {
        select(db)
        if transactionPending && !transactionOpened {
            transactionOpened = true
            ChangeStream.encode([word("MULTI")], into: &aofBuffer)
        }
    }

    private func select(_ db: Int) {
        if db == selectedDB { return }
        ChangeStream.encode([word("SELECT"), number(Int64(db))], into: &aofBuffer)
        selectedDB = db
    }

    var inTransaction: Bool { transactionPending }

    func beginTransaction() {
        transactionPending = true
        transactionOpened = false
    }

    func endTransaction(db: Int) {
        if transactionOpened {
            select(db)
            ChangeStream.encode([word("EXEC")], into: &aofBuffer)
        }
        transactionPending = false
        transactionOpened = false
    }

    /// A command as a RESP array of bulk strings.
    static func encode(_ argv: [[UInt8]], into out: inout [UInt8]) {
        header(argv.count, into: &out)
        for a in argv { a.withUnsafeBytes { bulk($0, into: &out) } }
    }

    /// `*<n>\r\n`, the length written without a String.
    static func header(_ n: Int, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "*"))
        decimal(n, into: &out)
    }

    /// `$<len>\r\n<bytes>\r\n`.
    static func bulk(_ p: UnsafeRawBufferPointer, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "$"))
        decimal(p.count, into: &out)
        out.append(contentsOf: p)
        out.append(13)
        out.append(10)
    }

    private static func decimal(_ n: Int, into out: inout [UInt8]) {
        Value.int(Int64(n)).withBytes { out.append(contentsOf: $0) }
        out.append(13)
        out.append(10)
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
            changes.append(db: db, args)
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
