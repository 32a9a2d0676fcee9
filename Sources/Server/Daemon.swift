import Glibc

/// Process start-up: command line, configuration, daemonizing, pidfile, then the server loop.
public enum Daemon {
    /// Runs `redwing-server [config-file] [--name value ...]` and returns the exit status.
    public static func main(_ argv: [String]) -> Int32 {
        // String collation follows the environment's locale, as in Redis (SORT ... ALPHA
        // compares with strcoll).
        setlocale(LC_COLLATE, "")
        var args = Array(argv.dropFirst())
        if args.count == 1 && (args[0] == "-v" || args[0] == "--version") {
            print("Redis server v=\(redwingRedisVersion) sha=00000000:0 malloc=libc bits=64 build=redwing-\(redwingVersion)")
            return 0
        }
        if args.count == 1 && (args[0] == "-h" || args[0] == "--help") {
            print("Usage: ./redwing-server [/path/to/redis.conf] [options] [-]\n       ./redwing-server -v or --version\n       ./redwing-server -h or --help")
            return 0
        }
        // A lone "-" means: also read configuration from standard input.
        var stdinText = ""
        if let i = args.firstIndex(of: "-") {
            args.remove(at: i)
            var line = ""
            while let l = readLine(strippingNewline: false) { line += l }
            stdinText = line
        }
        let config = Config()
        let (file, extra) = ConfigFile.parseCommandLine(args)
        do {
            if let f = file {
                config.configFile = absolutePath(f)
                try ConfigFile.apply(try ConfigFile.read(f), to: config)
            }
            if !stdinText.isEmpty { try ConfigFile.apply(stdinText, to: config) }
            if !extra.isEmpty { try ConfigFile.apply(extra, to: config) }
        } catch let e as ConfigError {
            fputs(e.message + "\n", stderr)
            return 1
        } catch {
            return 1
        }
        // `dir` is applied first so relative paths (pidfile, logfile) resolve like Redis's.
        if chdir(config["dir"]) != 0 {
            fputs("Can't chdir to '\(config["dir"])': \(String(cString: strerror(errno)))\n", stderr)
            return 1
        }
        config.applyAll()
        if config.bool("daemonize") { daemonize() }
        let server = Server(config: config)
        writePidFile(config)
        Memory.startup = Memory.allocated().used
        server.log.notice("oO0OoO0OoO0Oo Redwing is starting oO0OoO0OoO0Oo")
        server.log.notice("Redwing version=\(redwingVersion) (Redis \(redwingRedisVersion) compatible), bits=64, pid=\(getpid()), just started")
        if file == nil {
            server.log.warning("Warning: no config file specified, using the default config. In order to specify a config file use redwing-server /path/to/redis.conf")
        } else {
            server.log.notice("Configuration loaded")
        }
        server.log.notice("Running mode=standalone, port=\(config.port).")
        return server.run()
    }

    static func absolutePath(_ p: String) -> String {
        p.hasPrefix("/") ? p : currentDirectory() + "/" + p
    }

    /// Detaches from the terminal the way redis-server does: fork, setsid, stdio to /dev/null.
    static func daemonize() {
        let pid = fork()
        if pid < 0 { exit(1) }
        if pid > 0 { exit(0) }
        setsid()
        let fd = open("/dev/null", O_RDWR, 0)
        if fd >= 0 {
            dup2(fd, 0)
            dup2(fd, 1)
            dup2(fd, 2)
            if fd > 2 { close(fd) }
        }
    }

    static func writePidFile(_ config: Config) {
        var path = config["pidfile"]
        if path.isEmpty && config.bool("daemonize") {
            path = "/var/run/redis_\(config.port).pid"
            config.param("pidfile")?.value = path
        }
        guard !path.isEmpty, let f = fopen(path, "w") else { return }
        fputs("\(getpid())\n", f)
        fclose(f)
    }
}
