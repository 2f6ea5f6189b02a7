import Testing

@testable import GatewayDelivery

/// Which target URLs a call may go to: absolute `http` or `https` with a host, judged byte by byte for the
/// usual plain URLs and by `URLComponents` for the rest.
struct TargetURLTests {
    @Test(arguments: [
        "http://127.0.0.1:8080/", "https://example.com", "HTTP://Example.com/a?b=c#d", "HttpS://h:1/x", "http://h:65535",
        "http://user@example.com/x", "http://[::1]:8080/", "http://example.com/a%20b", "http://ex-ample.org/p;q,r&s=t+u~v",
    ])
    func absoluteHTTPURLsAreAccepted(_ url: String) {
        #expect(Invocation.isAbsoluteHTTP(url))
    }

    @Test(arguments: [
        "", "not a url", "ftp://example.com/x", "http://", "http:/x", "http:x", "/relative/path", "HTTP://", "http://:80/x", "http:///path",
        "https://?q", "xhttp://example.com", "htt://example.com", "http://h:8a/", "https://h:-1",
    ])
    func otherURLsAreRefused(_ url: String) {
        #expect(!Invocation.isAbsoluteHTTP(url))
    }
}
