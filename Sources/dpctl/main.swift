import DPCtlCommands

#if canImport(Glibc)
    import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
// `dpctl reconcile ...` becomes datapilot-reconciler here, on the main thread before any other
// work starts, so the reconciler begins with the signal mask dpctl was started with.
if let failed = ReconcilerLauncher.dispatch(arguments) { exit(failed) }
exit(await DPCtl.main(arguments: arguments))
