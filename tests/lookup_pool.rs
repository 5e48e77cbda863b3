//! Issue 11: name lookups run on a bounded pool, as libuv's threadpool runs Node's
//! `dns.lookup`. A storm of 10 000 connects to `localhost` starts no more threads than the
//! pool holds (counted in /proc/self/task), and 10 000 connects destroyed at once leave
//! nothing behind: no lookup pending, the loop empty.
#[macro_use]
mod common;

use std::time::Instant;

use common::{bounded, run_and_check, Slot};
use nodenet::event::Lookup;
use nodenet::prelude::*;

const STORM: usize = 10_000;

/// This process's threads (all, and nodenet's own: named `nodenet-...`), from /proc/self/task.
/// nodenet's are counted by name because the test harness may start a thread for another test
/// at any moment.
fn threads() -> (usize, usize) {
    let tasks: Vec<_> = std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(Result::ok)
        .collect();
    let ours = tasks
        .iter()
        .filter(|task| {
            std::fs::read_to_string(task.path().join("comm"))
                .is_ok_and(|name| name.starts_with("nodenet"))
        })
        .count();
    (tasks.len(), ours)
}

/// Set in a child's environment: the child runs the storm with a pool of that size.
const CHILD_ENV: &str = "NODENET_LOOKUP_POOL_CHILD";

/// One test for both, so no other test of this binary starts threads meanwhile.
#[test]
fn lookups_are_bounded_and_cancellable() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    storm();
}

/// `NODENET_THREADPOOL_SIZE` sets the pool's size, read when the pool starts: a child (this
/// binary again) with `NODENET_THREADPOOL_SIZE=2` runs the storm with 2 threads.
#[test]
fn the_pool_size_comes_from_the_environment() {
    if std::env::var_os(CHILD_ENV).is_some() {
        assert_eq!(nodenet::threadpool_size(), 2);
        storm();
        return;
    }
    let exe = std::env::current_exe().expect("this test binary");
    let output = std::process::Command::new(exe)
        .args([
            "--exact",
            "the_pool_size_comes_from_the_environment",
            "--nocapture",
        ])
        .env(CHILD_ENV, "1")
        .env("NODENET_THREADPOOL_SIZE", "2")
        .env("UV_THREADPOOL_SIZE", "7")
        .output()
        .expect("run the child");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the child failed:\n{stderr}");
    assert!(stderr.contains("pool of 2)"), "{stderr}");
    eprint!("child: {stderr}");
}

fn storm() {
    bounded(|| {
        let listener = common::bound_listener("127.0.0.1");
        let port = listener.local_addr().expect("its address").port();
        let (before, ours_before) = threads();
        let most = Slot::new();
        most.set((before, ours_before));
        let started = Instant::now();
        for _ in 0..STORM {
            let socket = net::connect(port, "localhost", |_| {});
            socket.on(Error, |_| {});
            socket.on(
                Lookup,
                must_call!(move |info| {
                    assert!(info.error.is_none(), "localhost resolves: {info:?}");
                    let ((all, ours), (most_all, most_ours)) = (threads(), most.get());
                    most.set((all.max(most_all), ours.max(most_ours)));
                    socket.destroy();
                }),
            );
        }
        run_and_check();
        let storm = started.elapsed();
        let pool = nodenet::threadpool_size();
        let (most_all, most_ours) = most.get();
        assert!(
            most_ours <= pool,
            "{most_ours} nodenet threads during the storm, pool of {pool}"
        );

        // Destroyed at once: their lookups are cancelled while queued.
        let looked_up = Slot::new();
        looked_up.set(0usize);
        let started = Instant::now();
        for _ in 0..STORM {
            let socket = net::connect(port, "localhost", |_| {});
            socket.on(Lookup, move |_| looked_up.set(looked_up.get() + 1));
            socket.on(Close, must_call!(move |_had_error| {}));
            socket.destroy();
        }
        run_and_check();
        let cancelled = started.elapsed();
        // As in Node, a lookup that finished still emits 'lookup' on its destroyed socket
        // (`emitLookup` runs before the `connecting` check); the cancelled ones never run.
        // How many were still queued depends on the pool's speed; the unit test
        // `lookup::tests::lookups_freed_while_queued_are_dropped_unrun` holds the pool busy to
        // cancel every one.
        let ran = looked_up.get();
        assert!(
            !nodenet::active_resources().contains(&"GetAddrInfoReqWrap"),
            "no lookup is pending"
        );
        eprintln!(
            "lookup storm: {STORM} connects to localhost, at most {most_ours} nodenet threads \
             (pool of {pool}), {most_all} threads in all ({before} before), {storm:?}; {STORM} \
             destroyed at once: {ran} lookups had run, the rest were cancelled, {cancelled:?}"
        );
        drop(listener);
    });
}
