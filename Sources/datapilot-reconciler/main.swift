import ReconcilerCommand

#if canImport(Glibc)
    import Glibc
#endif

exit(await ReconcileCommand.main(arguments: Array(CommandLine.arguments.dropFirst())))
