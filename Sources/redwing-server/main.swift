import Glibc
import Server

exit(Daemon.main(CommandLine.arguments))
