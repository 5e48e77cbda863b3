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

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

/// One test for both, so no other test of this binary starts threads meanwhile.
#[test]
fn lookups_are_bounded_and_cancellable() {
    bounded(|| {
        let listener = common::bound_listener("127.0.0.1");
        let port = listener.local_addr().expect("its address").port();
        let before = threads();
        let most = Slot::new();
        most.set(before);
        let started = Instant::now();
        for _ in 0..STORM {
            let socket = net::connect(port, "localhost", |_| {});
            socket.on(Error, |_| {});
            socket.on(
                Lookup,
                must_call!(move |info| {
                    assert!(info.error.is_none(), "localhost resolves: {info:?}");
                    most.set(most.get().max(threads()));
                    socket.destroy();
                }),
            );
        }
        run_and_check();
        let storm = started.elapsed();
        let pool = nodenet::threadpool_size();
        assert!(
            most.get() <= before + pool,
            "{} threads during the storm, {before} before it, pool of {pool}",
            most.get()
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
            "lookup storm: {STORM} connects to localhost, at most {} threads ({before} before, \
             pool of {pool}), {storm:?}; {STORM} destroyed at once: {ran} lookups had run, the \
             rest were cancelled, {cancelled:?}",
            most.get()
        );
        drop(listener);
    });
}
