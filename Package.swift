// swift-tools-version:5.9
import PackageDescription

// Release builds keep symbols, frame pointers and DWARF 4 debug info, so `perf record` gives
// whole, readable stacks and valgrind (which cannot read DWARF 5) can count instructions; and
// they drop Swift's dynamic exclusivity checks, which cost measurable time on the request path
// (every class property access in the keyspace would otherwise be checked at run time).
let hotSwiftFlags: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked", "-g", "-dwarf-version=4",
                  "-Xcc", "-fno-omit-frame-pointer"]),
]
let cFlags: [CSetting] = [
    .unsafeFlags(["-O2", "-fno-omit-frame-pointer", "-gdwarf-4"]),
]

let package = Package(
    name: "Redwing",
    products: [
        .executable(name: "redwing-server", targets: ["redwing-server"]),
    ],
    targets: [
        .systemLibrary(name: "CLibEvent", pkgConfig: "libevent",
                       providers: [.apt(["libevent-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4",
                       providers: [.apt(["liblz4-dev"])]),
        .target(name: "CEventShim", dependencies: ["CLibEvent"], cSettings: cFlags),
        .target(name: "CRC64", cSettings: cFlags),
        .target(name: "Server", dependencies: ["CEventShim", "CRC64", "CLZ4"],
                swiftSettings: hotSwiftFlags),
        .executableTarget(name: "redwing-server", dependencies: ["Server"],
                          swiftSettings: hotSwiftFlags,
                          linkerSettings: [.unsafeFlags(["-Xlinker", "--export-dynamic"])]),
        .testTarget(name: "ServerTests", dependencies: ["Server", "CEventShim", "CRC64"]),
    ]
)
