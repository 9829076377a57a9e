import ArgumentParser

/// `dpctl completion bash|zsh|fish`: the shell completion script, generated from the commands.
struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print a shell completion script.",
        discussion: """
            bash: source <(dpctl completion bash)
            zsh:  dpctl completion zsh > "${fpath[1]}/_dpctl"
            fish: dpctl completion fish > ~/.config/fish/completions/dpctl.fish
            """)

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    @Argument(help: "bash, zsh or fish.") var shell: Shell

    func run() {
        let kind: CompletionShell =
            switch shell {
            case .bash: .bash
            case .zsh: .zsh
            case .fish: .fish
            }
        print(DPCtl.completionScript(for: kind))
    }
}
