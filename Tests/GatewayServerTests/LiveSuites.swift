import Testing

/// The suites that drive a live gateway through hundreds of cases (end to end, extremum, OpenFaaS, bad
/// input), nested here so that they run one test at a time, all of them together: hundreds of servers
/// at once would starve the timing-sensitive suites running beside them on a 2-core machine.
@Suite(.serialized)
enum LiveSuites {}
