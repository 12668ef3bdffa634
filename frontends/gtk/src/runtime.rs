//! The one tokio runtime the core runs on, and the bridge from the GLib main loop to it.
//!
//! Widgets never block: a slow step (the network, the store, the keyring) is spawned on the
//! runtime with [`on_core`] and awaited from a GLib future (`glib::spawn_future_local`),
//! the way Fractal does it. tokio's channels are executor-agnostic, so the phone's event
//! stream is read directly on the main loop.

use std::future::Future;
use std::sync::OnceLock;

use tokio::runtime::Runtime;

/// The core's runtime: two worker threads (this is a phone, not a server).
pub(crate) fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wink-core")
            .enable_all()
            .build()
            .unwrap_or_else(|error| panic!("the core runtime cannot start: {error}"))
    })
}

/// Runs `future` on the core runtime; the returned future can be awaited on the GLib main
/// loop without blocking it. A panic in the core is carried over to the caller.
pub(crate) async fn on_core<F>(future: F) -> F::Output
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match runtime().spawn(future).await {
        Ok(output) => output,
        Err(error) => std::panic::resume_unwind(error.into_panic()),
    }
}
