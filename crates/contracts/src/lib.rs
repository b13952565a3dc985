//! Bindings for Tributary contracts (in progress).
