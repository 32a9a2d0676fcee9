/// COMMAND and its subcommands, all answered from the one command table.
enum CommandCommands {
    static func command(_ s: Server, _ c: Client, _ a: Args) {
        c.array(s.commands.count)
        for cmd in s.commands { replyInfo(c, cmd) }
    }

    static func count(_ s: Server, _ c: Client, _ a: Args) { c.int(s.commands.count) }

    static func info(_ s: Server, _ c: Client, _ a: Args) {
        if a.count == 2 {
            command(s, c, a)
            return
        }
        c.array(a.count - 2)
        for i in 2..<a.count {
            if let cmd = find(s, a.lower(i)) { replyInfo(c, cmd) } else { c.nullArray() }
        }
    }

    /// Finds "get" or "config|get".
    static func find(_ s: Server, _ name: String) -> Command? {
        let parts = name.split(separator: "|", maxSplits: 1).map(String.init)
        guard let top = s.commands.first(where: { $0.name == parts[0] }) else { return nil }
        if parts.count == 1 { return top }
        return top.subcommands.first { $0.name == parts[1] }
    }

    /// One COMMAND INFO entry: name, arity, flags, first/last key, step, ACL categories, tips,
    /// key specifications and subcommands (Redis 7.0's ten-element form).
    static func replyInfo(_ c: Client, _ cmd: Command) {
        c.array(10)
        c.bulk(cmd.fullName)
        c.int(cmd.arity)
        c.set(cmd.flags.nameList.count)
        for f in cmd.flags.nameList { c.simple(f) }
        c.int(cmd.firstKey)
        c.int(cmd.lastKey)
        c.int(cmd.keyStep)
        c.set(cmd.aclCategories.count)
        for cat in cmd.aclCategories { c.simple("@" + cat) }
        c.set(0)
        replyKeySpecs(c, cmd)
        c.array(cmd.subcommands.count)
        for sub in cmd.subcommands { replyInfo(c, sub) }
    }

    static func replyKeySpecs(_ c: Client, _ cmd: Command) {
        guard cmd.firstKey > 0 else { c.array(0); return }
        c.array(1)
        c.map(3)
        c.bulk("flags")
        let f: [String] = cmd.flags.contains(.write) ? ["RW", "UPDATE"] : ["RO", "ACCESS"]
        c.set(f.count)
        for x in f { c.simple(x) }
        c.bulk("begin_search")
        c.map(2)
        c.bulk("type"); c.bulk("index")
        c.bulk("spec"); c.map(1); c.bulk("index"); c.int(cmd.firstKey)
        c.bulk("find_keys")
        c.map(2)
        c.bulk("type"); c.bulk("range")
        c.bulk("spec")
        c.map(3)
        c.bulk("lastkey"); c.int(cmd.lastKey < 0 ? cmd.lastKey : cmd.lastKey - cmd.firstKey)
        c.bulk("keystep"); c.int(cmd.keyStep)
        c.bulk("limit"); c.int(0)
    }

    static func docs(_ s: Server, _ c: Client, _ a: Args) {
        var list: [Command] = []
        if a.count == 2 {
            list = s.commands
        } else {
            for i in 2..<a.count { if let cmd = find(s, a.lower(i)) { list.append(cmd) } }
        }
        c.map(list.count)
        for cmd in list { replyDoc(c, cmd) }
    }

    static func replyDoc(_ c: Client, _ cmd: Command) {
        c.bulk(cmd.fullName)
        let args = cmd.arguments
        let n = 4 + (cmd.subcommands.isEmpty ? 0 : 1) + (args.isEmpty ? 0 : 1)
        c.map(n)
        c.bulk("summary"); c.bulk(cmd.summary)
        c.bulk("since"); c.bulk(cmd.since)
        c.bulk("group"); c.bulk(cmd.group)
        c.bulk("complexity"); c.bulk(cmd.complexity)
        if !args.isEmpty {
            c.bulk("arguments")
            c.array(args.count)
            for arg in args { replyArgument(c, arg) }
        }
        if !cmd.subcommands.isEmpty {
            c.bulk("subcommands")
            c.map(cmd.subcommands.count)
            for sub in cmd.subcommands { replyDoc(c, sub) }
        }
    }

    static func getkeys(_ s: Server, _ c: Client, _ a: Args) {
        guard var cmd = s.lookup.find(a[2]) else {
            c.error("ERR Invalid command specified")
            return
        }
        if cmd.isContainer, a.count > 3, let sub = cmd.subcommand(a[3]) { cmd = sub }
        let argc = a.count - 2
        if !cmd.arityOK(argc) {
            c.error("ERR Invalid number of arguments specified for command")
            return
        }
        let positions = cmd.keyPositions(argc: argc)
        if positions.isEmpty {
            c.error("ERR The command has no key arguments")
            return
        }
        c.array(positions.count)
        for p in positions { c.bulk(a[p + 2]) }
    }

    static func list(_ s: Server, _ c: Client, _ a: Args) {
        var names: [String] = []
        for cmd in s.commands {
            names.append(cmd.name)
            for sub in cmd.subcommands { names.append(sub.fullName) }
        }
        if a.count == 5 && a.is(2, "FILTERBY") {
            let value = a.string(4)
            if a.is(3, "ACLCAT") {
                let cat = value.lowercased()
                names = []
                for cmd in s.commands {
                    if cmd.aclCategories.contains(cat) { names.append(cmd.name) }
                    for sub in cmd.subcommands where sub.aclCategories.contains(cat) { names.append(sub.fullName) }
                }
            } else if a.is(3, "PATTERN") {
                names = names.filter { globMatch(Array(value.utf8), Array($0.utf8), noCase: true) }
            } else if a.is(3, "MODULE") {
                names = []
            } else {
                c.syntaxError()
                return
            }
        } else if a.count != 2 {
            c.syntaxError()
            return
        }
        c.stringArray(names)
    }

    static func help(_ s: Server, _ c: Client, _ a: Args) {
        replyHelp(c, "COMMAND", [
            "(no subcommand)",
            "    Return details about all Redis commands.",
            "COUNT",
            "    Return the total number of commands in this Redis server.",
            "LIST",
            "    Return a list of all commands in this Redis server.",
            "INFO [<command-name> ...]",
            "    Return details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "DOCS [<command-name> ...]",
            "    Return documentation details about multiple Redis commands.",
            "    If no command names are given, documentation details for all",
            "    commands are returned.",
            "GETKEYS <full-command>",
            "    Return the keys from a full Redis command.",
            "GETKEYSANDFLAGS <full-command>",
            "    Return the keys and the access flags from a full Redis command.",
        ])
    }
}
