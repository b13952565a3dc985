//! Running the prover binary against a devnet.

use std::{
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use alloy::providers::Provider;
use serde_json::Value;
use tributary_testkit::{Devnet, die_with_parent, workspace_bin};

/// The flags every command needs: the devnet's L1, deployment, a datadir, no confirmation lag
/// (anvil does not reorg by itself).
fn base_args(command: &str, devnet: &Devnet, datadir: &Path) -> Vec<String> {
    vec![
        command.into(),
        "--l1-rpc".into(),
        devnet.get("l1_rpc"),
        "--deployment".into(),
        devnet.path("deployment.json").display().to_string(),
        "--datadir".into(),
        datadir.display().to_string(),
        "--l1-confirmations".into(),
        "0".into(),
    ]
}

/// `prover verify --json` with `extra` flags: the exit code and the parsed report.
pub(crate) fn verify(devnet: &Devnet, datadir: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = base_args("verify", devnet, datadir);
    args.push("--json".into());
    args.extend(extra.iter().map(|a| a.to_string()));
    let out = Command::new(workspace_bin("prover"))
        .args(&args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("prover verify printed no JSON report ({e}):\n{stdout}\n--- stderr ---\n{stderr}")
    });
    eprintln!("prover verify {extra:?}: {}\n{stderr}", out.status);
    (out.status.code().unwrap_or(-1), report)
}

/// Runs `prover ARGS`, asserts its exit code and returns its stdout.
pub(crate) fn run_prover(args: &[&str], expected_code: i32) -> String {
    let out = Command::new(workspace_bin("prover"))
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(expected_code),
        "prover {args:?}:\n{stdout}\n--- stderr ---\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The outputs of a report with the given status.
pub(crate) fn outputs_with<'a>(report: &'a Value, status: &str) -> Vec<&'a Value> {
    report["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == status)
        .collect()
}

/// A running `prover watch --json`, its stdout in a file; stopped on drop.
pub(crate) struct Watcher {
    child: Child,
    out: std::path::PathBuf,
}

impl Watcher {
    pub(crate) fn start(devnet: &Devnet, datadir: &Path, challenger_key: &str) -> Self {
        let mut args = base_args("watch", devnet, datadir);
        args.extend(["--json".into(), "--poll-ms".into(), "300".into()]);
        let out = datadir.with_extension("out");
        let err = datadir.with_extension("err");
        let mut command = Command::new(workspace_bin("prover"));
        die_with_parent(&mut command);
        let child = command
            .args(&args)
            .env("TRIBUTARY_CHALLENGER_KEY", challenger_key)
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(err).unwrap())
            .stdin(Stdio::null())
            .spawn()
            .unwrap();
        Self { child, out }
    }

    /// The events printed so far.
    pub(crate) fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Waits for an event matching `pred`.
    pub(crate) fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(event) = self.events().into_iter().find(|e| pred(e)) {
                return event;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "prover watch exited ({status}) before {what}:\n{}",
                    self.logs()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {what} from prover watch:\n{}",
                self.logs()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    pub(crate) fn logs(&self) -> String {
        format!(
            "--- stdout ---\n{}\n--- stderr ---\n{}",
            std::fs::read_to_string(&self.out).unwrap_or_default(),
            std::fs::read_to_string(self.out.with_extension("err")).unwrap_or_default()
        )
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(self.child.id() as i32),
            nix::sys::signal::Signal::SIGINT,
        );
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
    }
}

/// Waits until the Rollup holds an output for an L2 block at or past `l2_block`.
pub(crate) async fn wait_output(devnet: &Devnet, l1: &impl Provider, l2_block: u64) {
    let deployment =
        tributary_primitives::Deployment::load(devnet.path("deployment.json")).unwrap();
    let rollup = tributary_contracts::Rollup::new(deployment.contracts.rollup, l1);
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let latest: u64 = rollup
            .latestBlockNumber()
            .call()
            .await
            .unwrap()
            .try_into()
            .unwrap();
        if latest >= l2_block {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no output for L2 block {l2_block} (latest {latest}):\n{}",
            devnet.logs()
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
