import CLibGit2

extension Repository {
    /// A blob's size from the object header, without reading its content.
    public func blobSize(_ id: String) throws(GitError) -> Int64 {
        var oid = try Self.oid(id)
        let odb = try objectDatabase()
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_INVALID
        try GitError.check(git_odb_read_header(&size, &type, odb, &oid), "read the header of \(id)")
        return Int64(size)
    }

    /// A blob's content (for manifests, which are size-checked first).
    public func blobBytes(_ id: String) throws(GitError) -> [UInt8] {
        var result: [UInt8] = []
        try readBlob(id) { chunk in
            result.append(contentsOf: chunk)
            return true
        }
        return result
    }

    /// Hands a blob's content to `chunk` piece by piece; `chunk` returns false to stop.
    ///
    /// Loose objects are streamed. libgit2 1.5 cannot stream objects stored in pack files (where
    /// fetched objects live), so those are inflated into memory once, then handed over in pieces:
    /// exporting a blob needs as much memory as the blob is large.
    public func readBlob(_ id: String, chunk: (UnsafeRawBufferPointer) -> Bool) throws(GitError) {
        var oid = try Self.oid(id)
        let odb = try objectDatabase()
        defer { git_odb_free(odb) }
        var stream: UnsafeMutablePointer<git_odb_stream>?
        var length = 0
        var type = GIT_OBJECT_INVALID
        if git_odb_open_rstream(&stream, &length, &type, odb, &oid) == 0, let stream {
            defer { git_odb_stream_free(stream) }
            var buffer = [CChar](repeating: 0, count: 1 << 20)
            while true {
                let read = buffer.withUnsafeMutableBufferPointer { git_odb_stream_read(stream, $0.baseAddress, $0.count) }
                try GitError.check(read, "read blob \(id)")
                if read == 0 { return }
                let more = buffer.withUnsafeBytes { chunk(UnsafeRawBufferPointer(rebasing: $0[..<Int(read)])) }
                if !more { return }
            }
        }
        git_error_clear()
        var object: OpaquePointer?
        try GitError.check(git_odb_read(&object, odb, &oid), "read blob \(id)")
        defer { git_odb_object_free(object) }
        let data = UnsafeRawBufferPointer(start: git_odb_object_data(object), count: git_odb_object_size(object))
        var offset = 0
        while offset < data.count {
            let end = min(offset + (1 << 20), data.count)
            if !chunk(UnsafeRawBufferPointer(rebasing: data[offset..<end])) { return }
            offset = end
        }
    }

    func objectDatabase() throws(GitError) -> OpaquePointer? {
        var odb: OpaquePointer?
        try GitError.check(git_repository_odb(&odb, handle), "open the object database")
        return odb
    }
}
