//! Node processes: spawn anvil or `sequencer --dev` on a free loopback port with its output in a
//! temporary directory, wait until `eth_chainId` answers, read its peak RSS, stop it.
//!
//! No orphans: every child is killed (SIGKILL) when its [`Node`] is dropped (error paths, Ctrl-C),
//! and gets `PR_SET_PDEATHSIG = SIGKILL`, so it also dies if the bench itself is killed.

use std::{
    fs::File,
    net::TcpListener,
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

use clap::ValueEnum;
use eyre::{Result, WrapErr, bail, eyre};
use serde::Serialize;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::process::{Child, Command};

use crate::{cli::Args, rpc::Rpc, rpc::quantity};

/// How long a node may take to answer `eth_chainId` after its start.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a node may take to exit after SIGTERM before it gets SIGKILL.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// The node under test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum NodeKind {
    /// anvil (foundry), interval mining.
    Anvil,
    /// Tributary's `sequencer --dev`.
    Sequencer,
}

impl NodeKind {
    /// The name used in the report.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Anvil => "anvil",
            Self::Sequencer => "sequencer",
        }
    }

    /// The program and arguments that start this node on `port` (with `datadir` for the sequencer).
    pub(crate) fn command_line(
        self,
        args: &Args,
        port: u16,
        datadir: &Path,
    ) -> (PathBuf, Vec<String>) {
        let port = port.to_string();
        match self {
            Self::Anvil => {
                let mut argv: Vec<String> = vec![
                    "--host".into(),
                    "127.0.0.1".into(),
                    "--port".into(),
                    port,
                    "--block-time".into(),
                    args.anvil_block_time.clone(),
                    "--gas-limit".into(),
                    args.anvil_gas_limit.to_string(),
                    "--hardfork".into(),
                    "prague".into(),
                ];
                argv.extend(args.anvil_args.iter().cloned());
                (args.anvil.clone(), argv)
            }
            Self::Sequencer => {
                let mut argv: Vec<String> = vec![
                    "--dev".into(),
                    "--datadir".into(),
                    datadir.display().to_string(),
                    "--http.addr".into(),
                    "127.0.0.1".into(),
                    "--http.port".into(),
                    port,
                ];
                argv.extend(args.sequencer_args.iter().cloned());
                (args.sequencer.clone(), argv)
            }
        }
    }
}

/// A running node.
#[derive(Debug)]
pub(crate) struct Node {
    kind: NodeKind,
    /// Declared before `dir`: the process is killed before its directory is removed.
    child: Child,
    pid: u32,
    rpc: Rpc,
    chain_id: u64,
    log: PathBuf,
    /// Holds the datadir and the log; removed on drop.
    _dir: TempDir,
}

impl Node {
    /// Starts a fresh `kind` node (fresh temporary datadir) and waits until it answers.
    ///
    /// Must be called from the thread that outlives the node (the main thread): the parent-death
    /// signal fires when the spawning thread exits.
    pub(crate) async fn start(kind: NodeKind, args: &Args) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("tributary-bench-{}-", kind.name()))
            .tempdir()
            .wrap_err("creating a temporary directory")?;
        let datadir = dir.path().join("data");
        let log = dir.path().join("node.log");
        let port = free_port()?;
        let (program, argv) = kind.command_line(args, port, &datadir);
        let out = File::create(&log).wrap_err("creating the node log")?;
        let err = out.try_clone().wrap_err("cloning the log handle")?;
        let mut command = Command::new(&program);
        command
            .args(&argv)
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .kill_on_drop(true);
        // SAFETY: the closure only calls prctl(2), which is async-signal-safe, between fork and exec.
        unsafe {
            command.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .wrap_err_with(|| format!("starting {}", program.display()))?;
        let pid = child
            .id()
            .ok_or_else(|| eyre!("{} exited at once", kind.name()))?;
        let rpc = Rpc::new(format!("http://127.0.0.1:{port}"))?;
        let mut node = Self {
            kind,
            child,
            pid,
            rpc,
            chain_id: 0,
            log,
            _dir: dir,
        };
        node.chain_id = node.wait_ready().await?;
        Ok(node)
    }

    /// Polls `eth_chainId` until it answers; fails if the process exits or takes too long.
    async fn wait_ready(&mut self) -> Result<u64> {
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "{} exited during start-up ({status}); log tail:\n{}",
                    self.kind.name(),
                    self.log_tail(30)
                );
            }
            if let Ok(id) = self.rpc.call::<Value>("eth_chainId", json!([])).await {
                return quantity(&id);
            }
            if Instant::now() > deadline {
                bail!(
                    "{} did not answer eth_chainId within {START_TIMEOUT:?}; log tail:\n{}",
                    self.kind.name(),
                    self.log_tail(30)
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Which node this is.
    pub(crate) fn kind(&self) -> NodeKind {
        self.kind
    }

    /// Its process id.
    pub(crate) fn pid(&self) -> u32 {
        self.pid
    }

    /// Its JSON-RPC endpoint.
    pub(crate) fn rpc(&self) -> &Rpc {
        &self.rpc
    }

    /// The chain id it answered with.
    pub(crate) fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// Peak resident set size so far (`VmHWM` of `/proc/<pid>/status`), KiB.
    pub(crate) fn peak_rss_kib(&self) -> Result<u64> {
        let path = format!("/proc/{}/status", self.pid);
        let status = std::fs::read_to_string(&path).wrap_err_with(|| format!("reading {path}"))?;
        parse_vm_hwm(&status).ok_or_else(|| eyre!("no VmHWM in {path}"))
    }

    /// The last `lines` lines of the node's output.
    pub(crate) fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..].join("\n")
    }

    /// Stops the node: SIGTERM, then SIGKILL if it has not exited after [`STOP_TIMEOUT`].
    /// The temporary directory is removed.
    pub(crate) async fn stop(mut self) -> Result<()> {
        if self.child.try_wait()?.is_none() {
            let pid = libc::pid_t::try_from(self.pid).wrap_err("pid out of range")?;
            // SAFETY: kill(2) on our own child's pid, which is not reaped yet (try_wait above).
            unsafe { libc::kill(pid, libc::SIGTERM) };
            if tokio::time::timeout(STOP_TIMEOUT, self.child.wait())
                .await
                .is_err()
            {
                self.child.kill().await.wrap_err("killing the node")?;
            }
        }
        Ok(())
    }
}

/// A port that was free on 127.0.0.1 a moment ago.
fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").wrap_err("binding a loopback port")?;
    Ok(listener.local_addr()?.port())
}

/// `VmHWM:   123456 kB` → 123456.
fn parse_vm_hwm(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vm_hwm() {
        let status = "Name:\tanvil\nVmPeak:\t  900 kB\nVmHWM:\t  123456 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(parse_vm_hwm(status), Some(123_456));
        assert_eq!(parse_vm_hwm("Name: x\n"), None);
    }

    #[test]
    fn own_peak_rss_is_readable() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        assert!(parse_vm_hwm(&status).unwrap() > 0);
    }
}
