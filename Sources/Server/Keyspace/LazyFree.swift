import Glibc
import Dispatch

/// Frees large values and whole databases on a background thread (UNLINK, FLUSHALL ASYNC),
/// so the main thread does not stall on millions of `free` calls. Jobs own what they free:
/// detached dictionaries no one else can reach.
final class LazyFree: @unchecked Sendable {
    private let queue = DispatchQueue(label: "redwing.lazyfree")
    private let lock = NSLockLike()
    private var pending = 0
    private var freed = 0

    /// Objects waiting to be freed (INFO lazyfree_pending_objects).
    var pendingObjects: Int { lock.withLock { pending } }
    /// Objects freed in the background so far (INFO lazyfreed_objects).
    var freedObjects: Int { lock.withLock { freed } }

    func free(_ dict: Dict) {
        background(objects: dict.count) { dict.removeAll() }
    }

    /// Frees an unlinked entry whose value is a large collection (UNLINK).
    func free(_ entry: Entry) {
        background(objects: 1) { entry.free() }
    }

    private func background(objects n: Int, _ work: @escaping () -> Void) {
        lock.withLock { pending += n }
        nonisolated(unsafe) let job = work
        queue.async {
            job()
            self.lock.withLock {
                self.pending -= n
                self.freed += n
            }
        }
    }
}

/// A minimal mutex (pthread) so this file does not need Foundation.
final class NSLockLike: @unchecked Sendable {
    private var m = pthread_mutex_t()
    init() { pthread_mutex_init(&m, nil) }
    deinit { pthread_mutex_destroy(&m) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&m)
        defer { pthread_mutex_unlock(&m) }
        return body()
    }
}
