//! Cooperative cancellation: long work checks a flag between batches, passes and groups, and
//! stops with [`Error::Cancelled`] once it is set.
//!
//! ```
//! use std::sync::{atomic::{AtomicBool, Ordering}, Arc};
//! use takedowns::{cancel, Cases, Error, SurvivalSpec};
//!
//! let cases = Cases::sample()?;
//! let flag = Arc::new(AtomicBool::new(true)); // set by another thread, e.g. on Ctrl-C
//! let out = cancel::with_flag(flag.clone(), || cases.time_to_action(&[], &SurvivalSpec::default()));
//! assert!(matches!(out, Err(Error::Cancelled)));
//! flag.store(false, Ordering::Relaxed);
//! assert!(cancel::with_flag(flag, || cases.time_to_action(&[], &SurvivalSpec::default())).is_ok());
//! # Ok::<(), takedowns::Error>(())
//! ```
//!
//! The flag of the running call is thread-local; work handed to other threads (a scan's batches)
//! takes it along with [`current`]. The Python binding sets it when Ctrl-C interrupts a call, so
//! the worker stops within a batch and frees its memory.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// A cancel flag: cancelled once set.
pub type Flag = Arc<AtomicBool>;

thread_local! {
    static CURRENT: RefCell<Option<Flag>> = const { RefCell::new(None) };
}

/// Runs `f` with `flag` as this thread's cancel flag (the previous one is restored after).
pub fn with_flag<T>(flag: Flag, f: impl FnOnce() -> T) -> T {
    struct Restore(Option<Flag>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let prev = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = prev);
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.borrow_mut().replace(flag)));
    f()
}

/// This thread's cancel flag, to hand to work on other threads.
pub fn current() -> Option<Flag> {
    CURRENT.with(|c| c.borrow().clone())
}

/// `Err(Cancelled)` when this thread's flag is set.
pub fn check() -> Result<()> {
    CURRENT.with(|c| check_flag(c.borrow().as_ref()))
}

/// `Err(Cancelled)` when `flag` is set.
pub fn check_flag(flag: Option<&Flag>) -> Result<()> {
    match flag {
        Some(f) if f.load(Ordering::Relaxed) => Err(Error::Cancelled),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_is_scoped_and_restored() {
        assert!(check().is_ok());
        let outer: Flag = Arc::new(AtomicBool::new(false));
        let inner: Flag = Arc::new(AtomicBool::new(true));
        with_flag(outer.clone(), || {
            assert!(check().is_ok());
            with_flag(inner, || assert!(matches!(check(), Err(Error::Cancelled))));
            assert!(check().is_ok());
            outer.store(true, Ordering::Relaxed);
            assert!(matches!(check(), Err(Error::Cancelled)));
        });
        assert!(check().is_ok());
        assert!(current().is_none());
    }
}
