//! `EventEmitter<T>` against Node's `events` semantics (each case checked with Node v20):
//! the emit snapshot, `once`, `prepend*`, `remove*`, `listener_count`, `event_names`.

mod common;

use common::*;
use nodenet::events::EventEmitter;
use nodenet::ListenerId;

/// Node v20: `e.on('x', first /* offs the once, adds another */); e.once('x', later);
/// e.on('x', onLater)` emits `first, once later, on later`, then `first, on later, added`.
#[test]
fn snapshot_semantics_for_added_and_removed_listeners() {
    bounded(|| {
        let log = Log::new();
        let emitter = EventEmitter::<u32>::new();
        let once_id = Slot::<ListenerId>::new();
        let on_later_id = Slot::<ListenerId>::new();
        let e = emitter.clone();
        let first_calls = Calls::new(2, "first");
        emitter.on("x", move |n| {
            first_calls.hit();
            log.push(format!("first {n}"));
            if first_calls.count() == 1 {
                assert!(e.listeners("x").contains(&once_id.get()));
                e.off(once_id.get());
                e.on(
                    "x",
                    must_call!(move |n: &u32| log.push(format!("added {n}"))),
                );
            }
        });
        once_id.set(emitter.once_with_id(
            "x",
            must_call!(move |n: &u32| log.push(format!("once {n}"))),
        ));
        on_later_id.set(emitter.on_with_id(
            "x",
            must_call!(2, move |n: &u32| log.push(format!("on later {n}"))),
        ));
        assert!(emitter.emit("x", &1));
        assert!(emitter.emit("x", &2));
        log.assert_eq(&[
            "first 1",
            "once 1",
            "on later 1",
            "first 2",
            "on later 2",
            "added 2",
        ]);
        assert_eq!(emitter.listener_count("x"), 3);
        assert_eq!(emitter.off(on_later_id.get()).listener_count("x"), 2);
        assert_eq!(emitter.off(on_later_id.get()).listener_count("x"), 2);
    });
}

/// A later listener removed with `off()` during the emit still runs in it (Node copies the
/// listener array), and not in the next emit.
#[test]
fn off_of_a_later_listener_during_emit_still_runs_it_once() {
    bounded(|| {
        let log = Log::new();
        let emitter = EventEmitter::<()>::new();
        let later = Slot::<ListenerId>::new();
        let e = emitter.clone();
        emitter.on(
            "e",
            must_call!(2, move |_: &()| {
                log.push("first");
                e.off(later.get());
            }),
        );
        later.set(emitter.on_with_id("e", must_call!(move |_: &()| log.push("later"))));
        emitter.emit("e", &());
        emitter.emit("e", &());
        log.assert_eq(&["first", "later", "first"]);
    });
}

/// A `once` listener that re-emits its own event does not run again (Node: `['once-outer']`),
/// and is gone before it runs.
#[test]
fn once_runs_once_even_when_it_re_emits() {
    bounded(|| {
        let emitter = EventEmitter::<()>::new();
        let e = emitter.clone();
        emitter.once(
            "y",
            must_call!(move |_: &()| {
                assert_eq!(e.listener_count("y"), 0);
                assert!(!e.emit("y", &()));
            }),
        );
        assert!(emitter.emit("y", &()));
        assert!(!emitter.emit("y", &()));
    });
}

#[test]
fn prepend_and_prepend_once_go_first() {
    bounded(|| {
        let log = Log::new();
        let emitter = EventEmitter::<&'static str>::new();
        emitter.on(
            "e",
            must_call!(2, move |s: &&str| log.push(format!("on {s}"))),
        );
        emitter.prepend_listener(
            "e",
            must_call!(2, move |s: &&str| log.push(format!("prepended {s}"))),
        );
        emitter.prepend_once_listener(
            "e",
            must_call!(move |s: &&str| log.push(format!("prepended once {s}"))),
        );
        emitter.emit("e", &"a");
        emitter.emit("e", &"b");
        log.assert_eq(&[
            "prepended once a",
            "prepended a",
            "on a",
            "prepended b",
            "on b",
        ]);
    });
}

#[test]
fn names_counts_and_removal() {
    bounded(|| {
        let emitter = EventEmitter::<()>::new();
        assert!(emitter.event_names().is_empty());
        emitter.on("b", must_not_call!(|_|));
        emitter.on("a", must_not_call!(|_|));
        emitter.once("b", must_not_call!(|_|));
        emitter.on("c", must_call!(move |_: &()| {}));
        assert_eq!(emitter.event_names(), ["b", "a", "c"]);
        assert_eq!(emitter.listener_count("b"), 2);
        assert_eq!(emitter.listener_count("a"), 1);
        assert_eq!(emitter.listener_count("nope"), 0);
        emitter.remove_all_listeners("b").remove_all_listeners("b");
        assert_eq!(emitter.event_names(), ["a", "c"]);
        assert!(!emitter.emit("b", &()));
        assert_eq!(emitter.remove_all_listeners("a").event_names(), ["c"]);
        assert!(emitter.emit("c", &()));
        assert!(emitter.remove_every_listener().event_names().is_empty());
        // Node throws on an unhandled 'error'; here the thread's policy takes it, and by
        // default the next run() returns it.
        assert!(!emitter.emit("error", &()));
        let err = nodenet::run().unwrap_err();
        assert_eq!(err.code(), Some("ERR_UNHANDLED_ERROR"));
    });
}

/// Removing every listener during an emit does not stop the emit (snapshot); adding from a
/// nested emit of another event works.
#[test]
fn remove_all_during_emit_and_nested_emits() {
    bounded(|| {
        let log = Log::new();
        let emitter = EventEmitter::<u8>::new();
        let e = emitter.clone();
        emitter.on(
            "outer",
            must_call!(move |n: &u8| {
                log.push(format!("outer {n}"));
                assert!(e.emit("inner", &(n + 1)));
                assert_eq!(e.event_names(), ["outer", "inner"]);
                assert!(e.remove_every_listener().event_names().is_empty());
            }),
        );
        emitter.on(
            "outer",
            must_call!(move |n: &u8| log.push(format!("outer2 {n}"))),
        );
        emitter.on(
            "inner",
            must_call!(move |n: &u8| log.push(format!("inner {n}"))),
        );
        assert!(emitter.emit("outer", &1));
        assert!(!emitter.emit("outer", &1));
        log.assert_eq(&["outer 1", "inner 2", "outer2 1"]);
    });
}

/// Listener ids are unique per thread: an id from one emitter removes nothing from another.
#[test]
fn off_with_a_foreign_id_removes_nothing() {
    bounded(|| {
        let a = EventEmitter::<()>::new();
        let b = EventEmitter::<()>::new();
        let id = a.on_with_id("e", must_call!(move |_: &()| {}));
        b.on("e", must_call!(move |_: &()| {}));
        assert_eq!(b.off(id).listener_count("e"), 1);
        assert!(a.emit("e", &()));
        assert!(b.emit("e", &()));
    });
}

/// The handle emitters follow the same listener API as `EventEmitter`: chaining, ids,
/// `'newListener'` before an add and `'removeListener'` after a removal (also for a `once`
/// listener about to run), Node's `eventNames()` order, and `once` taking an `FnOnce`.
#[test]
fn handles_share_the_listener_api() {
    use nodenet::event::{NewListener, RemoveListener};
    use nodenet::prelude::*;
    bounded(|| {
        let log = Log::new();
        let server = Server::new(nodenet::net::ServerOptions::default());
        server
            .on(NewListener, move |name| log.push(format!("new {name}")))
            .on(RemoveListener, move |name| {
                log.push(format!("removed {name}"))
            });
        let moved = String::from("owned by the once listener");
        server.on(Error, must_not_call!(|_e|)).on(
            Connection,
            must_call!(move |socket: Socket| {
                socket.end();
            }),
        );
        let id = server.on_with_id(Listening, must_not_call!());
        assert_eq!(server.listeners(Listening), [id]);
        server.off(id);
        server
            .listen((0, "127.0.0.1"), ())
            .unwrap()
            .once(Listening, move || {
                assert_eq!(moved, "owned by the once listener");
                let port = server.address().unwrap().port;
                net::connect_to((port, "127.0.0.1")).on(
                    Close,
                    must_call!(move |_had_error| {
                        server.close(());
                    }),
                );
            });
        assert_eq!(
            server.event_names(),
            [
                "newListener",
                "removeListener",
                "error",
                "connection",
                "listening"
            ]
        );
        assert!(server.raw_listeners(Listening)[0].once);
        run_and_check();
        log.assert_eq(&[
            "new removeListener",
            "new error",
            "new connection",
            "new listening",
            "removed listening",
            "new listening",
            "removed listening",
        ]);
    });
}
