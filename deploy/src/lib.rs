//! Tributary L1 deployer (in progress).
