//! Statistics used by the metrics: binomial confidence intervals and the special functions they
//! need. Implemented here (not taken from a statistics crate) so every formula is in view and
//! tested against closed forms and independent computations.

pub mod interval;
pub mod special;

pub use interval::{binomial_interval, IntervalMethod};
