/// How much of NIO's HTTP/1 machinery the proxy uses.
enum ProxyMode: String {
    case raw, decoder, codecs
}
