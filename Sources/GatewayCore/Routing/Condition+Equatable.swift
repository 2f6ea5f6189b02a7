/// Structural equality of parsed conditions (locations included), for tests and reload diffs.
extension Condition: Equatable {
    public static func == (lhs: Condition, rhs: Condition) -> Bool {
        switch (lhs, rhs) {
        case (.field(let left), .field(let right)): left == right
        case (.all(let left, let leftLocation), .all(let right, let rightLocation)): left == right && leftLocation == rightLocation
        case (.any(let left, let leftLocation), .any(let right, let rightLocation)): left == right && leftLocation == rightLocation
        case (.none(let left, let leftLocation), .none(let right, let rightLocation)): left == right && leftLocation == rightLocation
        default: false
        }
    }
}

extension FieldCondition: Equatable {
    public static func == (lhs: FieldCondition, rhs: FieldCondition) -> Bool {
        lhs.path == rhs.path && lhs.test == rhs.test && lhs.location == rhs.location
    }
}

extension FieldTest: Equatable {
    public static func == (lhs: FieldTest, rhs: FieldTest) -> Bool {
        switch (lhs, rhs) {
        case (.equals(let left), .equals(let right)): left == right
        case (.anyOf(let left), .anyOf(let right)): left == right
        case (.allOf(let left), .allOf(let right)): left == right
        case (.prefix(let left, let leftCase), .prefix(let right, let rightCase)): left == right && leftCase == rightCase
        case (.suffix(let left, let leftCase), .suffix(let right, let rightCase)): left == right && leftCase == rightCase
        case (.wildcard(let left), .wildcard(let right)): left == right
        case (.equalsIgnoreCase(let left), .equalsIgnoreCase(let right)): left == right
        case (.not(let left), .not(let right)): left == right
        case (.numeric(let left), .numeric(let right)): left == right
        case (.exists(let left), .exists(let right)): left == right
        case (.cidr(let left), .cidr(let right)): left == right
        default: false
        }
    }
}
