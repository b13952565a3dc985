//! The TOML configuration file: read, overridden by flags, strict about unknown keys.

use std::{ffi::OsString, process::Command};

use serde_json::json;

use crate::utils::{Sequencer, free_port};

#[test]
fn the_config_file_sets_what_flags_do_not() {
    let dir = tempfile::tempdir().unwrap();
    let (file_port, flag_port) = (free_port(), free_port());
    let config = dir.path().join("sequencer.toml");
    std::fs::write(
        &config,
        format!(
            "dev = true\ndatadir = {:?}\nblock-time = 50\ngas-limit = 40000000\n\n[http]\nport = {file_port}\n",
            dir.path().join("chain")
        ),
    )
    .unwrap();
    let args = |extra: &[&str]| -> Vec<OsString> {
        let mut a: Vec<OsString> = vec!["--config".into(), config.clone().into()];
        a.extend(extra.iter().map(Into::into));
        a
    };
    // everything from the file
    let seq = Sequencer::start_with(file_port, &args(&[]));
    let block = seq.call("eth_getBlockByNumber", json!(["latest", false]));
    assert_eq!(
        block["gasLimit"],
        json!("0x2625a00"),
        "gas limit from the file"
    );
    seq.kill9();
    // a flag wins over the file
    let seq = Sequencer::start_with(flag_port, &args(&["--http.port", &flag_port.to_string()]));
    assert_eq!(seq.call("eth_chainId", json!([])), json!("0x67932"));
}

#[test]
fn unknown_keys_and_bad_values_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        ("dev = true\nblock_tim = 5\n", "unknown field"),
        ("dev = true\n[http]\nport = \"eighty\"\n", "invalid type"),
    ] {
        let config = dir.path().join("bad.toml");
        std::fs::write(&config, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_sequencer"))
            .arg("--config")
            .arg(&config)
            .output()
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{text:?}: {stderr}");
    }
}

#[test]
fn the_l1_settings_come_from_the_file_and_flags_win() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("l1.toml");
    let run = |text: &str, extra: &[&str]| -> String {
        std::fs::write(&config, text).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_sequencer"))
            .arg("--config")
            .arg(&config)
            .args(extra)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{text:?} {extra:?} started");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let l1 =
        "[l1]\ndeployment = \"/nonexistent/from-file.json\"\ngenesis = \"/nonexistent/g.json\"\n";
    // L1 mode chosen by the file alone: it tries the file's deployment
    let stderr = run(l1, &[]);
    assert!(stderr.contains("/nonexistent/from-file.json"), "{stderr}");
    // the flag wins
    let stderr = run(l1, &["--deployment", "/nonexistent/from-flag.json"]);
    assert!(
        stderr.contains("/nonexistent/from-flag.json") && !stderr.contains("from-file"),
        "{stderr}"
    );
    // values are checked
    let stderr = run("[batcher]\nda = \"paper\"\n", &[]);
    assert!(
        stderr.contains("batcher.da") && stderr.contains("paper"),
        "{stderr}"
    );
    let stderr = run("[proposer]\ninterval = 5\n", &[]);
    assert!(stderr.contains("unknown field"), "{stderr}");
}
