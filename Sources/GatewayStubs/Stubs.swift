/// Stub functions and gateways for tests: real HTTP servers on loopback, port 0.
enum Stubs {}
