/// Delivery: calling the functions subscribed to an envelope's topics.
enum Delivery {}
