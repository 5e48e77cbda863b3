//! Running the examples as the user would: built by cargo, started as child processes, their
//! output read line by line. Every wait has a deadline so a broken example fails its test
//! instead of hanging it; the deadline is a safety net, never the synchronisation.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Generous: the first test to run may wait for cargo to build the example.
pub const DEADLINE: Duration = Duration::from_secs(120);

/// Builds `examples/NAME.rs` with the profile of this test and returns the binary's path.
pub fn example(name: &str) -> PathBuf {
    let mut build = Command::new(env!("CARGO"));
    build
        .args(["build", "--quiet", "--example", name])
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    let status = build.status().expect("run cargo build");
    assert!(status.success(), "cargo build --example {name} failed");
    // This test runs from target/<profile>/deps/; examples live in target/<profile>/examples/.
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile> directory");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

/// Runs a terminating example to completion with `PORT=0`; its stdout.
pub fn run_to_end(name: &str, args: &[&str]) -> String {
    let mut child = Command::new(example(name))
        .args(args)
        .env("PORT", "0")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the example");
    let lines = read_lines(&mut child);
    let mut output = String::new();
    let start = Instant::now();
    loop {
        match lines.recv_timeout(DEADLINE.saturating_sub(start.elapsed())) {
            Ok(line) => {
                output.push_str(&line);
                output.push('\n');
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("{name} did not finish; output so far:\n{output}");
            }
        }
    }
    let status = child.wait().expect("wait for the example");
    assert!(
        status.success(),
        "{name} exited with {status}; output:\n{output}"
    );
    output
}

/// A long-running example (a server), killed when dropped.
pub struct Running {
    child: Child,
    lines: Receiver<String>,
    pub name: String,
    pub seen: Vec<String>,
}

impl Running {
    pub fn start(name: &str, env: &[(&str, &str)]) -> Running {
        let mut command = Command::new(example(name));
        command
            .env("PORT", "0")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start the example");
        let lines = read_lines(&mut child);
        Running {
            child,
            lines,
            name: name.to_string(),
            seen: Vec::new(),
        }
    }

    /// Waits for the next line of output that satisfies `wanted`; returns it.
    pub fn wait_for(&mut self, wanted: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            match self
                .lines
                .recv_timeout(DEADLINE.saturating_sub(start.elapsed()))
            {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if wanted(&line) {
                        return line;
                    }
                }
                Err(err) => panic!(
                    "{}: no such line ({err}); output:\n{:#?}",
                    self.name, self.seen
                ),
            }
        }
    }

    /// The child's process id, for sending it signals.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the child to exit (call once it has said it is exiting); its status.
    pub fn wait(&mut self) -> std::process::ExitStatus {
        self.child.wait().expect("the child's status")
    }

    /// The port from a `... listening on 127.0.0.1:PORT...` line.
    pub fn port(&mut self) -> u16 {
        let line = self.wait_for(|line| line.contains("listening on 127.0.0.1:"));
        let after = line.split("127.0.0.1:").nth(1).unwrap_or_default();
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().expect("a port number")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_lines(child: &mut Child) -> Receiver<String> {
    let stdout = child.stdout.take().expect("piped stdout");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if send.send(line).is_err() {
                break;
            }
        }
    });
    receive
}
