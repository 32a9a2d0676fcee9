/// The geo searches (Redis's georadiusGeneric): GEOSEARCH, GEOSEARCHSTORE, GEORADIUS,
/// GEORADIUSBYMEMBER and their _RO forms. One parser takes every form's arguments in
/// Redis's order (so the same error wins), the scan covers the centre cell and its
/// neighbours as score ranges, and the sorts are Redis's own (QSort.swift), so results,
/// their order and ties match Redis exactly.
extension GeoCommands {
    struct SearchForm: OptionSet {
        let rawValue: Int
        /// GEORADIUS[_RO]: the centre is `lon lat` at 2, the radius at 4.
        static let coordinates = SearchForm(rawValue: 1 << 0)
        /// GEORADIUSBYMEMBER[_RO]: the centre is a member at 2, the radius at 3.
        static let member = SearchForm(rawValue: 1 << 1)
        /// The _RO forms: no STORE / STOREDIST.
        static let noStore = SearchForm(rawValue: 1 << 2)
        /// GEOSEARCH[STORE]: FROMMEMBER / FROMLONLAT and BYRADIUS / BYBOX options.
        static let search = SearchForm(rawValue: 1 << 3)
        /// GEOSEARCHSTORE: the destination is argument 1.
        static let searchStore = SearchForm(rawValue: 1 << 4)
    }

    enum Order { case none, ascending, descending }

    /// A point found by a search.
    struct Found {
        var lon: Double, lat: Double
        /// From the centre, in meters.
        var meters: Double
        var score: Double
        var member: [UInt8]
    }

    static func geosearch(_ s: Server, _ c: Client, _ a: Args) { search(s, c, a, sourceAt: 1, [.search]) }
    static func geosearchstore(_ s: Server, _ c: Client, _ a: Args) { search(s, c, a, sourceAt: 2, [.search, .searchStore]) }
    static func georadius(_ s: Server, _ c: Client, _ a: Args) { search(s, c, a, sourceAt: 1, [.coordinates]) }
    static func georadiusRO(_ s: Server, _ c: Client, _ a: Args) { search(s, c, a, sourceAt: 1, [.coordinates, .noStore]) }
    static func georadiusbymember(_ s: Server, _ c: Client, _ a: Args) { search(s, c, a, sourceAt: 1, [.member]) }
    static func georadiusbymemberRO(_ s: Server, _ c: Client, _ a: Args) { search(s, c, a, sourceAt: 1, [.member, .noStore]) }

    /// A parsed search: where, what shape, what to reply or store.
    struct Request {
        var center: (lon: Double, lat: Double)? = nil
        var kind: GeoShape.Kind? = nil
        var toMeters = 0.0
        /// The argument index of the destination key (STORE, STOREDIST, GEOSEARCHSTORE).
        var storeAt: Int? = nil
        var storeDistances = false
        var withDist = false, withHash = false, withCoord = false
        var order = Order.none
        var count: Int64 = 0
        var any = false
    }

    // MARK: - Search

    /// Parses, scans, sorts, then replies or stores.
    static func search(_ s: Server, _ c: Client, _ a: Args, sourceAt: Int, _ form: SearchForm) {
        var failed = false
        let z = SortedSetCommands.readZSet(s, c, a[sourceAt], failed: &failed)
        if failed { return }
        guard var r = parse(c, a, z, form) else { return }
        guard let set = z, let center = r.center, let kind = r.kind else {
            // A missing source: an empty reply, or an emptied destination.
            if let dst = r.storeAt {
                s.storeResult(c, a[dst], .zset(ZSetValue()), count: 0, .zset, "georadiusstore")
            } else {
                c.array(0)
            }
            return
        }
        // COUNT means "the nearest N" unless ANY says "any N".
        if r.count != 0 && r.order == .none && !r.any { r.order = .ascending }
        let shape = GeoShape(lon: center.lon, lat: center.lat, kind: kind, toMeters: r.toMeters)
        let found = collect(set, shape, limit: r.any ? r.count : 0)
        if found.isEmpty && r.storeAt == nil {
            c.array(0)
            return
        }
        let returned = r.count == 0 || Int64(found.count) < r.count ? found.count : Int(r.count)
        let ranked = rank(found, r.order, returned: returned).prefix(returned)
        if let dst = r.storeAt {
            store(s, c, a[dst], found, ranked, toMeters: r.toMeters, distances: r.storeDistances,
                  event: form.contains(.search) ? "geosearchstore" : "georadiusstore")
        } else {
            reply(c, found, ranked, r)
        }
    }

    // MARK: - Parsing

    /// Every form's arguments, checked in Redis's order once the source's type is known
    /// good: the fixed centre and radius of the GEORADIUS forms, then the options left to
    /// right (each parsed, and its error replied, as it is met), then their combinations.
    /// When the source `z` is missing, member centres are not looked up but everything else
    /// is still checked. Nil after an error reply.
    static func parse(_ c: Client, _ a: Args, _ z: ZSetValue?, _ form: SearchForm) -> Request? {
        var r = Request()
        var first: Int
        if form.contains(.coordinates) {
            first = 6
            guard let p = parseLonLat(c, a, 2), let radius = parseRadius(c, a, 4) else { return nil }
            (r.center, r.kind, r.toMeters) = (p, .radius(radius.radius), radius.toMeters)
        } else if form.contains(.member) {
            first = 5
            if let z {
                guard let p = position(z, a[2]) else { c.error("ERR could not decode requested zset member"); return nil }
                guard let radius = parseRadius(c, a, 3) else { return nil }
                (r.center, r.kind, r.toMeters) = (p, .radius(radius.radius), radius.toMeters)
            }
        } else {
            first = 2
            if form.contains(.searchStore) {
                first = 3
                r.storeAt = 1
            }
        }

        var fromMember = false, fromLonLat = false, byRadius = false, byBox = false
        let isSearch = form.contains(.search)
        let storeOption = !form.contains(.noStore) && !isSearch
        var i = first
        while i < a.count {
            let more = a.count - i - 1   // arguments after this one
            if option(a, i, "withdist") {
                r.withDist = true
            } else if option(a, i, "withhash") {
                r.withHash = true
            } else if option(a, i, "withcoord") {
                r.withCoord = true
            } else if option(a, i, "any") {
                r.any = true
            } else if option(a, i, "asc") {
                r.order = .ascending
            } else if option(a, i, "desc") {
                r.order = .descending
            } else if option(a, i, "count") && more >= 1 {
                guard let n = a.int(i + 1) else { c.notInteger(); return nil }
                if n <= 0 { c.error("ERR COUNT must be > 0"); return nil }
                r.count = n
                i += 1
            } else if option(a, i, "store") && more >= 1 && storeOption {
                r.storeAt = i + 1
                r.storeDistances = false
                i += 1
            } else if option(a, i, "storedist") && more >= 1 && storeOption {
                r.storeAt = i + 1
                r.storeDistances = true
                i += 1
            } else if option(a, i, "storedist") && form.contains(.searchStore) {
                r.storeDistances = true
            } else if option(a, i, "frommember") && more >= 1 && isSearch && !fromLonLat {
                if let z {
                    guard let p = position(z, a[i + 1]) else {
                        c.error("ERR could not decode requested zset member")
                        return nil
                    }
                    r.center = p
                }
                fromMember = true
                i += 1
            } else if option(a, i, "fromlonlat") && more >= 2 && isSearch && !fromMember {
                guard let p = parseLonLat(c, a, i + 1) else { return nil }
                r.center = p
                fromLonLat = true
                i += 2
            } else if option(a, i, "byradius") && more >= 2 && isSearch && !byBox {
                guard let radius = parseRadius(c, a, i + 1) else { return nil }
                (r.kind, r.toMeters) = (.radius(radius.radius), radius.toMeters)
                byRadius = true
                i += 2
            } else if option(a, i, "bybox") && more >= 3 && isSearch && !byRadius {
                guard let b = parseBox(c, a, i + 1) else { return nil }
                (r.kind, r.toMeters) = (.box(width: b.width, height: b.height), b.toMeters)
                byBox = true
                i += 3
            } else {
                c.syntaxError()
                return nil
            }
            i += 1
        }

        if r.storeAt != nil && (r.withDist || r.withHash || r.withCoord) {
            c.error(form.contains(.searchStore)
                    ? "ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options"
                    : "ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
            return nil
        }
        // These two name the command as the client spelled it.
        if isSearch && !(fromMember || fromLonLat) {
            c.error(bytes: Array("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for ".utf8) + a.echo(0))
            return nil
        }
        if isSearch && !(byRadius || byBox) {
            c.error(bytes: Array("ERR exactly one of BYRADIUS and BYBOX can be specified for ".utf8) + a.echo(0))
            return nil
        }
        if r.any && r.count == 0 {
            c.error("ERR the ANY argument requires COUNT argument")
            return nil
        }
        return r
    }

    // MARK: - Scanning

    /// The points inside `shape`, cell by cell in Redis's order (centre, N, S, E, W, NE, NW,
    /// SE, SW) and by score within a cell. With a `limit` (COUNT n ANY) the scan stops as
    /// soon as it has that many.
    static func collect(_ z: ZSetValue, _ shape: GeoShape, limit: Int64) -> [Found] {
        var found: [Found] = []
        let cells = shape.searchCells()
        // Redis skips a cell equal to the last one scanned, but counts "none scanned yet" and
        // "the centre was" alike (index 0), so a neighbour equal to the centre is scanned twice.
        var last = 0
        for (i, cell) in cells.enumerated() {
            if cell.isNone { continue }
            if last != 0 && cell == cells[last] { continue }
            if limit > 0 && Int64(found.count) >= limit { break }
            let range = GeoHash.scoreRange(cell)
            let from = z.leadingCount { score, _ in score < range.min }
            let to = z.leadingCount { score, _ in score < range.max }
            z.forEachWhile(ranks: from..<max(from, to)) { member, score in
                let p = GeoHash.decodeScore(score)
                if let d = shape.contains(lon: p.lon, lat: p.lat) {
                    found.append(Found(lon: p.lon, lat: p.lat, meters: d, score: score, member: Array(member)))
                }
                return !(limit > 0 && Int64(found.count) >= limit)
            }
            last = i
        }
        return found
    }

    /// The indexes of `found` in reply order: Redis sorts with qsort when every result is
    /// returned and with pqsort when COUNT keeps fewer.
    static func rank(_ found: [Found], _ order: Order, returned: Int) -> [Int] {
        var ranked = Array(found.indices)
        guard order != .none, found.count > 1 else { return ranked }
        let sign = order == .ascending ? 1 : -1
        let compare: QSort.Compare = { i, j in
            let x = found[i].meters, y = found[j].meters
            return sign * (x > y ? 1 : x == y ? 0 : -1)
        }
        if returned == found.count {
            QSort.fullSort(&ranked, compare)
        } else {
            QSort.partialSort(&ranked, through: returned - 1, compare)
        }
        return ranked
    }

    // MARK: - Replies

    /// Members, or [member, dist?, hash?, [lon, lat]?] arrays when any WITH option is on.
    static func reply(_ c: Client, _ found: [Found], _ ranked: ArraySlice<Int>, _ r: Request) {
        let extra = (r.withDist ? 1 : 0) + (r.withHash ? 1 : 0) + (r.withCoord ? 1 : 0)
        c.array(ranked.count)
        for i in ranked {
            let p = found[i]
            if extra > 0 { c.array(extra + 1) }
            c.bulk(p.member)
            if r.withDist { replyDistance(c, p.meters / r.toMeters) }
            if r.withHash { c.int(GeoHash.cInt64(p.score)) }
            if r.withCoord { replyCoordinates(c, p.lon, p.lat) }
        }
    }

    /// STORE / STOREDIST / GEOSEARCHSTORE: the results become a sorted set (scored by their
    /// geohash, or by their distance in the request's unit), replacing `dst`; no results
    /// delete it. Replies with the number stored.
    static func store(_ s: Server, _ c: Client, _ dst: UnsafeRawBufferPointer, _ found: [Found],
                      _ ranked: ArraySlice<Int>, toMeters: Double, distances: Bool, event: StaticString) {
        let longest = ranked.reduce(0) { max($0, found[$1].member.count) }
        let result = ZSetValue(sizeHint: ranked.count, maxLength: longest)
        for i in ranked {
            let p = found[i]
            p.member.withUnsafeBytes { result.insert($0, score: distances ? p.meters / toMeters : p.score) }
        }
        result.convertToPackedIfSmall()
        s.storeResult(c, dst, .zset(result), count: result.count, .zset, event, changes: Int64(result.count))
    }
}
