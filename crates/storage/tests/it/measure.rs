//! Measurements (printed, not asserted).
