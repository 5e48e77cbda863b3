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
