import Foundation

// Benchmarks, release-built (not part of `swift test`):
//
//   swift run -c release GatewayBench [normalize] [--rounds N] [--milliseconds M] [--dialect NAME]
//       normalization per dialect and on the fixture mix, against JSONSerialization.jsonObject of the
//       same bodies in the same run;
//   swift run -c release GatewayBench match [--rounds N] [--milliseconds M]
//       route matching of the fixture envelopes with 10, 1,000 and 10,000 generated routes;
//   swift run -c release GatewayBench encode [--rounds N] [--milliseconds M]
//       envelopes written as CloudEvents JSON, against JSONSerialization.data of the same events;
//   swift run -c release GatewayBench invocation [--rounds N] [--milliseconds M]
//       invocations written in and read from a durable store's form, against JSONSerialization.jsonObject;
//   swift run -c release GatewayBench store [--rounds N]
//       the durable store on a fresh SQLite file: invocations enqueued by 32 tasks, then claimed and
//       acknowledged 16 at a time; events/s and CPU us an event for each stage.
//
// Each figure is the median of N rounds of M milliseconds.

var arguments = CommandLine.arguments
let command = arguments.count > 1 && !arguments[1].hasPrefix("--") ? arguments.remove(at: 1) : "normalize"
let options = Options(arguments)
switch command {
case "normalize": try normalizeBenchmark(options)
case "match": try matchBenchmark(options)
case "encode": try encodeBenchmark(options)
case "invocation": try invocationBenchmark(options)
case "store": try await storeBenchmark(options)
default:
    FileHandle.standardError.write(Data("unknown benchmark \(command); use normalize, match, encode, invocation or store\n".utf8))
    exit(2)
}
