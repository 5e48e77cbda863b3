//! `Remote`: work posted from other threads runs on the loop's thread, in order, and `run()`
//! waits while any `Remote` is alive (as a referenced `uv_async_t` keeps libuv running).

mod common;

use std::sync::mpsc;
use std::thread;

use common::*;

#[test]
fn posted_work_runs_on_the_loop_thread_in_order() {
    bounded(|| {
        let log = Log::new();
        let loop_thread = thread::current().id();
        let remote = nodenet::remote();
        let (to_loop, from_workers) = mpsc::channel::<u32>();
        let worker = thread::spawn(move || {
            for n in 0..5u32 {
                let to_loop = to_loop.clone();
                assert!(remote.post(move || {
                    assert_eq!(thread::current().id(), loop_thread);
                    to_loop.send(n).unwrap();
                }));
            }
            // `remote` dropped here: the loop may end once the posts have run.
        });
        // Not `Send`, so it cannot travel with the posts: the loop thread reads the channel.
        nodenet::set_immediate(must_call!(move || log.push("immediate")));
        run_and_check();
        worker.join().unwrap();
        let received: Vec<u32> = from_workers.try_iter().collect();
        assert_eq!(received, [0, 1, 2, 3, 4]);
        log.assert_eq(&["immediate"]);
    });
}

/// The loop has a timer and a live `Remote`; the timer tells the worker to go on, and the
/// worker posts and drops its `Remote` only then. `run()` must still be waiting.
#[test]
fn run_waits_for_live_remotes() {
    bounded(|| {
        let log = Log::new();
        let remote = nodenet::remote();
        let extra = remote.clone();
        let (go, wait) = mpsc::channel::<()>();
        let worker = thread::spawn(move || {
            wait.recv().unwrap();
            drop(extra);
            // Posted work may use the loop's handles and its thread-local state.
            remote.post(|| {
                nodenet::next_tick(|| {
                    LOG.with(|log| log.borrow_mut().push("posted tick"));
                });
                LOG.with(|log| log.borrow_mut().push("posted"));
            });
        });
        nodenet::set_timeout(
            5,
            must_call!(move || {
                log.push("timer");
                go.send(()).unwrap();
            }),
        );
        run_and_check();
        worker.join().unwrap();
        log.assert_eq(&["timer"]);
        LOG.with(|posted| assert_eq!(*posted.borrow(), ["posted", "posted tick"]));
    });
}

thread_local! {
    static LOG: std::cell::RefCell<Vec<&'static str>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A `Remote` dropped without posting still releases the loop.
#[test]
fn dropped_remote_releases_the_loop() {
    bounded(|| {
        let remote = nodenet::remote();
        let worker = thread::spawn(move || drop(remote));
        run_and_check();
        worker.join().unwrap();
    });
}
