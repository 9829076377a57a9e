import Foundation

/// How MLflow's ids map to DataPilot's names. An experiment's id is its DataPilot name (`0`,
/// MLflow's default experiment, is `default`); a run's id is its name. The client accepts ids of
/// letters, digits, `_` and `-` only, so names MLflow creates are DNS labels without dots.
enum MLflowNames {
    static let defaultExperiment = "default"

    static func experiment(id: String) -> String { id == "0" ? defaultExperiment : id }
    static func experimentID(_ name: String) -> String { name == defaultExperiment ? "0" : name }

    /// A DNS label of at most 63 characters, as MLflow ids and DataPilot names both accept.
    static func isLabel(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) }
        return alnum(bytes.first!) && alnum(bytes.last!) && bytes.allSatisfy { alnum($0) || $0 == 0x2d }
    }

    /// `text` lowercased with every other character a dash, cut to `limit`; empty when nothing is left.
    static func slug(_ text: String, limit: Int = 40) -> String {
        var out = ""
        for scalar in text.lowercased().unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar)
            if ok {
                out.unicodeScalars.append(scalar)
            } else if !out.hasSuffix("-") {
                out += "-"
            }
        }
        let cut = String(out.prefix(limit))
        return cut.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

    static func suffix(_ count: Int) -> String {
        (0..<count).map { _ in String("0123456789abcdef".randomElement()!) }.joined()
    }

    /// A new run's name: its run name made a label, and a random suffix.
    static func newRun(_ runName: String?) -> String {
        let base = slug(runName ?? "", limit: 48)
        return (base.isEmpty ? "run" : base) + "-" + suffix(8)
    }

    /// A new experiment's name: the MLflow name itself when it is a label, else a label made of it.
    static func newExperiment(_ name: String, taken: Bool) -> String {
        if isLabel(name), !taken { return name }
        let base = slug(name, limit: 48)
        return (base.isEmpty ? "experiment" : base) + "-" + suffix(6)
    }
}
