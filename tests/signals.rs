//! Issue 11: signals as events (`nodenet::process`, Node's `process.on('SIGUSR1', ...)`).
//! Signals are raised in this process, so listeners use SIGUSR1/SIGUSR2, which nothing else
//! here uses; the child-process test with SIGTERM is tests/graceful_shutdown.rs.
#[macro_use]
mod common;

use common::{bounded, run_and_check, Log};
use nodenet::process::{self, Signal};

fn raise(signal: Signal) {
    signal_hook::low_level::raise(signal.number()).expect("raise");
}

#[test]
fn a_signal_arrives_as_an_event_on_the_loop() {
    bounded(|| {
        let log = Log::new();
        // Something to keep the loop alive until the signal has come.
        let timer = nodenet::set_timeout(60_000, || panic!("the signal never came"));
        process::on(
            Signal::SIGUSR1,
            must_call!(move |signal| {
                log.push(format!("on {signal}"));
                nodenet::clear_timeout(timer);
            }),
        );
        process::once(
            Signal::SIGUSR1,
            must_call!(move |signal| log.push(format!("once {signal}"))),
        );
        assert_eq!(process::listener_count(Signal::SIGUSR1), 2);
        nodenet::next_tick(|| raise(Signal::SIGUSR1));
        run_and_check();
        log.assert_eq(&["on SIGUSR1", "once SIGUSR1"]);
        assert_eq!(process::listener_count(Signal::SIGUSR1), 1);
    });
}

#[test]
fn a_signal_listener_does_not_keep_the_loop_alive() {
    bounded(|| {
        let id = process::on(Signal::SIGUSR2, must_not_call!(|_signal|));
        assert!(nodenet::active_resources().is_empty());
        run_and_check();
        assert!(process::off(id));
        assert!(!process::off(id));
        assert_eq!(process::listener_count(Signal::SIGUSR2), 0);
    });
}

/// Set in a child's environment: the child runs [`default_action_child`].
const CHILD_ENV: &str = "NODENET_SIGNALS_CHILD";

/// As in Node, once the last listener of a signal is removed, the signal gets its default
/// action back: SIGUSR2 ends the process. Run in a child (this binary again), which must die
/// of SIGUSR2 rather than carry on.
#[test]
fn a_signal_with_no_listener_left_gets_its_default_action() {
    use std::os::unix::process::ExitStatusExt;
    let exe = std::env::current_exe().expect("this test binary");
    let output = std::process::Command::new(exe)
        .args(["--exact", "default_action_child", "--nocapture"])
        .env(CHILD_ENV, "1")
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.signal(),
        Some(Signal::SIGUSR2.number()),
        "the child should have died of SIGUSR2: {:?}\n{stdout}",
        output.status
    );
    assert!(stdout.contains("child: raising"), "{stdout}");
    assert!(!stdout.contains("child: survived"), "{stdout}");
}

/// The child's side; a no-op unless started by the test above.
#[test]
fn default_action_child() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let id = process::on(Signal::SIGUSR2, must_not_call!(|_signal|));
    assert!(process::off(id));
    // Keeps the loop turning until the signal, which is handled on the loop, arrives.
    nodenet::set_timeout(10_000, || {});
    nodenet::next_tick(|| {
        println!("child: raising");
        raise(Signal::SIGUSR2);
    });
    nodenet::run().expect("the loop");
    println!("child: survived");
}
