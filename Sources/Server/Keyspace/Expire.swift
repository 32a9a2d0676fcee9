import CEventShim

/// Active expiry, after Redis's adaptive cycle: keys whose TTL passed are reclaimed even if no
/// client touches them. Each database's expiry index is sampled in rounds of 20 keys; while more
/// than 10 % of a round had expired, another round runs, within a time budget of 25 % of a cron
/// period (the slow cycle). When a slow cycle ran out of time, a fast cycle of at most 1 ms runs
/// before the loop sleeps, at most every 2 ms.
extension Server {
    static let keysPerLoop = 20
    static let acceptableStalePercent = 10
    static let fastCycleMicros: Int64 = 1000
    static let slowCyclePercent: Int64 = 25

    func activeExpireCycle(fast: Bool = false) {
        let startUs = rw_now_us()
        let nowMs = startUs / 1000
        if fast {
            if nowMs - lastFastCycleMs < 2 { return }
            lastFastCycleMs = nowMs
        }
        let effort = Int(config.int("active-expire-effort")) - 1
        let perLoop = Server.keysPerLoop + Server.keysPerLoop / 4 * effort
        let budget = fast ? Server.fastCycleMicros
            : 1_000_000 * Server.slowCyclePercent / Int64(config.hz) / 100
        var timedOut = false
        var totalSampled = 0, totalExpired = 0
        outer: for db in dbs where db.expiresCount > 0 {
            var iteration = 0
            while true {
                let (sampled, expired) = db.expireSample(perLoop, now: nowMs)
                totalSampled += sampled
                totalExpired += expired
                iteration += 1
                if iteration % 16 == 0 && rw_now_us() - startUs > budget {
                    timedOut = true
                    stats.expiredTimeCapReached += 1
                    break outer
                }
                if sampled == 0 || expired * 100 <= sampled * Server.acceptableStalePercent { break }
            }
        }
        lastExpireCycleTimedOut = timedOut
        let elapsed = rw_now_us() - startUs
        stats.expireCycleCpuMs += elapsed / 1000
        if totalSampled > 0 {
            let current = Double(totalExpired) / Double(totalSampled)
            stats.expiredStalePercent = stats.expiredStalePercent * 0.95 + current * 0.05
        }
    }
}
