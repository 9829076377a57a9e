import Manifests
import Testing

/// One escaping for HTML and XML: what each character becomes.
@Suite struct MarkupTextTests {
    @Test(arguments: [
        ("plain", "plain"),
        (#"<a href="x">Tom & 'Jerry'</a>"#, "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"),
        ("tab\tline\ncr\r", "tab\tline\ncr\r"),
        ("bell\u{07}nul\u{00}", "bell\u{FFFD}nul\u{FFFD}"),
        ("\u{FFFE}\u{FFFF}é😀", "\u{FFFD}\u{FFFD}é😀"),
        ("&amp;", "&amp;amp;"),
    ])
    func escapes(_ text: String, _ expected: String) {
        #expect(MarkupText.escape(text) == expected)
    }
}
