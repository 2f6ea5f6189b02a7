/// The dialects the gateway knows, in detection order (first match wins).
///
/// Header and path rules come first (CloudEvents content modes, OpenWhisk fires), then body shapes,
/// most specific first: `trigger_type` before the Kafka shape's `messages`, FunctionGraph shapes before
/// Yandex's generic `messages`. Adding a dialect means adding its file and one line here.
public enum Dialects {
    public static let all: [any Dialect] = [
        CloudEventBatch(),
        StructuredCloudEvent(),
        BinaryCloudEvent(),
        OpenWhiskFire(),
        EventGridBatch(),
        FunctionGraphTimer(),
        Kafka(),
        RocketMQ(),
        RabbitMQ(),
        SMN(),
        OBS(),
        DDS(),
        DIS(),
        DMS(),
        LTS(),
        CTS(),
        AsyncNotification(),
        APIG(),
        ExtremumCall(),
        YandexStorage(),
        YandexMessageQueue(),
        YandexTimer(),
        YandexIoT(),
        YandexLogging(),
        YandexCloudLogs(),
        YandexContainerRegistry(),
        YandexBudget(),
        YandexMail(),
        YandexEvent(),
        YandexDataStreams(),
    ]
}
