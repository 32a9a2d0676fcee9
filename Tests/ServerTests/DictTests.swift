@testable import Server
import XCTest

/// The keyspace hash table: insert/find/unlink through incremental rehashing, and SCAN's
/// guarantee across resizes.
final class DictTests: XCTestCase {
    func key(_ i: Int) -> [UInt8] { Array("key:\(i)".utf8) }

    func insert(_ d: Dict, _ i: Int) {
        key(i).withUnsafeBytes { k in d.insert(Entry.make(key: k, value: .int(Int64(i)))) }
    }

    func find(_ d: Dict, _ i: Int) -> Entry? { key(i).withUnsafeBytes { d.find($0) } }

    func testInsertFindUnlinkThroughRehashing() {
        let d = Dict()
        for i in 0..<10000 { insert(d, i) }
        XCTAssertEqual(d.count, 10000)
        for i in 0..<10000 {
            guard let e = find(d, i), case .int(let v) = e.value else { return XCTFail("missing \(i)") }
            XCTAssertEqual(v, Int64(i))
        }
        XCTAssertNil(find(d, 10001))
        for i in stride(from: 0, to: 10000, by: 2) {
            let e = key(i).withUnsafeBytes { d.unlink($0) }
            XCTAssertNotNil(e)
            e?.free()
        }
        XCTAssertEqual(d.count, 5000)
        for i in 0..<10000 { XCTAssertEqual(find(d, i) != nil, i % 2 == 1) }
    }

    func testShrinkKeepsEveryEntry() {
        let d = Dict()
        for i in 0..<5000 { insert(d, i) }
        for i in 0..<4900 { key(i).withUnsafeBytes { d.unlink($0) }?.free() }
        d.shrinkIfSparse()
        XCTAssertTrue(d.isRehashing)
        while d.rehashStep(10) {}
        XCTAssertEqual(d.slots, 128)
        for i in 4900..<5000 { XCTAssertNotNil(find(d, i)) }
    }

    /// Every element present for the whole scan is returned, while the table grows and
    /// shrinks between scan calls.
    func testScanReturnsEveryStableElementAcrossResizes() {
        let d = Dict()
        for i in 0..<1000 { insert(d, i) }
        var seen = Set<[UInt8]>()
        var cursor: UInt64 = 0
        var step = 0
        var extra = 100_000
        repeat {
            cursor = d.scan(cursor) { seen.insert($0.keyBytes) }
            step += 1
            if step == 5 {
                for _ in 0..<3000 { insert(d, extra); extra += 1 }   // grow (rehash in progress)
            }
            if step == 40 {
                for i in 100_000..<extra { key(i).withUnsafeBytes { d.unlink($0) }?.free() }
                d.shrinkIfSparse()                                   // shrink
            }
            _ = d.rehashStep(1)
        } while cursor != 0
        for i in 0..<1000 { XCTAssertTrue(seen.contains(key(i)), "missed \(i)") }
    }

    func testRandomEntryCoversTheTable() {
        let d = Dict()
        for i in 0..<16 { insert(d, i) }
        var seen = Set<[UInt8]>()
        for _ in 0..<2000 { if let e = d.randomEntry() { seen.insert(e.keyBytes) } }
        XCTAssertEqual(seen.count, 16)
    }

    func testExpiryIndexStaysConsistent() {
        let db = Database(id: 0)
        var entries: [Entry] = []
        for i in 0..<100 {
            entries.append(key(i).withUnsafeBytes { db.add($0, .int(0)) })
        }
        for (i, e) in entries.enumerated() where i % 3 == 0 { db.setExpire(e, at: 1) }
        XCTAssertEqual(db.expiresCount, 34)
        for i in stride(from: 0, to: 100, by: 6) { _ = key(i).withUnsafeBytes { db.delete($0) } }
        XCTAssertEqual(db.expiresCount, 17)
        let (_, expired) = db.expireSample(1000, now: 2)
        XCTAssertEqual(expired, 17)
        XCTAssertEqual(db.expiresCount, 0)
        XCTAssertEqual(db.count, 100 - 17 - 17)
    }
}
