//! The devnet's child processes: anvil, the sequencer and (with `--gateway`) the gateway, each
//! logging to a file in the devnet directory and stopped with SIGINT (anvil saves its state on
//! it) before a hard kill.

use std::{
    path::{Path, PathBuf},
    process::{ExitStatus, Stdio},
    time::Duration,
};

use eyre::{WrapErr, eyre};
use nix::{
    sys::signal::{Signal, kill},
    unistd::Pid,
};
use tracing::{info, warn};

use crate::{Args, accounts};

/// A running child process.
#[derive(Debug)]
pub(crate) struct Child {
    name: &'static str,
    log: PathBuf,
    process: tokio::process::Child,
}

impl Child {
    /// Starts `command`; `on_orphan` is the signal it gets if the devnet dies without stopping
    /// it (Linux's parent-death signal), so no devnet leaves anvil or a sequencer behind.
    fn spawn(
        name: &'static str,
        log: PathBuf,
        command: &mut tokio::process::Command,
        on_orphan: Signal,
    ) -> eyre::Result<Self> {
        // appended: a resumed devnet keeps the earlier runs' logs
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .wrap_err_with(|| format!("opening {}", log.display()))?;
        // SAFETY: the closure only makes one async-signal-safe system call (prctl).
        unsafe {
            command.pre_exec(move || {
                nix::sys::prctl::set_pdeathsig(on_orphan).map_err(std::io::Error::from)
            });
        }
        let process = command
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .kill_on_drop(true)
            .spawn()
            .wrap_err_with(|| format!("starting {name}"))?;
        info!(target: "devnet", name, pid = process.id(), log = %log.display(), "started");
        Ok(Self { name, log, process })
    }

    /// The process' name in messages.
    pub(crate) const fn name(&self) -> &'static str {
        self.name
    }

    /// Its log file.
    pub(crate) fn log(&self) -> &Path {
        &self.log
    }

    /// The exit status, if it exited.
    pub(crate) fn exited(&mut self) -> eyre::Result<Option<ExitStatus>> {
        Ok(self.process.try_wait()?)
    }

    /// SIGINT, then SIGKILL if it is still running after `grace`.
    pub(crate) async fn stop(&mut self, grace: Duration) {
        if let Ok(Some(status)) = self.process.try_wait() {
            info!(target: "devnet", name = self.name, %status, "had already exited");
            return;
        }
        if let Some(pid) = self.process.id().and_then(|p| i32::try_from(p).ok()) {
            let _ = kill(Pid::from_raw(pid), Signal::SIGINT);
        }
        match tokio::time::timeout(grace, self.process.wait()).await {
            Ok(_) => info!(target: "devnet", name = self.name, "stopped"),
            Err(_) => {
                warn!(target: "devnet", name = self.name, "did not stop in time; killing");
                let _ = self.process.kill().await;
            }
        }
    }
}

/// anvil as the L1: Prague (blobs without EIP-7594 cell proofs), loopback only, state saved in
/// the devnet directory (periodically and on SIGINT) and loaded on the next start.
pub(crate) fn start_anvil(args: &Args) -> eyre::Result<Child> {
    let bin = match &args.anvil {
        Some(path) => path.clone(),
        None => find_anvil()?,
    };
    let state = args.dir.join("anvil-state.json");
    let mut command = tokio::process::Command::new(bin);
    command
        .args(["--host", "127.0.0.1", "--hardfork", "prague"])
        .args(["--port", &args.l1_port.to_string()])
        .args(["--block-time", &args.l1_block_time.to_string()])
        .args(["--accounts", &accounts::ANVIL_ACCOUNTS.to_string()])
        .arg("--state")
        .arg(&state)
        .args(["--state-interval", "2", "--preserve-historical-states"]);
    // SIGINT: anvil saves its state on it
    Child::spawn(
        "anvil",
        args.dir.join("anvil.log"),
        &mut command,
        Signal::SIGINT,
    )
}

/// `explicit`, else the binary `name` next to this one (cargo builds them side by side).
fn binary(explicit: Option<&PathBuf>, name: &str, package: &str) -> eyre::Result<PathBuf> {
    let bin = match explicit {
        Some(path) => path.clone(),
        None => std::env::current_exe()?
            .parent()
            .ok_or_else(|| eyre!("no directory for the current executable"))?
            .join(name),
    };
    if !bin.exists() {
        return Err(eyre!(
            "{name} binary {} not found (build it: cargo build --release -p {package})",
            bin.display()
        ));
    }
    Ok(bin)
}

/// `RUST_LOG` for the children: the devnet's own, else `info`.
fn rust_log() -> String {
    std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into())
}

/// The sequencer in L1 mode, with the batcher's and the proposer's keys in its environment.
pub(crate) fn start_sequencer(args: &Args) -> eyre::Result<Child> {
    let bin = binary(args.sequencer.as_ref(), "sequencer", "tributary-sequencer")?;
    let mut command = tokio::process::Command::new(bin);
    command
        .arg("--deployment")
        .arg(args.dir.join("deployment.json"))
        .arg("--genesis")
        .arg(args.dir.join("genesis.json"))
        .arg("--datadir")
        .arg(args.dir.join("l2"))
        .args(["--l1.rpc", &args.l1_rpc()])
        .args(["--http.port", &args.l2_port.to_string()])
        .args(["--metrics.port", &args.metrics_port.to_string()])
        .args(&args.sequencer_args)
        .env(
            "TRIBUTARY_BATCHER_KEY",
            accounts::key_hex(accounts::BATCHER)?,
        )
        .env(
            "TRIBUTARY_PROPOSER_KEY",
            accounts::key_hex(accounts::PROPOSER)?,
        )
        .env("RUST_LOG", rust_log());
    Child::spawn(
        "sequencer",
        args.dir.join("sequencer.log"),
        &mut command,
        Signal::SIGTERM,
    )
}

/// The paid-inference gateway on the devnet's L2, its provider key in its environment and its
/// index, contents and evidence in DIR/gateway.
pub(crate) fn start_gateway(args: &Args) -> eyre::Result<Child> {
    let bin = binary(args.gateway_bin.as_ref(), "gateway", "tributary-gateway")?;
    let mut command = tokio::process::Command::new(bin);
    command
        .args(["--listen", &format!("127.0.0.1:{}", args.gateway_port)])
        .args(["--l2-rpc", &args.l2_rpc()])
        .arg("--data-dir")
        .arg(args.dir.join("gateway"))
        .env(
            "TRIBUTARY_GATEWAY_KEY",
            accounts::key_hex(accounts::GATEWAY)?,
        )
        .env("RUST_LOG", rust_log());
    Child::spawn(
        "gateway",
        args.dir.join("gateway.log"),
        &mut command,
        Signal::SIGTERM,
    )
}

/// `node_modules/.bin/anvil` in the current directory or above (npm ci installs it), else
/// `anvil` on the PATH.
fn find_anvil() -> eyre::Result<PathBuf> {
    let mut dir = std::env::current_dir()?;
    loop {
        let candidate = dir.join("node_modules/.bin/anvil");
        if candidate.exists() {
            return Ok(candidate);
        }
        if !dir.pop() {
            return Ok(PathBuf::from("anvil"));
        }
    }
}
