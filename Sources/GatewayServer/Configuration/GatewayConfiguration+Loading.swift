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
        guard case .mapping = root else {
            throw ConfigurationErrors([ConfigurationError(Self.location(file, root), "expected a mapping of sections (\(ConfigurationSetting.sections.joined(separator: ", ")))")])
        }
        read(root, at: "", file: file, errors: &errors)
        errors += checkOpenFaaS(file)
        guard errors.isEmpty else { throw ConfigurationErrors(errors) }
    }

    /// Applies the settings of the mapping `node` at the section `path` (`""` for the root,
    /// `delivery.store`), descending into nested sections.
    private mutating func read(_ node: Node, at path: String, file: String, errors: inout [ConfigurationError]) {
        guard case .mapping(let values) = node else {
            errors.append(ConfigurationError(Self.location(file, node), "\(path): expected a mapping of settings"))
            return
        }
        for (key, value) in values {
            let name = key.string ?? ""
            let full = path.isEmpty ? name : "\(path).\(name)"
            if let setting = ConfigurationSetting.all.first(where: { $0.path == full }) {
                guard case .scalar(let scalar) = value, setting.apply(&self, scalar.string) else {
                    errors.append(ConfigurationError(Self.location(file, value), "\(setting.path): expected \(setting.expected)"))
                    continue
                }
            } else if ConfigurationSetting.all.contains(where: { $0.path.hasPrefix(full + ".") }) {
                read(value, at: full, file: file, errors: &errors)
            } else if path.isEmpty {
                let sections = ConfigurationSetting.sections.joined(separator: ", ")
                errors.append(ConfigurationError(Self.location(file, key), "unknown section \"\(name)\"; expected one of \(sections)"))
            } else {
                let known = ConfigurationSetting.children(of: path).joined(separator: ", ")
                errors.append(ConfigurationError(Self.location(file, key), "unknown setting \(full); expected one of \(known)"))
            }
        }
    }

    /// Reads a configuration file from disk.
    public init(contentsOfFile path: String) throws(ConfigurationErrors) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ConfigurationErrors([ConfigurationError(path, "cannot read the configuration file")])
        }
        try self.init(yaml: text, file: path)
    }

    /// Applies `EVENT_GATEWAY_*` variables over the current values, then checks what depends on
    /// several settings (a postgres store needs its server).
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
        errors += checkOpenFaaS("environment") + checkStore()
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

    /// The store needs its server once the environment (the last source but flags) is applied: a file
    /// may say postgres and leave the URL, a secret, to the environment.
    private func checkStore() -> [ConfigurationError] {
        do {
            _ = try store.storeConfiguration()
            return []
        } catch {
            return [error]
        }
    }

    private static func location(_ file: String, _ node: Node) -> String {
        guard let mark = node.mark else { return file }
        return "\(file):\(mark.line):\(mark.column)"
    }
}
