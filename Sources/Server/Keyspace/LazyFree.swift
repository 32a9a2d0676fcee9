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
        let n = dict.count
        lock.withLock { pending += n }
        nonisolated(unsafe) let d = dict
        queue.async {
            d.removeAll()
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
