import Foundation
import Settings

#if canImport(Glibc)
    import Glibc
#endif

/// A key file on disk: read with a message naming the setting it came from, written atomically
/// and readable by its owner only.
public enum SigningKeyFile {
    /// The text of a key file; `setting` names where its path came from.
    public static func read(_ path: String, setting: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else {
            throw SettingError(
                "cannot read the key file \(path) (\(setting)): it does not exist, is a folder or is not readable by this user; "
                    + "point \(setting) at a file of \"<id> <base64 key>\" lines (make one with `dpctl keys generate`)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SettingError("the key file \(path) (\(setting)) is not UTF-8 text; it holds \"<id> <base64 key>\" lines")
        }
        return text
    }

    /// Writes a key file readable by this user only, in a folder only this user may enter.
    public static func write(_ keys: SigningKeySet, to path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard chmod(folder, 0o700) == 0 else { throw SettingError("cannot make \(folder) private (chmod 0700): errno \(errno)") }
        let temporary = path + ".new-\(UUID().uuidString.prefix(8))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw SettingError("cannot write the key file \(temporary): errno \(errno); check that \(folder) is writable")
        }
        let bytes = Array(keys.text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw SettingError("cannot write the key file \(path): errno \(errno)")
        }
    }
}
