/// Geo commands (Redis's geo.c) over sorted sets whose scores are 52-bit geohashes (see
/// GeoHash.swift): GEOADD, GEOPOS, GEOHASH and GEODIST here; the searches (GEOSEARCH,
/// GEOSEARCHSTORE and the GEORADIUS family) in GeoSearch.swift.
enum GeoCommands {
    // MARK: - Argument helpers

    /// Whether argument `i` is `word`, compared as C's strcasecmp sees it: the argument ends
    /// at its first NUL byte.
    static func option(_ a: Args, _ i: Int, _ word: StaticString) -> Bool {
        let p = a[i]
        let n = word.utf8CodeUnitCount
        let w = word.utf8Start
        for k in 0...n {
            let x: UInt8 = k < p.count ? p[k] : 0
            let y: UInt8 = k < n ? w[k] : 0
            if x | (x >= 65 && x <= 90 ? 0x20 : 0) != y | (y >= 65 && y <= 90 ? 0x20 : 0) { return false }
            if x == 0 { return true }
        }
        return true
    }

    /// Longitude and latitude at `i` and `i + 1`, within the Mercator limits; replies the
    /// error and returns nil otherwise.
    static func parseLonLat(_ c: Client, _ a: Args, _ i: Int) -> (lon: Double, lat: Double)? {
        guard let lon = parseDouble(a[i]), let lat = parseDouble(a[i + 1]) else { c.notFloat(); return nil }
        if lon < GeoHash.lonMin || lon > GeoHash.lonMax || lat < GeoHash.latMin || lat > GeoHash.latMax {
            c.error(bytes: Array("ERR invalid longitude,latitude pair ".utf8) + formatFixed(lon, decimals: 6)
                        + [UInt8(ascii: ",")] + formatFixed(lat, decimals: 6))
            return nil
        }
        return (lon, lat)
    }

    /// The meters in one unit (m, km, ft, mi, any case); replies the error otherwise.
    static func parseUnit(_ c: Client, _ a: Args, _ i: Int) -> Double? {
        if option(a, i, "m") { return 1 }
        if option(a, i, "km") { return 1000 }
        if option(a, i, "ft") { return 0.3048 }
        if option(a, i, "mi") { return 1609.34 }
        c.error("ERR unsupported unit provided. please use M, KM, FT, MI")
        return nil
    }

    /// `radius unit` at `i`.
    static func parseRadius(_ c: Client, _ a: Args, _ i: Int) -> (radius: Double, toMeters: Double)? {
        guard let r = parseDouble(a[i]) else { c.error("ERR need numeric radius"); return nil }
        if r < 0 { c.error("ERR radius cannot be negative"); return nil }
        guard let unit = parseUnit(c, a, i + 1) else { return nil }
        return (r, unit)
    }

    /// `width height unit` at `i`.
    static func parseBox(_ c: Client, _ a: Args, _ i: Int) -> (width: Double, height: Double, toMeters: Double)? {
        guard let w = parseDouble(a[i]) else { c.error("ERR need numeric width"); return nil }
        guard let h = parseDouble(a[i + 1]) else { c.error("ERR need numeric height"); return nil }
        if h < 0 || w < 0 { c.error("ERR height or width cannot be negative"); return nil }
        guard let unit = parseUnit(c, a, i + 2) else { return nil }
        return (w, h, unit)
    }

    /// The position stored for `member`, nil when it is not in the set.
    static func position(_ z: ZSetValue, _ member: UnsafeRawBufferPointer) -> (lon: Double, lat: Double)? {
        z.score(member).map(GeoHash.decodeScore)
    }

    /// A distance as Redis prints it: four decimals, as a bulk string in every protocol.
    static func replyDistance(_ c: Client, _ distance: Double) {
        c.bulk(formatFixedPoint(distance, digits: 4))
    }

    /// Longitude and latitude as Redis prints them (human long doubles).
    static func replyCoordinates(_ c: Client, _ lon: Double, _ lat: Double) {
        c.array(2)
        c.humanLongDouble(Float80(lon))
        c.humanLongDouble(Float80(lat))
    }

    // MARK: - GEOADD

    /// GEOADD key [NX|XX] [CH] lon lat member ...: Redis turns the coordinates into scores
    /// and runs ZADD, so replies, errors and the "zadd" event are ZADD's.
    static func geoadd(_ s: Server, _ c: Client, _ a: Args) {
        var f = SortedSetCommands.AddFlags()
        var first = 2
        while first < a.count {
            if option(a, first, "NX") { f.nx = true } else if option(a, first, "XX") { f.xx = true }
            else if option(a, first, "CH") { f.ch = true } else { break }
            first += 1
        }
        if (a.count - first) % 3 != 0 || (f.xx && f.nx) { c.syntaxError(); return }
        let elements = (a.count - first) / 3
        var scores: [Double] = []
        scores.reserveCapacity(elements)
        for k in 0..<elements {
            guard let p = parseLonLat(c, a, first + 3 * k) else { return }
            // Within the limits, encoding cannot fail.
            scores.append(Double(GeoHash.score(lon: p.lon, lat: p.lat)!))
        }
        // The rewritten ZADD refuses an empty element list ("GEOADD key CH CH CH").
        if elements == 0 { c.syntaxError(); return }
        SortedSetCommands.addScores(s, c, a[1], f, scores) { k in a[first + 3 * k + 2] }
    }

    // MARK: - GEOPOS, GEOHASH, GEODIST

    static func geopos(_ s: Server, _ c: Client, _ a: Args) {
        replyPerMember(s, c, a, missing: c.nullArray) { score in
            let p = GeoHash.decodeScore(score)
            replyCoordinates(c, p.lon, p.lat)
        }
    }

    static func geohash(_ s: Server, _ c: Client, _ a: Args) {
        replyPerMember(s, c, a, missing: c.null) { score in c.bulk(GeoHash.geohashString(score: score)) }
    }

    /// GEOPOS and GEOHASH: one reply per member argument (from 2), `item` with the score of
    /// a member that is present, `missing` for the others and for all of a missing key.
    static func replyPerMember(_ s: Server, _ c: Client, _ a: Args, missing: () -> Void,
                               _ item: (Double) -> Void) {
        var failed = false
        let z = SortedSetCommands.readZSet(s, c, a[1], failed: &failed)
        if failed { return }
        c.array(a.count - 2)
        for i in 2..<a.count {
            if let score = z?.score(a[i]) { item(score) } else { missing() }
        }
    }

    /// GEODIST key m1 m2 [unit]: the unit is checked before the key is looked up.
    static func geodist(_ s: Server, _ c: Client, _ a: Args) {
        var toMeters = 1.0
        if a.count == 5 {
            guard let u = parseUnit(c, a, 4) else { return }
            toMeters = u
        } else if a.count > 5 {
            c.syntaxError()
            return
        }
        var failed = false
        guard let z = SortedSetCommands.readZSet(s, c, a[1], failed: &failed) else {
            if !failed { c.null() }
            return
        }
        guard let p1 = position(z, a[2]), let p2 = position(z, a[3]) else { c.null(); return }
        replyDistance(c, GeoHash.distance(p1.lon, p1.lat, p2.lon, p2.lat) / toMeters)
    }
}
