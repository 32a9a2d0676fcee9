@testable import Server
import XCTest

/// The geohash arithmetic and the sorts behind the geo commands; expected values are what
/// Redis 7.0.15 answers (GEOADD/ZSCORE, GEOPOS, GEOHASH, GEOSEARCH ... COUNT).
final class GeoHashTests: XCTestCase {
    func testScoresAndDecodedPositionsMatchRedis() {
        XCTAssertEqual(GeoHash.score(lon: 13.361389, lat: 38.115556), 3479099956230698)
        XCTAssertEqual(GeoHash.score(lon: 15.087269, lat: 37.502669), 3479447370796909)
        let p = GeoHash.decodeScore(3479099956230698)
        XCTAssertEqual(formatLongDoubleHuman(Float80(p.lon)).map { String(decoding: $0, as: UTF8.self) },
                       "13.36138933897018433")
        XCTAssertEqual(formatLongDoubleHuman(Float80(p.lat)).map { String(decoding: $0, as: UTF8.self) },
                       "38.11555639549629859")
        XCTAssertNil(GeoHash.score(lon: 180.000001, lat: 0))
        XCTAssertNil(GeoHash.score(lon: 0, lat: 85.06))
    }

    func testLimitsEncodePastTheGridAndDecodeClamped() {
        // Longitude 180 is cell 2^26: bit 53 set, one past the 52-bit grid, as in Redis.
        XCTAssertEqual(GeoHash.score(lon: 180, lat: 0), 10133099161583616)
        let p = GeoHash.decodeScore(10133099161583616)
        XCTAssertEqual(p.lon, 180)
    }

    func testScoresThatAreNotGeohashesConvertLikeX86() {
        XCTAssertEqual(GeoHash.cUInt64(-1), UInt64.max)
        XCTAssertEqual(GeoHash.cUInt64(-0.5), 0)
        XCTAssertEqual(GeoHash.cUInt64(1e20), 0)
        XCTAssertEqual(GeoHash.cUInt64(.infinity), 0)
        XCTAssertEqual(GeoHash.cUInt64(-.infinity), 1 << 63)
        XCTAssertEqual(GeoHash.cUInt64(9223372036854775808), 1 << 63)
        XCTAssertEqual(GeoHash.cUInt64(18446744073709549568), 0xFFFFFFFFFFFFF800)
        XCTAssertEqual(GeoHash.decodeScore(-1).lat, GeoHash.latMax)
    }

    func testGeohashStrings() {
        XCTAssertEqual(String(decoding: GeoHash.geohashString(score: 3479099956230698), as: UTF8.self),
                       "sqc8b49rny0")
        XCTAssertEqual(String(decoding: GeoHash.geohashString(score: 10133099161583616), as: UTF8.self),
                       "80000000000")
    }

    func testNeighboursWrapAroundTheGrid() {
        let west = GeoHash.Cell(bits: 0, step: 1)        // south-west quarter
        let n = GeoHash.Neighbors(of: west)
        XCTAssertEqual(n.east, GeoHash.Cell(bits: 0b10, step: 1))
        XCTAssertEqual(n.west, GeoHash.Cell(bits: 0b10, step: 1))
        XCTAssertEqual(n.north, GeoHash.Cell(bits: 0b01, step: 1))
        XCTAssertEqual(n.northEast, GeoHash.Cell(bits: 0b11, step: 1))
    }

    func testStepEstimation() {
        XCTAssertEqual(GeoShape.estimateSteps(radiusMeters: 0, lat: 0), 26)
        XCTAssertEqual(GeoShape.estimateSteps(radiusMeters: 1, lat: 0), 24)
        XCTAssertEqual(GeoShape.estimateSteps(radiusMeters: 1, lat: 70), 23)
        XCTAssertEqual(GeoShape.estimateSteps(radiusMeters: 1, lat: -81), 22)
        XCTAssertEqual(GeoShape.estimateSteps(radiusMeters: 5e7, lat: 0), 1)
    }

    func testDistancesPrintLikeRedisFixedPoint() {
        func text(_ d: Double) -> String { String(decoding: formatFixedPoint(d, digits: 4), as: UTF8.self) }
        XCTAssertEqual(text(0), "0.0000")
        XCTAssertEqual(text(0.00049), "0.0005")
        XCTAssertEqual(text(166274.15156960033), "166274.1516")
        // 32502358.277650002 * 10^4 rounds to ...776.5 exactly, then to even.
        XCTAssertEqual(text(32502358.277650002), "32502358.2776")
        XCTAssertEqual(text(.nan), "-922337203685477.5808")
    }

    // MARK: - Sorts

    func testFullSortIsStable() {
        let keys = [3, 1, 2, 1, 3, 2, 1, 0, 2, 1]
        var v = Array(keys.indices)
        QSort.fullSort(&v) { keys[$0] < keys[$1] ? -1 : keys[$0] == keys[$1] ? 0 : 1 }
        XCTAssertEqual(v, [7, 1, 3, 6, 9, 2, 5, 8, 0, 4])
    }

    func testPartialSortOrdersThePrefixAndKeepsTiesLikeRedis() {
        // Redis: 34 points at six places, COUNT 23; the 2.1908 group keeps its scan order
        // because pqsort never sorts the partition beyond the prefix boundary's pivot.
        let groups = [0, 10, 21, 27, 28, 34]
        var keys: [Int] = []
        for g in 0..<(groups.count - 1) { keys += Array(repeating: g, count: groups[g + 1] - groups[g]) }
        var v = Array(keys.indices)
        QSort.partialSort(&v, through: 22) { keys[$0] < keys[$1] ? -1 : keys[$0] == keys[$1] ? 0 : 1 }
        XCTAssertEqual(v.prefix(23).map { keys[$0] }, Array(keys.prefix(23)))
        XCTAssertEqual(Array(v[21...22]), [21, 22])
        for k in 1...33 {
            var w = Array(keys.indices)
            QSort.partialSort(&w, through: k - 1) { keys[$0] < keys[$1] ? -1 : keys[$0] == keys[$1] ? 0 : 1 }
            XCTAssertEqual(w.prefix(k).map { keys[$0] }, Array(keys.sorted().prefix(k)), "k=\(k)")
        }
    }
}
