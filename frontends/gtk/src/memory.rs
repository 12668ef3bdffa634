//! Memory given back to the system after a large load.
//!
//! Loading 100,000 contacts reads them on the core's threads (database rows, then
//! records) and indexes them on the main thread: the transient rows are freed, but glibc
//! keeps the freed pages, interleaved with the records that stay, in each thread's arena,
//! so the app would sit at several times its live size. `malloc_trim` returns every free
//! page of every arena. glibc only (Debian's libc); elsewhere this does nothing.
#![allow(unsafe_code)]

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod glibc {
    // SAFETY of the declaration: `int malloc_trim(size_t pad)` in glibc's <malloc.h>.
    unsafe extern "C" {
        pub(super) fn malloc_trim(pad: usize) -> std::ffi::c_int;
    }
}

/// Returns the free pages of the process's heap to the system.
pub(crate) fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes no pointer and is safe to call at any time from any thread
    // (it locks each arena while it trims it).
    unsafe {
        glibc::malloc_trim(0);
    }
}
