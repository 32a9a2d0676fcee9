import Glibc

/// A failed file operation, with the message Redis would log ("Failed opening the temp RDB
/// file temp-123.rdb (in server root dir /tmp) for saving: Permission denied").
struct PersistenceError: Error, CustomStringConvertible {
    let description: String
}

/// The error text of `errno` now.
func errnoText(_ code: Int32 = errno) -> String { String(cString: strerror(code)) }

/// Writes a file the crash-safe way: into `temp-<id>.rdb` in the target directory, then
/// fsync, rename over the final name, and fsync the directory, so a reader sees either the
/// old file whole or the new one whole, also after a power cut.
///
/// Used from one thread at a time (the snapshot's writer thread, or the main thread for SAVE).
final class AtomicFile {
    let directory: String
    let finalName: String
    let tempName: String
    private var fd: Int32 = -1
    private(set) var written = 0

    init(directory: String, finalName: String, tempName: String) throws {
        self.directory = directory
        self.finalName = finalName
        self.tempName = tempName
        fd = open(path(tempName), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw PersistenceError(description: "Failed opening the temp RDB file \(tempName) (in server root dir \(directory)) for saving: \(errnoText())")
        }
    }

    deinit { abort() }

    private func path(_ name: String) -> String { directory.hasSuffix("/") ? directory + name : directory + "/" + name }

    /// Appends bytes, retrying short writes and EINTR.
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw PersistenceError(description: "Write error saving DB on disk: \(errnoText())")
                }
                off += n
            }
        }
        written += bytes.count
    }

    /// Makes the file durable and puts it in place of the final name.
    func commit() throws {
        if fsync(fd) != 0 {
            throw PersistenceError(description: "Write error saving DB on disk: \(errnoText())")
        }
        close(fd)
        fd = -1
        if rename(path(tempName), path(finalName)) != 0 {
            let e = errnoText()
            unlink(path(tempName))
            throw PersistenceError(description: "Error moving temp DB file \(tempName) on the final destination \(finalName) (in server root dir \(directory)): \(e)")
        }
        let dfd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// Drops the temp file (after a failure, or when the job is cancelled).
    func abort() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
        unlink(path(tempName))
    }
}

/// Writes one RDB stream: the header and aux fields, each database's section and keys, and the
/// trailer. The bytes go to `encoder`'s flush closure (a file, later a replica's socket).
struct RDBWriter {
    var enc: RDBEncoder

    init(compress: Bool, checksum: Bool, sink: @escaping ([UInt8]) throws -> Void) {
        enc = RDBEncoder(compress: compress, checksum: checksum, flush: sink)
    }

    /// `REDIS0010` and the aux fields Redis 7.0 writes.
    mutating func header(usedMemory: Int, aofBase: Bool) {
        enc.out.append(contentsOf: Array("REDIS00\(RDB.version)".utf8))
        enc.aux("redis-ver", redwingRedisVersion)
        enc.aux("redis-bits", Int64(MemoryLayout<Int>.size * 8))
        enc.aux("ctime", Int64(time(nil)))
        enc.aux("used-mem", Int64(usedMemory))
        enc.aux("aof-base", aofBase ? 1 : 0)
    }

    /// Starts database `id`'s section; the sizes let a loader size its tables up front.
    mutating func selectDB(_ id: Int, keys: Int, expires: Int) throws {
        enc.byte(RDB.opSelectDB)
        enc.length(id)
        enc.byte(RDB.opResizeDB)
        enc.length(keys)
        enc.length(expires)
        try enc.flushIfNeeded()
    }

    /// One key: its expiry (absolute ms, or negative for none), type, name and value.
    mutating func entry(key: UnsafeRawBufferPointer, value: Value, expireAt: Int64) throws {
        if expireAt >= 0 {
            enc.byte(RDB.opExpireTimeMs)
            enc.littleEndian(expireAt)
        }
        enc.byte(RDBEncoder.type(of: value))
        enc.string(key)
        enc.value(value)
        try enc.flushIfNeeded()
    }

    mutating func finish() throws { try enc.finish() }
}
