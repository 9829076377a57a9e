import Foundation
import HTTPTypes

extension Problem {
    /// 507 Insufficient Storage for a write the file system refused for want of space (ENOSPC,
    /// EDQUOT) or over the process's file-size limit (EFBIG), naming `what` and the cause; nil
    /// for any other error.
    public static func storageFull(_ error: any Error, what: String) -> Problem? {
        guard let reason = StorageFull.reason(of: error) else { return nil }
        return Problem(
            HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage"), title: "Insufficient storage",
            detail: "\(what) is full (\(reason)); nothing was stored; retry once the operator has freed space")
    }
}

/// Recognises a write refused for want of space in the errors Foundation throws.
enum StorageFull {
    static let codes: Set<Int32> = [ENOSPC, EDQUOT, EFBIG]

    static func reason(of error: any Error) -> String? {
        let error = error as NSError
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? any Error, let reason = reason(of: underlying) { return reason }
        if error.domain == NSPOSIXErrorDomain, codes.contains(Int32(error.code)) { return String(cString: strerror(Int32(error.code))) }
        if error.domain == NSCocoaErrorDomain, error.code == CocoaError.fileWriteOutOfSpace.rawValue {
            return String(cString: strerror(ENOSPC))
        }
        return nil
    }
}
