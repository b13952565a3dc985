//! Real processes for tests: where the binaries are, free ports, a test directory, and [`Proc`],
//! a child process logging to a file that is stopped (never leaked) when it goes out of scope.

use std::{
    fs::File,
    io::{Read, Seek, SeekFrom, Write},
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, ExitStatus, Stdio},
    time::{Duration, Instant},
};

use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};

/// How long a process may take to exit after SIGINT before a test fails.
pub const STOP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a dropped process may take to exit after SIGINT before it is killed.
const DROP_GRACE: Duration = Duration::from_secs(40);

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The anvil binary installed by `npm ci`.
pub fn anvil_bin() -> PathBuf {
    let anvil = repo_root().join("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil");
    assert!(anvil.exists(), "{} missing: run npm ci", anvil.display());
    anvil
}

/// A workspace binary next to this test executable (target/<profile>/NAME).
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    // target/<profile>/deps/it-<hash> → target/<profile>/NAME
    let bin = exe.parent().unwrap().parent().unwrap().join(name);
    assert!(
        bin.exists(),
        "{} missing: build the workspace first (cargo build --workspace)",
        bin.display()
    );
    bin
}

/// A free loopback TCP port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A devnet's three loopback ports: L1 (anvil) JSON-RPC, L2 JSON-RPC, and the sequencer's
/// /health and /metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// L1 (anvil) JSON-RPC.
    pub l1: u16,
    /// L2 JSON-RPC.
    pub l2: u16,
    /// /health and /metrics.
    pub metrics: u16,
}

impl Ports {
    /// Three distinct free loopback ports (bound at once, then released).
    pub fn free() -> Self {
        let listeners: Vec<TcpListener> = (0..3)
            .map(|_| TcpListener::bind("127.0.0.1:0").unwrap())
            .collect();
        let port = |i: usize| listeners[i].local_addr().unwrap().port();
        Self {
            l1: port(0),
            l2: port(1),
            metrics: port(2),
        }
    }

    /// Whether nothing listens on any of them any more.
    pub fn all_free(&self) -> bool {
        [self.l1, self.l2, self.metrics]
            .iter()
            .all(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
    }

    /// The L1 JSON-RPC URL.
    pub fn l1_rpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.l1)
    }

    /// The L2 JSON-RPC URL.
    pub fn l2_rpc(&self) -> String {
        format!("http://127.0.0.1:{}", self.l2)
    }

    /// The sequencer's /health URL.
    pub fn health(&self) -> String {
        format!("http://127.0.0.1:{}/health", self.metrics)
    }
}

/// A fresh temporary directory for one test (`tributary-NAME-…`), removed when dropped unless
/// `TRIBUTARY_KEEP_TEST_DIRS` is set: then kept, with the processes' logs, and its path printed.
pub fn test_dir(name: &str) -> tempfile::TempDir {
    let keep = std::env::var_os("TRIBUTARY_KEEP_TEST_DIRS").is_some();
    let dir = tempfile::Builder::new()
        .prefix(&format!("tributary-{name}-"))
        .disable_cleanup(keep)
        .tempdir()
        .unwrap();
    if keep {
        eprintln!("{name}: keeping {}", dir.path().display());
    }
    dir
}

/// Makes the process `command` starts receive SIGINT when the test process dies, so that no
/// devnet, node or prover outlives a killed test run.
pub fn die_with_parent(command: &mut Command) {
    // SAFETY: one async-signal-safe system call between fork and exec.
    unsafe {
        command.pre_exec(|| {
            nix::sys::prctl::set_pdeathsig(Signal::SIGINT).map_err(std::io::Error::from)
        });
    }
}

/// The text without terminal escape sequences (`ESC [ … letter`: colours).
pub fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The number of a `NAME=123` field in a log line (a whole field name: `pid` does not match
/// `ppid=`).
pub fn log_field(line: &str, name: &str) -> Option<u64> {
    let key = format!("{name}=");
    let mut from = 0;
    while let Some(at) = line[from..].find(&key) {
        let start = from + at;
        from = start + key.len();
        let whole = line[..start]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_'));
        if whole {
            let digits: String = line[from..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            return digits.parse().ok();
        }
    }
    None
}

/// The last `n` lines of `text` under a `--- title (last n lines) ---` header.
pub fn tail(title: &str, text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    format!(
        "--- {title} (last {n} lines) ---\n{}\n",
        lines[lines.len().saturating_sub(n)..].join("\n")
    )
}

/// The last `n` lines of a file, without colour codes (empty if it does not exist).
pub fn tail_file(path: &Path, n: usize) -> String {
    let text = strip_ansi(&std::fs::read_to_string(path).unwrap_or_default());
    tail(&path.display().to_string(), &text, n)
}

/// A child process with its stdout and stderr appended to a log file, receiving SIGINT if the
/// test process dies ([`die_with_parent`]). Dropping it stops it (SIGINT, then SIGKILL after
/// 40 s) and kills by pid the children it reported in this run's log (`started … pid=N`, as
/// the devnet logs its anvil and sequencer), so that nothing outlives a test.
#[derive(Debug)]
pub struct Proc {
    name: String,
    log: PathBuf,
    /// Where this run's part of the log begins (its header line).
    from: u64,
    child: Option<Child>,
    exited: Option<ExitStatus>,
}

impl Proc {
    /// Spawns `command` (stdin closed, `NO_COLOR=1`), appending its stdout and stderr to `log`
    /// after a `===== test: starting NAME =====` line.
    pub fn spawn(name: &str, log: &Path, command: &mut Command) -> Self {
        let mut file = File::options().create(true).append(true).open(log).unwrap();
        let from = file.metadata().unwrap().len();
        writeln!(file, "===== test: starting {name} =====").unwrap();
        die_with_parent(command);
        let child = command
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        Self {
            name: name.to_string(),
            log: log.to_path_buf(),
            from,
            child: Some(child),
            exited: None,
        }
    }

    /// The log file (all runs appended).
    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// The whole log file so far (every run logged to it), without colour codes.
    pub fn log(&self) -> String {
        strip_ansi(&std::fs::read_to_string(&self.log).unwrap_or_default())
    }

    /// This run's output so far (from its header line on), without colour codes.
    pub fn output(&self) -> String {
        let mut text = Vec::new();
        if let Ok(mut file) = File::open(&self.log)
            && file.seek(SeekFrom::Start(self.from)).is_ok()
        {
            let _ = file.read_to_end(&mut text);
        }
        strip_ansi(&String::from_utf8_lossy(&text))
    }

    /// The last `n` lines of the log, for failure messages.
    pub fn tail(&self, n: usize) -> String {
        tail(
            &format!("{} ({})", self.name, self.log.display()),
            &self.log(),
            n,
        )
    }

    /// The exit status, once the process has exited (reaped: no signal goes to its pid after).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if let Some(child) = &mut self.child
            && let Some(status) = child.try_wait().unwrap()
        {
            self.child = None;
            self.exited = Some(status);
        }
        self.exited
    }

    /// Panics (with the log's tail) if the process has exited.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.exited() {
            panic!("{} exited ({status})\n{}", self.name, self.tail(60));
        }
    }

    /// Waits up to `timeout` for the process to exit by itself; `None` if it still runs.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.exited() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGINT (as Ctrl-C), then waits for the exit (panics after [`STOP_TIMEOUT`]); returns the
    /// status and how long the exit took.
    pub fn interrupt(&mut self) -> (ExitStatus, Duration) {
        let child = self
            .child
            .as_ref()
            .unwrap_or_else(|| panic!("{} is not running", self.name));
        let sent = Instant::now();
        kill(Pid::from_raw(child.id() as i32), Signal::SIGINT).unwrap();
        match self.wait_exit(STOP_TIMEOUT) {
            Some(status) => (status, sent.elapsed()),
            None => panic!(
                "{} did not exit within {STOP_TIMEOUT:?} of SIGINT\n{}",
                self.name,
                self.tail(60)
            ),
        }
    }

    /// kill -9, and waits for the exit.
    pub fn kill9(&mut self) {
        let mut child = self
            .child
            .take()
            .unwrap_or_else(|| panic!("{} is not running", self.name));
        child.kill().unwrap();
        self.exited = Some(child.wait().unwrap());
    }

    /// Polls `ready` every 100 ms until it holds; panics with `what` and `context` if the
    /// process exits first or after `timeout`. Returns how long it took.
    pub fn wait_until(
        &mut self,
        what: &str,
        timeout: Duration,
        mut ready: impl FnMut(&Self) -> bool,
        context: impl Fn(&Self) -> String,
    ) -> Duration {
        let started = Instant::now();
        loop {
            if ready(self) {
                return started.elapsed();
            }
            if let Some(status) = self.exited() {
                panic!(
                    "{} exited ({status}) before {what}\n{}",
                    self.name,
                    context(self)
                );
            }
            if started.elapsed() > timeout {
                panic!("{what}: not within {timeout:?}\n{}", context(self));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until `url` (a /health endpoint) answers 200; panics if the process exits first or
    /// after `timeout`. Returns how long it took.
    pub fn wait_healthy(&mut self, url: &str, timeout: Duration) -> Duration {
        self.wait_until(
            &format!("{url} healthy"),
            timeout,
            |_| crate::http_ok(url),
            |p| p.tail(60),
        )
    }

    /// Pids of the children this run reported in its log (`started name=.. pid=..`).
    fn reported_pids(&self) -> Vec<i32> {
        self.output()
            .lines()
            .filter(|l| l.contains(" started "))
            .filter_map(|l| log_field(l, "pid")?.try_into().ok())
            .collect()
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let Some(child) = &self.child else {
            return;
        };
        let _ = kill(Pid::from_raw(child.id() as i32), Signal::SIGINT);
        if self.wait_exit(DROP_GRACE).is_some() {
            return;
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        // it did not stop its children either: stop them by the pids it logged
        for pid in self.reported_pids() {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_fields() {
        let line = "x INFO devnet: started name=\"anvil\" pid=4242 ppid=1 log=/t/anvil.log";
        assert_eq!(log_field(line, "pid"), Some(4242));
        assert_eq!(log_field("a ppid=7", "pid"), None);
        assert_eq!(
            log_field("sealed block number=12 hash=0x84", "number"),
            Some(12)
        );
        assert_eq!(log_field("number=", "number"), None);
    }

    #[test]
    fn ansi_is_stripped() {
        assert_eq!(
            strip_ansi("\u{1b}[2mts\u{1b}[0m \u{1b}[32m INFO\u{1b}[0m a=1"),
            "ts  INFO a=1"
        );
    }
}
