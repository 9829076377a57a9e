import Foundation

/// The server's data folder, closed to other users: the folder itself may be passed through
/// (0711: a local job's user reaches its own work folder under `runs/`, and can list nothing),
/// and each of its folders but `runs` is the server's alone (0700).
enum DataFolder {
    static func secure(_ data: URL) throws {
        let manager = FileManager.default
        try manager.createDirectory(at: data, withIntermediateDirectories: true)
        try manager.setAttributes([.posixPermissions: 0o711], ofItemAtPath: data.path)
        for entry in try manager.contentsOfDirectory(atPath: data.path) {
            let path = data.appendingPathComponent(entry).path
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isFolder) else { continue }
            try manager.setAttributes(
                [.posixPermissions: isFolder.boolValue && entry == "runs" ? 0o711 : (isFolder.boolValue ? 0o700 : 0o600)],
                ofItemAtPath: path)
        }
    }
}
