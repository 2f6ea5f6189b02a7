/// Yandex Cloud Billing budget trigger: `{"messages": [{"billing_account_id", "budget_id", "amount", "threshold_amount", ...}]}`.
///
/// No `event_metadata`, no id and no time: a message says that spending crossed a threshold. One
/// envelope per message: id `budget/period/threshold` (the same crossing in the same period is the same
/// event, so redeliveries dedupe), source the budget, time the receipt time, data the message.
public struct YandexBudget: Dialect {
    public init() {}

    public let name = "yandex.budget"
    public let summary = "Yandex Cloud Billing budget trigger: messages[] of budget threshold notifications"
    public let signature: String? = "messages[] whose first element has billing_account_id and budget_id"
    public let detectionAnchor: String? = "messages"

    static let eventType = "yandex.cloud.events.billing.BudgetThreshold"

    struct Event: Codable {
        var messages: [Verbatim<Message>]
    }

    struct Message: Codable {
        var billing_account_id: String
        var budget_id: String
        var budget_display_name: String?
        var amount: Amount
        var currency: String?
        /// `2021`, `2021-09`...: the budget period the threshold belongs to.
        var period: String?
        var budgeted_amount: Amount?
        var threshold_amount: Amount
        /// `amount` or `percent`.
        var threshold_type: String?
    }

    /// A decimal money amount kept as its JSON number text: a Double would turn 90000.10 into 90000.1 or worse.
    struct Amount: Codable {
        var number: JSONNumber

        init(from decoder: any Decoder) throws {
            try self.init(try JSONValue(from: decoder), path: (decoder as? DocumentDecoder)?.path ?? JSONPath.root)
        }

        init(document: JSONDocument, node: Int) throws(NormalizationError) {
            try self.init(JSONValue(document, node), path: document.path(of: node))
        }

        private init(_ value: JSONValue, path: @autoclosure () -> String) throws(NormalizationError) {
            guard case .number(let number) = value else {
                throw NormalizationError.typeMismatch(path: path(), expected: "a number", found: value.shortDescription)
            }
            self.number = number
        }

        func encode(to encoder: any Encoder) throws {
            try JSONValue.number(number).encode(to: encoder)
        }
    }

    public func matchesBody(_ probe: DetectionProbe) -> Bool {
        YandexMessages.firstMessageHas(probe, "billing_account_id", "budget_id")
    }

    public func batchElements(_ input: DialectInput) -> BatchElements? {
        input.batch(ofArrayAt: "messages")
    }

    public func normalize(_ input: DialectInput) throws(NormalizationError) -> [Envelope] {
        let event = try input.decode(Event.self)
        return event.messages.enumerated().map { index, message in
            let budget = message.value
            return Envelope(
                id: "\(budget.budget_id)/\(budget.period ?? "")/\(budget.threshold_amount.number.text)",
                source: URIReference.path("yandex", "billing", budget.billing_account_id, "budgets", budget.budget_id),
                type: Self.eventType,
                time: input.event.receivedAt,
                datacontenttype: MediaType.json,
                data: .json(message.raw),
                extensions: input.provenance(batchIndex: index)
            )
        }
    }
}

// Read straight from the parsed body (see DocumentDecodable), member by member in declaration order.

extension YandexBudget.Amount: DocumentDecodable {}

extension YandexBudget.Event: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(messages: members.decode("messages"))
    }
}

extension YandexBudget.Message: DocumentObjectDecodable {
    init(members: JSONObjectReader) throws(NormalizationError) {
        try self.init(
            billing_account_id: members.decode("billing_account_id"),
            budget_id: members.decode("budget_id"),
            budget_display_name: members.decodeIfPresent("budget_display_name"),
            amount: members.decode("amount"),
            currency: members.decodeIfPresent("currency"),
            period: members.decodeIfPresent("period"),
            budgeted_amount: members.decodeIfPresent("budgeted_amount"),
            threshold_amount: members.decode("threshold_amount"),
            threshold_type: members.decodeIfPresent("threshold_type")
        )
    }
}
