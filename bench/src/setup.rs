//! Setup shared by the benches: the mode they run in and their runtime.

/// Whether the bench runs as a benchmark (`cargo bench`, which passes `--bench`) rather
/// than once in test mode (`cargo test --all-targets`): test mode uses tiny sizes.
pub fn bench_mode() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// A multi-threaded tokio runtime (one worker per core) for the emulator and the clients.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
