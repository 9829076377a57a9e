import DPCtlCommands

#if canImport(Glibc)
import Glibc
#endif

exit(await DPCtl.main(arguments: Array(CommandLine.arguments.dropFirst())))
