//! [`Run`]: what one run of a command-line binary (the `tributary` CLI) printed, with the
//! assertions tests make on it.

use std::process::Output;

use serde_json::Value;

/// What one run of a binary produced.
#[derive(Debug, Clone)]
pub struct Run {
    /// What ran, for failure messages (`tributary ["deposit", …]`).
    pub what: String,
    /// Exit code (-1 if a signal ended it).
    pub code: i32,
    /// Its stdout.
    pub stdout: String,
    /// Its stderr.
    pub stderr: String,
}

impl Run {
    /// The run of `what` that produced `output`.
    pub fn new(what: impl Into<String>, output: Output) -> Self {
        Self {
            what: what.into(),
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Asserts the exit code (printing both outputs otherwise).
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "{}: exit code; stdout:\n{}\nstderr:\n{}",
            self.what, self.stdout, self.stderr
        );
        self
    }

    /// Asserts success and parses stdout as JSON (the command ran with `--json`).
    pub fn json(&self) -> Value {
        self.expect_code(0);
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("{}: stdout is not JSON ({e}):\n{}", self.what, self.stdout))
    }

    /// Asserts failure with exit code `code` and that stderr mentions `needle`.
    pub fn fails_with(&self, code: i32, needle: &str) {
        self.expect_code(code);
        assert!(
            self.stderr.contains(needle),
            "{}: stderr lacks {needle:?}:\n{}",
            self.what,
            self.stderr
        );
    }
}
