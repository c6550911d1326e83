//! The emulator driven by clients no one here wrote: boto3 1.44.18 (which speaks
//! restJson1 to Athena) and PyAthena's DB-API cursor over it, from
//! `tests/python/clients.py`. The test makes a virtual environment of its own under the
//! target directory and installs `tests/python/requirements.txt` into it (from PyPI, once;
//! later runs reuse it). Without a Python 3 that can make a virtual environment, it is
//! skipped with the reason printed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use athena_emulator::{Injected, Operation};

const PYTHON_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python");

/// A Python 3 interpreter that can make virtual environments, or why there is none.
fn python() -> Result<String, String> {
    for candidate in ["python3", "python"] {
        let Ok(out) = Command::new(candidate)
            .args(["-c", "import sys, venv; print(sys.version_info[0])"])
            .output()
        else {
            continue;
        };
        if out.status.success() && String::from_utf8_lossy(&out.stdout).trim() == "3" {
            return Ok(candidate.to_owned());
        }
    }
    Err("no python3 with the venv module on PATH".to_owned())
}

/// The virtual environment with the pinned clients, made (or remade, when the
/// requirements changed) under the target directory.
fn venv(python: &str) -> PathBuf {
    let requirements_path = Path::new(PYTHON_DIR).join("requirements.txt");
    let requirements = std::fs::read_to_string(&requirements_path).expect("requirements.txt");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("python-clients-venv");
    let stamp = dir.join("requirements.installed");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(requirements.as_str()) {
        return dir;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let status = Command::new(python)
        .args(["-m", "venv"])
        .arg(&dir)
        .status()
        .expect("run python -m venv");
    assert!(status.success(), "python -m venv {} failed", dir.display());
    let out = Command::new(dir.join("bin/python"))
        .args([
            "-m",
            "pip",
            "install",
            "--disable-pip-version-check",
            "-q",
            "-r",
        ])
        .arg(&requirements_path)
        .output()
        .expect("run pip");
    assert!(
        out.status.success(),
        "pip install -r {} failed:\n{}{}",
        requirements_path.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&stamp, requirements).expect("write the stamp");
    dir
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boto3_and_pyathena_drive_the_emulator() {
    let python = match python() {
        Ok(python) => python,
        Err(reason) => {
            eprintln!("skipped boto3_and_pyathena_drive_the_emulator: {reason}");
            return;
        }
    };
    let venv = tokio::task::spawn_blocking(move || venv(&python))
        .await
        .expect("the venv is made");
    let emulator = crate::common::emulator().await;
    // Queries on this one run until stopped, for the StopQueryExecution check.
    let slow = crate::common::builder()
        .with_query_delay(Duration::from_secs(3600))
        .start()
        .await
        .expect("emulator starts");
    // botocore's standard retries meet the emulator's throttling answer in restJson1.
    emulator.inject(Operation::GetQueryResults, Injected::Throttle, 2);
    let (endpoint, slow_endpoint) = (emulator.endpoint_url(), slow.endpoint_url());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(venv.join("bin/python"))
            .arg(Path::new(PYTHON_DIR).join("clients.py"))
            .args([endpoint, slow_endpoint])
            // No credentials or config of the machine's user leak in.
            .env("AWS_CONFIG_FILE", "/dev/null")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
            .env_remove("AWS_PROFILE")
            .output()
            .expect("run clients.py")
    })
    .await
    .expect("clients.py ran");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "clients.py failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("a summary line")).expect("JSON");
    assert_eq!(summary["boto3"]["protocol"], "rest-json");
    assert_eq!(summary["boto3"]["botocore"], "1.44.18");
    assert_eq!(summary["boto3"]["rows"], 25);
    assert_eq!(summary["pyathena"]["rows"], 2500);
    // The throttled calls reached the emulator, and boto3 retried past them.
    assert_eq!(emulator.injected_left(Operation::GetQueryResults), 0);
    assert_eq!(emulator.calls().faulted(Operation::GetQueryResults), 2);
    assert!(emulator.calls().served(Operation::StartQueryExecution) >= 10);
    assert_eq!(slow.calls().served(Operation::StopQueryExecution), 1);
}
