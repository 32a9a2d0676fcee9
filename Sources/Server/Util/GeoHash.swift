import Glibc

/// The geohash arithmetic of Redis 7.0's geo commands (geohash.c, geohash_helper.c), kept
/// bit-for-bit and operation-for-operation so that scores, decoded coordinates, distances and
/// the set of searched cells — and therefore every reply and its order — equal Redis's.
///
/// A point is stored as a sorted-set score: the 26-bit cell indexes of its latitude (even bit
/// positions) and longitude (odd positions) interleaved into 52 bits, over the Web-Mercator
/// limits (longitude ±180, latitude ±85.05112878). A search covers the cell holding the
/// centre and its 8 neighbours at a coarser step chosen from the radius; each cell is one
/// contiguous score range.
///
/// Several quirks are deliberate copies of C behaviour: scores are turned into bits with x86's
/// double → uint64 conversion (so a score that is not a geohash still decodes, as Redis does),
/// cell index arithmetic wraps at 32 bits, and the distance is the plain haversine without a
/// same-meridian shortcut while the box test measures latitude along the meridian (the mix
/// 7.0.15 ships).
enum GeoHash {
    static let stepMax = 26
    static let lonMin = -180.0, lonMax = 180.0
    static let latMin = -85.05112878, latMax = 85.05112878
    /// Earth's quadratic mean radius for WGS-84, in meters.
    static let earthRadius = 6372797.560856
    static let mercatorMax = 20037726.37
    private static let degToRad = Double.pi / 180.0

    /// A cell: `step` bits of each coordinate, interleaved. Step 0 marks an excluded neighbour.
    struct Cell: Equatable {
        var bits: UInt64
        var step: Int
        static let none = Cell(bits: 0, step: 0)
        var isNone: Bool { bits == 0 && step == 0 }
    }

    struct Interval { var min: Double, max: Double }

    /// The coordinate ranges a cell covers.
    struct Area { var lon: Interval, lat: Interval }

    static let mercatorLon = Interval(min: lonMin, max: lonMax)
    static let mercatorLat = Interval(min: latMin, max: latMax)
    /// The standard geohash latitude range, used only to print GEOHASH strings.
    static let standardLat = Interval(min: -90, max: 90)

    @inline(__always) static func radians(_ deg: Double) -> Double { deg * degToRad }
    @inline(__always) static func degrees(_ rad: Double) -> Double { rad / degToRad }

    // MARK: - C conversions

    /// x86-64's `cvttsd2si`: truncation, or the "integer indefinite" 2^63 when out of range.
    @inline(__always)
    private static func truncateSigned(_ d: Double) -> UInt64 {
        if d.isNaN || d >= 9223372036854775808.0 || d < -9223372036854775808.0 { return 1 << 63 }
        return UInt64(bitPattern: Int64(d))
    }

    /// C's `(uint64_t)d` as gcc compiles it for x86-64: values at or above 2^63 are shifted
    /// down, converted, and the top bit flipped back. Negative and huge scores thus decode
    /// the way they do in Redis.
    static func cUInt64(_ d: Double) -> UInt64 {
        if d >= 9223372036854775808.0 { return truncateSigned(d - 9223372036854775808.0) ^ (1 << 63) }
        return truncateSigned(d)
    }

    /// C's `(long long)d` (WITHHASH replies the score this way).
    static func cInt64(_ d: Double) -> Int64 { Int64(bitPattern: truncateSigned(d)) }

    // MARK: - Bit interleaving

    /// Spreads the 32 bits of `v` over the even bit positions.
    @inline(__always)
    private static func spread(_ v: UInt32) -> UInt64 {
        var x = UInt64(v)
        x = (x | (x << 16)) & 0x0000FFFF0000FFFF
        x = (x | (x << 8)) & 0x00FF00FF00FF00FF
        x = (x | (x << 4)) & 0x0F0F0F0F0F0F0F0F
        x = (x | (x << 2)) & 0x3333333333333333
        x = (x | (x << 1)) & 0x5555555555555555
        return x
    }

    /// Gathers the even bit positions of `v` into 32 bits.
    @inline(__always)
    private static func gather(_ v: UInt64) -> UInt32 {
        var x = v & 0x5555555555555555
        x = (x | (x >> 1)) & 0x3333333333333333
        x = (x | (x >> 2)) & 0x0F0F0F0F0F0F0F0F
        x = (x | (x >> 4)) & 0x00FF00FF00FF00FF
        x = (x | (x >> 8)) & 0x0000FFFF0000FFFF
        x = (x | (x >> 16)) & 0x00000000FFFFFFFF
        return UInt32(truncatingIfNeeded: x)
    }

    // MARK: - Encoding and decoding

    /// The cell of `step` bits holding the point, or nil when the point is outside the
    /// Mercator limits or `ranges`.
    static func encode(lon: Double, lat: Double, step: Int,
                       lonRange: Interval = mercatorLon, latRange: Interval = mercatorLat) -> Cell? {
        guard step > 0 && step <= 32 else { return nil }
        if lon > lonMax || lon < lonMin || lat > latMax || lat < latMin { return nil }
        if lat < latRange.min || lat > latRange.max || lon < lonRange.min || lon > lonRange.max { return nil }
        var latOffset = (lat - latRange.min) / (latRange.max - latRange.min)
        var lonOffset = (lon - lonRange.min) / (lonRange.max - lonRange.min)
        latOffset *= Double(UInt64(1) << step)
        lonOffset *= Double(UInt64(1) << step)
        // Offsets lie in [0, 2^step]; C converts them to uint32 by truncation.
        let latIndex = UInt32(truncatingIfNeeded: truncateSigned(latOffset))
        let lonIndex = UInt32(truncatingIfNeeded: truncateSigned(lonOffset))
        return Cell(bits: spread(latIndex) | (spread(lonIndex) << 1), step: step)
    }

    /// The area a cell covers (nil for an excluded cell). Index + 1 wraps at 32 bits as the
    /// C code's uint32 arithmetic does.
    static func decode(_ cell: Cell, lonRange: Interval = mercatorLon,
                       latRange: Interval = mercatorLat) -> Area? {
        if cell.isNone { return nil }
        let latIndex = gather(cell.bits)
        let lonIndex = gather(cell.bits >> 1)
        let latScale = latRange.max - latRange.min
        let lonScale = lonRange.max - lonRange.min
        let cells = Double(UInt64(1) << cell.step)
        return Area(
            lon: Interval(min: lonRange.min + (Double(lonIndex) * 1.0 / cells) * lonScale,
                          max: lonRange.min + (Double(lonIndex &+ 1) * 1.0 / cells) * lonScale),
            lat: Interval(min: latRange.min + (Double(latIndex) * 1.0 / cells) * latScale,
                          max: latRange.min + (Double(latIndex &+ 1) * 1.0 / cells) * latScale))
    }

    /// A cell's centre, clamped to the Mercator limits.
    static func center(_ a: Area) -> (lon: Double, lat: Double) {
        var lon = (a.lon.min + a.lon.max) / 2
        if lon > lonMax { lon = lonMax }
        if lon < lonMin { lon = lonMin }
        var lat = (a.lat.min + a.lat.max) / 2
        if lat > latMax { lat = latMax }
        if lat < latMin { lat = latMin }
        return (lon, lat)
    }

    /// The sorted-set score of a point (its step-26 cell aligned to 52 bits); nil outside
    /// the limits.
    static func score(lon: Double, lat: Double) -> UInt64? {
        encode(lon: lon, lat: lat, step: stepMax).map(aligned52)
    }

    /// The coordinates a score stands for: the centre of its step-26 cell.
    static func decodeScore(_ score: Double) -> (lon: Double, lat: Double) {
        center(decode(Cell(bits: cUInt64(score), step: stepMax))!)
    }

    /// A cell's bits shifted to the 52-bit score scale.
    @inline(__always)
    static func aligned52(_ cell: Cell) -> UInt64 { cell.bits << UInt64(52 - cell.step * 2) }

    /// The score interval [min, max) holding every point of a cell.
    static func scoreRange(_ cell: Cell) -> (min: Double, max: Double) {
        var next = cell
        next.bits &+= 1
        return (Double(aligned52(cell)), Double(aligned52(next)))
    }

    /// GEOHASH's 11-character string: the point re-encoded over the standard [-90, 90]
    /// latitude range, ten 5-bit base-32 digits and a final '0' (52 bits only fill ten).
    static func geohashString(score: Double) -> [UInt8] {
        let alphabet = Array("0123456789bcdefghjkmnpqrstuvwxyz".utf8)
        let p = decodeScore(score)
        let bits = encode(lon: p.lon, lat: p.lat, step: stepMax, lonRange: mercatorLon,
                          latRange: standardLat)?.bits ?? 0
        var out = [UInt8](repeating: alphabet[0], count: 11)
        for i in 0..<10 {
            out[i] = alphabet[Int((bits >> UInt64(52 - (i + 1) * 5)) & 0x1f)]
        }
        return out
    }

    // MARK: - Neighbours

    static let lonBits: UInt64 = 0xaaaaaaaaaaaaaaaa
    static let latBits: UInt64 = 0x5555555555555555

    /// Moves a cell one step along one axis (`axis` holds that coordinate's bit positions:
    /// `lonBits` east for +1, `latBits` north for +1), wrapping around the grid. Filling
    /// the gaps between the axis's bits with ones lets a plain add or subtract carry across
    /// them; the other coordinate's bits are kept.
    private static func move(_ c: Cell, _ axis: UInt64, _ d: Int) -> Cell {
        let other = ~axis
        let gaps = other >> UInt64(64 - c.step * 2)
        var v = c.bits & axis
        if d > 0 {
            v = v &+ (gaps &+ 1)
        } else {
            v = (v | gaps) &- (gaps &+ 1)
        }
        v &= axis >> UInt64(64 - c.step * 2)
        return Cell(bits: v | (c.bits & other), step: c.step)
    }

    /// The 8 cells around a cell (wrapping around the grid's edges).
    struct Neighbors {
        var north, south, east, west, northEast, northWest, southEast, southWest: Cell

        init(of c: Cell) {
            east = move(c, lonBits, 1)
            west = move(c, lonBits, -1)
            north = move(c, latBits, 1)
            south = move(c, latBits, -1)
            northEast = move(east, latBits, 1)
            northWest = move(west, latBits, 1)
            southEast = move(east, latBits, -1)
            southWest = move(west, latBits, -1)
        }
    }

    // MARK: - Distances

    /// Great-circle distance in meters (haversine), longitude first.
    static func distance(_ lon1: Double, _ lat1: Double, _ lon2: Double, _ lat2: Double) -> Double {
        let lat1r = radians(lat1), lon1r = radians(lon1)
        let lat2r = radians(lat2), lon2r = radians(lon2)
        let u = sin((lat2r - lat1r) / 2)
        let v = sin((lon2r - lon1r) / 2)
        return 2.0 * earthRadius * asin(sqrt(u * u + cos(lat1r) * cos(lat2r) * v * v))
    }

    /// Distance along a meridian between two latitudes.
    static func latitudeDistance(_ lat1: Double, _ lat2: Double) -> Double {
        earthRadius * fabs(radians(lat2) - radians(lat1))
    }
}

/// A search area: a circle (radius) or an axis-aligned box (width × height) around a centre,
/// with its sizes in the request's unit and `toMeters` to convert them.
struct GeoShape {
    enum Kind {
        case radius(Double)
        case box(width: Double, height: Double)
    }
    var lon: Double, lat: Double
    var kind: Kind
    var toMeters: Double

    /// Whether the point (at `lon`, `lat`) is inside; returns its distance from the centre in
    /// meters when it is. The box test compares the meridian distance with half the height
    /// and the distance along the point's parallel with half the width.
    func contains(lon x2: Double, lat y2: Double) -> Double? {
        switch kind {
        case .radius(let r):
            let d = GeoHash.distance(lon, lat, x2, y2)
            return d > r * toMeters ? nil : d
        case .box(let w, let h):
            if GeoHash.latitudeDistance(y2, lat) > h * toMeters / 2 { return nil }
            if GeoHash.distance(x2, y2, lon, y2) > w * toMeters / 2 { return nil }
            return GeoHash.distance(lon, lat, x2, y2)
        }
    }

    /// The bounding box [minLon, minLat, maxLon, maxLat] in degrees. Longitude spans are
    /// widest on the side nearer a pole, so the hemisphere picks the edge that sets them.
    func boundingBox() -> (minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
        let height: Double, width: Double
        switch kind {
        case .radius(let r): height = toMeters * r; width = toMeters * r
        case .box(let w, let h): height = toMeters * (h / 2); width = toMeters * (w / 2)
        }
        let latDelta = GeoHash.degrees(height / GeoHash.earthRadius)
        let lonDeltaTop = GeoHash.degrees(width / GeoHash.earthRadius / cos(GeoHash.radians(lat + latDelta)))
        let lonDeltaBottom = GeoHash.degrees(width / GeoHash.earthRadius / cos(GeoHash.radians(lat - latDelta)))
        let south = lat < 0
        return (south ? lon - lonDeltaBottom : lon - lonDeltaTop, lat - latDelta,
                south ? lon + lonDeltaBottom : lon + lonDeltaTop, lat + latDelta)
    }

    /// Redis's geohashEstimateStepsByRadius: the coarsest step whose cells still exceed the
    /// radius, one or two steps coarser near the poles, within 1...26.
    static func estimateSteps(radiusMeters: Double, lat: Double) -> Int {
        if radiusMeters == 0 { return 26 }
        var range = radiusMeters
        var step = 1
        while range < GeoHash.mercatorMax {
            range *= 2
            step += 1
        }
        step -= 2
        if lat > 66 || lat < -66 {
            step -= 1
            if lat > 80 || lat < -80 { step -= 1 }
        }
        return min(max(step, 1), 26)
    }

    /// The cells to scan, in Redis's order: centre, N, S, E, W, NE, NW, SE, SW. Neighbours
    /// the bounding box cannot reach are `Cell.none`. When a neighbour does not reach the
    /// box's edge the step is made one coarser first.
    func searchCells() -> [GeoHash.Cell] {
        let bounds = boundingBox()
        let radiusMeters: Double
        switch kind {
        case .radius(let r): radiusMeters = r * toMeters
        case .box(let w, let h): radiusMeters = sqrt((w / 2) * (w / 2) + (h / 2) * (h / 2)) * toMeters
        }
        var steps = GeoShape.estimateSteps(radiusMeters: radiusMeters, lat: lat)
        // The centre is always inside the limits (validated or decoded), so encoding succeeds.
        var cell = GeoHash.encode(lon: lon, lat: lat, step: steps)!
        var n = GeoHash.Neighbors(of: cell)
        var area = GeoHash.decode(cell)!

        let north = GeoHash.decode(n.north)!, south = GeoHash.decode(n.south)!
        let east = GeoHash.decode(n.east)!, west = GeoHash.decode(n.west)!
        let tooFine = north.lat.max < bounds.maxLat || south.lat.min > bounds.minLat
            || east.lon.max < bounds.maxLon || west.lon.min > bounds.minLon
        if steps > 1 && tooFine {
            steps -= 1
            cell = GeoHash.encode(lon: lon, lat: lat, step: steps)!
            n = GeoHash.Neighbors(of: cell)
            area = GeoHash.decode(cell)!
        }

        if steps >= 2 {
            if area.lat.min < bounds.minLat { n.south = .none; n.southWest = .none; n.southEast = .none }
            if area.lat.max > bounds.maxLat { n.north = .none; n.northEast = .none; n.northWest = .none }
            if area.lon.min < bounds.minLon { n.west = .none; n.southWest = .none; n.northWest = .none }
            if area.lon.max > bounds.maxLon { n.east = .none; n.southEast = .none; n.northEast = .none }
        }
        return [cell, n.north, n.south, n.east, n.west, n.northEast, n.northWest, n.southEast, n.southWest]
    }
}
