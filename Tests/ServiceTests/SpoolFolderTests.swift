import Foundation
import Testing

@testable import ServiceKit

/// Each process spools into a folder of its own, locked while it lives; a start sweeps only the
/// folders nobody holds. (flock conflicts between two opens of one file in one process too, so a
/// second claim here stands for a second process.)
@Suite struct SpoolFolderTests {
    func scratch() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func aLiveProcesssPausedUploadIsNeverSwept() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        var first: SpoolFolder? = try SpoolFolder.claim(in: parent)
        let firstPath = try #require(first?.path)
        let upload = firstPath + "/upload-1"
        #expect(FileManager.default.createFile(atPath: upload, contents: Data("half an upload".utf8)))
        // The upload paused an hour ago: the file is old, its process alive.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-3600)], ofItemAtPath: upload)

        let second = try SpoolFolder.claim(in: parent, startedAt: Date())
        #expect(second.path != firstPath && second.path.hasPrefix(parent + "/p-"))
        #expect(FileManager.default.fileExists(atPath: upload), "a live process's paused upload was swept")

        // The first process ends (its lock goes with it): the next start sweeps its folder, not the second's.
        first = nil
        let removed = SpoolFolder.sweep(parent, startedAt: Date())
        #expect(removed == 1 && !FileManager.default.fileExists(atPath: firstPath))
        #expect(FileManager.default.fileExists(atPath: second.path))
    }

    @Test func whatEarlierVersionsAndCrashesLeftIsSwept() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let fm = FileManager.default
        let past = Date().addingTimeInterval(-60)
        // A flat spool file of an earlier version, a folder without a lock, a staging folder from
        // a crash between its creation and its lock.
        #expect(fm.createFile(atPath: parent + "/upload-old", contents: Data("x".utf8)))
        try fm.setAttributes([.modificationDate: past], ofItemAtPath: parent + "/upload-old")
        try fm.createDirectory(atPath: parent + "/p-1-deadbeef", withIntermediateDirectories: false)
        try fm.createDirectory(atPath: parent + "/.new-cafe", withIntermediateDirectories: false)
        try fm.setAttributes([.modificationDate: past], ofItemAtPath: parent + "/.new-cafe")
        // A staging folder newer than the sweep may be another process's, about to be locked.
        try fm.createDirectory(atPath: parent + "/.new-fresh", withIntermediateDirectories: false)
        try fm.setAttributes([.modificationDate: Date().addingTimeInterval(60)], ofItemAtPath: parent + "/.new-fresh")
        // Something else in the folder is left alone.
        try fm.createDirectory(atPath: parent + "/keep", withIntermediateDirectories: false)

        let folder = try SpoolFolder.claim(in: parent)
        let left = try fm.contentsOfDirectory(atPath: parent).sorted()
        #expect(left == [".new-fresh", "keep", String(folder.path.split(separator: "/").last!)].sorted(), "\(left)")
    }

    @Test func aSpoolThatCannotBeMadeSaysWhere() throws {
        let parent = try scratch()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let blocked = parent + "/not-a-folder"
        #expect(FileManager.default.createFile(atPath: blocked, contents: Data()))
        #expect(throws: (any Error).self) { try SpoolFolder.claim(in: blocked) }
    }
}
