import CEventShim

/// A fast, non-cryptographic PRNG (wyrand) for sampling on the main thread: random keys,
/// active-expire sampling. `SystemRandomNumberGenerator` costs a system call per draw.
enum FastRandom {
    nonisolated(unsafe) static var state: UInt64 = UInt64(truncatingIfNeeded: rw_now_us()) | 1

    @inline(__always)
    static func next() -> UInt64 {
        state &+= 0xa076_1d64_78bd_642f
        let m = state.multipliedFullWidth(by: state ^ 0xe703_7ed1_a0b4_28db)
        return m.high ^ m.low
    }

    /// A uniform value in 0..<n (n > 0).
    @inline(__always)
    static func below(_ n: Int) -> Int {
        Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(n)).high)
    }
}
