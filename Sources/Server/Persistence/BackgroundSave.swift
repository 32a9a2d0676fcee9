import CEventShim
import Dispatch
import Glibc

/// A BGSAVE in progress: the snapshot (main thread) and the writer thread that turns its
/// batches into an RDB file.
///
/// The writer owns the file and the encoder; the main thread owns the snapshot. They meet only
/// in the snapshot's channel and in `outcome`, both locked. When the writer is done it wakes
/// the loop, whose before-sleep hook collects the outcome (`Server.checkBackgroundSave`).
final class BackgroundSave: @unchecked Sendable {
    let snapshot: Snapshot
    let startedMs: Int64
    /// `dirty` when the save started: what remains after it is what the file misses.
    let dirtyAtStart: Int64
    private let lock = NSLockLike()
    private var _outcome: Result<Int, PersistenceError>? = nil
    private let queue = DispatchQueue(label: "redwing.bgsave")

    /// The result once the writer finished: bytes written, or the error.
    var outcome: Result<Int, PersistenceError>? { lock.withLock { _outcome } }

    /// Settings the writer reads (copied: the main thread may change the config meanwhile).
    struct Settings {
        var directory: String
        var fileName: String
        var compress: Bool
        var checksum: Bool
        var usedMemory: Int
        /// Microseconds to sleep per key (`rdb-key-save-delay`, for tests).
        var keyDelayMicros: Int
        /// The file is an AOF base (aux field aof-base 1).
        var aofBase = false
        var tempName: String? = nil
        /// Commands instead of an RDB (an AOF base with `aof-use-rdb-preamble no`).
        var resp = false
    }

    init(server: Server, settings: Settings) {
        snapshot = Snapshot(server: server, purpose: settings.aofBase ? "aof" : "rdb",
                            pace: settings.keyDelayMicros > 0 ? .lockstep : .normal)
        startedMs = rw_now_ms()
        dirtyAtStart = server.dirty
        nonisolated(unsafe) let loop = server.loop
        let channel = snapshot.channel
        let tempName = settings.tempName ?? "temp-\(getpid())-\(startedMs).rdb"
        queue.async { [self] in
            // Below the main thread, so that on a busy machine clients go first and the save
            // takes the spare CPU (a queue thread: the niceness is put back afterwards).
            rw_thread_set_nice(19)
            defer { rw_thread_set_nice(0) }
            // Opened here, as Redis's child opens it: a failure is the save's outcome.
            let result: Result<Int, PersistenceError>
            do {
                let file = try AtomicFile(directory: settings.directory, finalName: settings.fileName,
                                          tempName: tempName)
                result = BackgroundSave.write(channel: channel, file: file, settings: settings,
                                              wake: { rw_wake(loop) })
            } catch {
                channel.cancel()
                result = .failure(error as? PersistenceError ?? PersistenceError(description: "\(error)"))
            }
            lock.withLock { _outcome = result }
            rw_wake(loop)
        }
    }

    /// The writer thread's whole job.
    private static func write(channel: BatchChannel, file: AtomicFile, settings: Settings,
                              wake: () -> Void) -> Result<Int, PersistenceError> {
        do {
            var w: any SnapshotEncoder
            if settings.resp {
                w = RESPDatasetWriter(sink: file.write)
            } else {
                var rdb = RDBWriter(compress: settings.compress, checksum: settings.checksum, sink: file.write)
                rdb.header(usedMemory: settings.usedMemory, aofBase: settings.aofBase)
                w = rdb
            }
            let sizes = Dictionary(channel.sizes.map { ($0.0, ($0.1, $0.2)) }, uniquingKeysWith: { a, _ in a })
            var currentDB = -1
            while let batch = channel.pop(drained: wake) {
                if batch.db != currentDB {
                    currentDB = batch.db
                    let (keys, expires) = sizes[currentDB] ?? (0, 0)
                    try w.selectDB(currentDB, keys: keys, expires: expires)
                }
                try batch.forEach { key, value, expireAt in
                    try w.entry(key: key, value: value, expireAt: expireAt)
                    if settings.keyDelayMicros > 0 { usleep(UInt32(settings.keyDelayMicros)) }
                }
            }
            if channel.cancelled {
                file.abort()
                return .failure(PersistenceError(description: "Background saving cancelled"))
            }
            try w.finish()
            try file.commit()
            return .success(file.written)
        } catch let e as PersistenceError {
            file.abort()
            return .failure(e)
        } catch {
            file.abort()
            return .failure(PersistenceError(description: "\(error)"))
        }
    }

    /// Stops the save: the capture detaches now; the writer drops its temp file.
    func cancel() {
        snapshot.cancel()
    }

    /// Waits for the writer to finish (after `cancel`, or to finish a save at shutdown).
    func wait() {
        queue.sync {}
    }
}
