import CEventShim
import Dispatch
import Glibc

/// Redis 7.0's multi-part append-only file: a directory (`appenddirname`) holding a base file
/// (an RDB, or RESP without the preamble), incremental files of RESP commands, and a manifest
/// naming them:
/// ```
/// file appendonly.aof.1.base.rdb seq 1 type b
/// file appendonly.aof.1.incr.aof seq 1 type i
/// ```
struct AOFManifest: Equatable {
    struct Entry: Equatable {
        var name: String
        var seq: Int
        var type: Character   // b base, h history, i incremental
    }
    var entries: [Entry] = []

    var base: Entry? { entries.first { $0.type == "b" } }
    var incrementals: [Entry] { entries.filter { $0.type == "i" } }

    /// Parses a manifest; nil with a reason when a line is malformed.
    static func parse(_ text: String) -> Result<AOFManifest, PersistenceError> {
        var m = AOFManifest()
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            if line.hasPrefix("#") { continue }
            let parts = line.split(separator: " ").map(String.init)
            var name: String? = nil, seq: Int? = nil, type: Character? = nil
            var i = 0
            while i + 1 < parts.count {
                switch parts[i] {
                case "file": name = parts[i + 1]
                case "seq": seq = Int(parts[i + 1])
                case "type": type = parts[i + 1].count == 1 ? parts[i + 1].first : nil
                default: break
                }
                i += 2
            }
            guard let nm = name, let sq = seq, let t = type, "bhi".contains(t), !nm.contains("/") else {
                return .failure(PersistenceError(description: "Invalid AOF manifest file format (line \(n + 1))"))
            }
            m.entries.append(Entry(name: nm, seq: sq, type: t))
        }
        if m.entries.filter({ $0.type == "b" }).count > 1 {
            return .failure(PersistenceError(description: "Found duplicate base file information in the AOF manifest"))
        }
        return .success(m)
    }

    var text: String {
        entries.map { "file \($0.name) seq \($0.seq) type \($0.type)\n" }.joined()
    }
}

/// The AOF the server appends to: the open incremental file and the fsync policy.
///
/// The change stream's buffer is written before the loop sleeps, so before any reply to the
/// commands in it goes out (`Server.flushAppendOnlyFile`). `appendfsync always` fsyncs there
/// too, once for all the clients of the iteration; `everysec` fsyncs on a background thread
/// at most once a second; `no` leaves it to the kernel.
final class AppendOnlyFile: @unchecked Sendable {
    let directory: String
    let baseName: String
    private(set) var manifest: AOFManifest
    private var fd: Int32
    /// Bytes of the incremental file (INFO aof_current_size counts the base too).
    private(set) var incrementalSize = 0
    private(set) var baseSize = 0
    private let fsyncQueue = DispatchQueue(label: "redwing.aof.fsync")
    private let lock = NSLockLike()
    private var fsyncInFlight = false
    private var lastFsyncMs: Int64 = 0
    /// When a write was first postponed because an fsync was still running (everysec).
    private var postponedSince: Int64 = 0
    /// Writes that waited over 2 s for a running fsync (INFO aof_delayed_fsync).
    private(set) var delayedFsyncs = 0
    /// The last write failed (INFO aof_last_write_status; writes are refused meanwhile).
    private(set) var lastWriteFailed = false
    /// Why, for the -MISCONF error.
    private(set) var lastWriteError = ""

    init(directory: String, baseName: String, manifest: AOFManifest, fd: Int32, incrementalSize: Int, baseSize: Int) {
        self.directory = directory
        self.baseName = baseName
        self.manifest = manifest
        self.fd = fd
        self.incrementalSize = incrementalSize
        self.baseSize = baseSize
    }

    deinit { if fd >= 0 { close(fd) } }

    static func path(_ dir: String, _ name: String) -> String { dir + "/" + name }

    /// Writes `buffer` to the incremental file; with `always`, fsyncs before returning. A short
    /// write is trimmed back (ftruncate) so the file never ends in half a command. Returns
    /// false if the bytes could not be written (they stay in the buffer for the next try).
    func write(_ buffer: inout [UInt8], policy: String, now: Int64, skipFsync: Bool = false,
               force: Bool = false) -> Bool {
        if buffer.isEmpty { return true }
        if !force && policy == "everysec" && lock.withLock({ fsyncInFlight }) {
            // As Redis: while an fsync runs, wait up to 2 s rather than block in write().
            if postponedSince == 0 { postponedSince = now; return true }
            if now - postponedSince < 2000 { return true }
            delayedFsyncs += 1
        }
        postponedSince = 0
        let before = incrementalSize
        let written = buffer.withUnsafeBytes { raw -> Int in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    return -1
                }
                off += n
            }
            return off
        }
        if written != buffer.count {
            lastWriteError = errnoText()
            // Drop what made it to disk of a partial command: the next attempt writes it whole.
            _ = ftruncate(fd, off_t(before))
            lastWriteFailed = true
            return false
        }
        lastWriteFailed = false
        incrementalSize += written
        buffer.removeAll(keepingCapacity: true)
        if skipFsync { return true }
        switch policy {
        case "always":
            if fdatasync(fd) != 0 {
                lastWriteError = errnoText()
                lastWriteFailed = true
                return false
            }
            lastFsyncMs = now
        case "everysec":
            if now - lastFsyncMs >= 1000 { backgroundFsync(now: now) }
        default:
            break
        }
        return true
    }

    /// everysec's fsync, off the main thread; one at a time.
    func backgroundFsync(now: Int64) {
        let busy = lock.withLock { () -> Bool in
            if fsyncInFlight { return true }
            fsyncInFlight = true
            return false
        }
        if busy { return }
        lastFsyncMs = now
        let fd = self.fd
        fsyncQueue.async { [self] in
            _ = fdatasync(fd)
            lock.withLock { fsyncInFlight = false }
        }
    }

    /// Continues in a new incremental file (the start of a rewrite): the current one is made
    /// durable and closed.
    func switchIncremental(to name: String) throws {
        let nfd = open(AppendOnlyFile.path(directory, name), O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if nfd < 0 { throw PersistenceError(description: "Can't open the append-only file \(name): \(errnoText())") }
        fsyncQueue.sync {}
        _ = fsync(fd)
        close(fd)
        fd = nfd
        incrementalSize = 0
    }

    /// The manifest now on disk (and, after a rewrite, the new base's size).
    func adoptManifest(_ m: AOFManifest, baseSize: Int? = nil) {
        manifest = m
        if let b = baseSize { self.baseSize = b }
    }

    /// Waits for a background fsync and makes everything durable (shutdown).
    func finalFsync() {
        fsyncQueue.sync {}
        _ = fsync(fd)
    }
}
