//! Scenario 2 of issue 6 (see `docs/reliability.md`): with SIGPIPE at its default disposition
//! (which kills the process), writes to a peer that has gone, queued flushes to it and
//! write-after-end all come back as `'error'` events, because every send uses `MSG_NOSIGNAL`.
//!
//! Rust's runtime sets SIGPIPE to "ignore" before `main`, which would hide a missing
//! `MSG_NOSIGNAL`. This file is therefore a `harness = false` test with `#![no_main]`: no Rust
//! runtime start-up runs, so the process keeps the disposition it was started with, and
//! `std::process::Command` resets SIGPIPE to its default in the children it starts. The test
//! starts itself again as such a child, checks from `/proc/self/status` that SIGPIPE is neither
//! ignored nor blocked there, and runs the scenarios; a control child then writes with plain
//! `write(2)` to a pipe whose reader has exited and must die of SIGPIPE, which proves the
//! disposition really was the default.
#![no_main]

use std::io::Write;
use std::process::Command;

use nodenet::prelude::*;

const SIGPIPE: i32 = 13;

/// The process entry point, in place of Rust's runtime start-up (see the module docs).
#[no_mangle]
pub extern "C" fn main(_argc: i32, _argv: *const *const u8) -> i32 {
    match std::env::var("NODENET_SIGPIPE_CHILD").as_deref() {
        Ok("scenarios") => child_scenarios(),
        Ok("control") => child_control(),
        _ => parent(),
    }
}

fn parent() -> i32 {
    let exe = std::env::current_exe().expect("this test binary");
    // cargo passes harness arguments (a filter, --nocapture, ...); a filter that names
    // nothing here means this test was not selected.
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("sigpipe_default: test");
        return 0;
    }
    if let Some(filter) = args.iter().find(|a| !a.starts_with('-')) {
        if !"sigpipe_default".contains(filter.as_str()) {
            return 0;
        }
    }
    let scenarios = Command::new(&exe)
        .env("NODENET_SIGPIPE_CHILD", "scenarios")
        .output()
        .expect("start the scenarios child");
    let stdout = String::from_utf8_lossy(&scenarios.stdout);
    print!("{stdout}");
    eprint!("{}", String::from_utf8_lossy(&scenarios.stderr));
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        scenarios.status.signal(),
        None,
        "the scenarios child was killed by a signal (13 is SIGPIPE)"
    );
    assert!(scenarios.status.success(), "the scenarios child failed");
    for line in [
        "sigpipe disposition: default",
        "write to a reset peer: error EPIPE",
        "queued flush to a reset peer: error EPIPE",
        "write after end: error ERR_STREAM_WRITE_AFTER_END",
        "survived",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    let control = Command::new(&exe)
        .env("NODENET_SIGPIPE_CHILD", "control")
        .output()
        .expect("start the control child");
    assert_eq!(
        control.status.signal(),
        Some(SIGPIPE),
        "the control child's plain write(2) should have been killed by SIGPIPE: {control:?}"
    );
    println!("test sigpipe_default ... ok (control child killed by SIGPIPE as expected)");
    0
}

/// Whether SIGPIPE is in the `SigIgn` or `SigBlk` mask of `/proc/self/status`.
fn sigpipe_ignored_or_blocked() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let bit = 1u64 << (SIGPIPE - 1);
    ["SigIgn:", "SigBlk:"].iter().any(|field| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
            .is_some_and(|mask| mask & bit != 0)
    })
}

fn child_control() -> i32 {
    assert!(!sigpipe_ignored_or_blocked());
    // A pipe whose reader has exited: write(2) to it raises SIGPIPE, which kills us here.
    let mut reader = Command::new("true")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("start true");
    let mut pipe = reader.stdin.take().expect("its stdin");
    reader.wait().expect("true exits");
    let _ = pipe.write_all(b"x");
    0
}

fn child_scenarios() -> i32 {
    assert!(
        !sigpipe_ignored_or_blocked(),
        "SIGPIPE must be at its default here"
    );
    println!("sigpipe disposition: default");
    // The peer closes (FIN) while our side, paused, has not read it; our first write then
    // draws a reset, and the writes after it meet EPIPE, the error that raises SIGPIPE.
    write_until_error("write to a reset peer", 1);
    // One write far larger than the socket buffers: most of it is queued, and the flush after
    // the reset meets EPIPE.
    write_until_error("queued flush to a reset peer", 8 * 1024 * 1024);
    write_after_end();
    nodenet::run().expect("run");
    println!("survived");
    0
}

fn write_until_error(what: &'static str, size: usize) {
    let server = net::create_server(|socket: Socket| {
        socket.destroy();
    });
    server
        .listen((0, "127.0.0.1"), move || {
            let port = server.address().expect("address").port;
            let client = net::connect(port, "127.0.0.1", |_c| {});
            client.pause();
            // Once our end of the server's socket has closed, keep writing until it fails.
            server.on(Connection, move |accepted: Socket| {
                accepted.on(Close, move |_e| keep_writing(client, size, 0));
            });
            client.on(Error, move |err| {
                let queued = QUEUED.with(|q| q.get());
                println!(
                    "{what}: error {} ({} KiB were queued)",
                    err.code().unwrap_or("?"),
                    queued / 1024
                );
                // The large write must have met the error while flushing its queue.
                assert_eq!(queued > 0, size > 1, "{what}");
            });
            client.on(Close, move |_e| server.close(()));
        })
        .expect("listen");
}

thread_local! {
    /// What the socket had queued after the last write: nonzero when the error came from a
    /// flush rather than from `write` itself.
    static QUEUED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

fn keep_writing(client: Socket, size: usize, attempt: usize) {
    assert!(attempt < 1000, "writes to a closed peer kept succeeding");
    if client.destroyed() {
        return;
    }
    client.write_with_callback(vec![b'x'; size], move |err| {
        if err.is_none() {
            keep_writing(client, size, attempt + 1);
        }
    });
    QUEUED.with(|q| q.set(client.writable_length()));
}

fn write_after_end() {
    let server = net::create_server(|socket: Socket| {
        socket.on(End, move || {
            socket.end();
        });
    });
    server
        .listen((0, "127.0.0.1"), move || {
            let port = server.address().expect("address").port;
            let client = net::connect(port, "127.0.0.1", |client| {
                client.end();
                client.write("too late");
            });
            client.on(Error, move |err| {
                println!("write after end: error {}", err.code().unwrap_or("?"));
            });
            client.on(Close, move |_e| server.close(()));
        })
        .expect("listen");
}
