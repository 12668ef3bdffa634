//! Memory given back to the system after a large load.
//!
//! glibc keeps the pages a burst freed, interleaved with what stays, in each thread's
//! arena: loading 100,000 contacts (transient database rows) would leave the desktop app at
//! several times its live size, and a flood of 2,000 SIP MESSAGEs left `wink-cli listen`
//! 5 MB above its start with all of it free. `malloc_trim` returns every free page of every
//! arena. glibc only (Debian's libc); elsewhere this does nothing.
#![allow(unsafe_code)]

use std::time::Duration;

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    // SAFETY of the declaration: `int malloc_trim(size_t pad)` in glibc's <malloc.h>.
    unsafe extern "C" {
        pub(super) fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
}

/// How often [`keep_giving_back_freed_memory`] trims (a trim of a 30 MB heap takes well
/// under a millisecond).
pub const TRIM_PERIOD: Duration = Duration::from_secs(10);

/// Returns the free pages of the process's heap to the system.
pub fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer and is safe to call at any time from any thread
    // (it locks each arena while it trims it).
    unsafe {
        glibc::malloc_trim(0);
    }
}

/// Trims every [`TRIM_PERIOD`] for as long as the tokio runtime runs, so that what a burst
/// of calls, messages or junk allocated goes back soon after it ends.
pub fn keep_giving_back_freed_memory() {
    tokio::spawn(async {
        let mut ticks = tokio::time::interval(TRIM_PERIOD);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            give_back_freed_memory();
        }
    });
}
