extension Duration {
    /// The pause before a periodic job that reads every queued row runs again: `self`, or fifty times
    /// what it took last when that is longer, so that it takes at most a fiftieth of the time however
    /// long the queue grows.
    func spaced(after took: Duration) -> Duration {
        Swift.max(self, took * 50)
    }
}
