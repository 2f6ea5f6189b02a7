import Foundation
import Yams

extension GatewayConfiguration {
    /// Reads a configuration file (YAML); every key not written keeps its default.
    ///
    /// - Parameters:
    ///   - yaml: The file's text.
    ///   - file: The file's name, for error locations.
    /// - Throws: ``ConfigurationErrors`` with every problem, each at `file:line:column`.
    public init(yaml: String, file: String) throws(ConfigurationErrors) {
        self.init()
        var errors: [ConfigurationError] = []
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationErrors([ConfigurationError(file, "not valid YAML: \(error)")])
        }
        guard let root else { return }
        guard case .mapping(let sections) = root else {
            throw ConfigurationErrors([ConfigurationError(Self.location(file, root), "expected a mapping of sections (\(ConfigurationSetting.sections.joined(separator: ", ")))")])
        }
        for (sectionKey, section) in sections {
            let sectionName = sectionKey.string ?? ""
            guard ConfigurationSetting.sections.contains(sectionName) else {
                errors.append(ConfigurationError(Self.location(file, sectionKey), "unknown section \"\(sectionName)\"; expected one of \(ConfigurationSetting.sections.joined(separator: ", "))"))
                continue
            }
            guard case .mapping(let values) = section else {
                errors.append(ConfigurationError(Self.location(file, section), "\(sectionName): expected a mapping of settings"))
                continue
            }
            for (key, value) in values {
                let name = key.string ?? ""
                guard let setting = ConfigurationSetting.all.first(where: { $0.section == sectionName && $0.key == name }) else {
                    let known = ConfigurationSetting.all.filter { $0.section == sectionName }.map(\.key)
                    errors.append(ConfigurationError(Self.location(file, key), "unknown setting \(sectionName).\(name); expected one of \(known.joined(separator: ", "))"))
                    continue
                }
                guard case .scalar(let scalar) = value, setting.apply(&self, scalar.string) else {
                    errors.append(ConfigurationError(Self.location(file, value), "\(setting.path): expected \(setting.expected)"))
                    continue
                }
            }
        }
        errors += checkOpenFaaS(file)
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
    }

    /// Reads a configuration file from disk.
    public init(contentsOfFile path: String) throws(ConfigurationErrors) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationErrors([ConfigurationError(path, "cannot read the configuration file")])
        }
        try self.init(yaml: text, file: path)
    }

    /// Applies `EVENT_GATEWAY_*` variables over the current values.
    ///
    /// - Throws: ``ConfigurationErrors`` naming each variable whose value is not acceptable.
    public mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigurationErrors) {
        var errors: [ConfigurationError] = []
        for setting in ConfigurationSetting.all {
            guard let text = environment[setting.environment] else { continue }
            if !setting.apply(&self, text) {
                errors.append(ConfigurationError("environment \(setting.environment)", "expected \(setting.expected), found \"\(text)\""))
            }
        }
        errors += checkOpenFaaS("environment")
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
    }

    /// The environment variable of each setting, for documentation and `--help`.
    public static var environmentVariables: [(variable: String, setting: String)] {
        ConfigurationSetting.all.map { ($0.environment, $0.path) }
    }

    private func checkOpenFaaS(_ location: String) -> [ConfigurationError] {
        guard let openfaas, openfaas.gateway.isEmpty else { return [] }
        return [ConfigurationError(location, "openfaas settings are given but openfaas.gateway is not; set the gateway URL or remove them")]
    }

    private static func location(_ file: String, _ node: Node) -> String {
        guard let mark = node.mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }
}
