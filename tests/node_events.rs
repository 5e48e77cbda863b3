//! Node's own `test/parallel/test-event-emitter-*.js` tests (and `test-events-list.js`),
//! ported one `#[test]` per Node file and named after it; see `docs/conformance.md`.
//!
//! Node compares listener functions by identity; Rust closures have none, so these ports
//! compare the [`ListenerId`]s that `on_with_id` returns and `listeners()` lists. Each
//! assertion keeps the values, order and call counts of Node's test; parts of a Node test
//! that cannot apply in Rust (argument type checks, `this`, `_events`) are named where they
//! are left out.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use nodenet::events::{EventEmitter, DEFAULT_MAX_LISTENERS, ERROR_MONITOR};
use nodenet::ListenerId;

/// `'newListener'` is emitted before the listener is added (so `listeners()` does not show it
/// yet), for `on` and `once` alike, and a listener added from inside `'newListener'` lands
/// before the one being added. Left out: `addListener === on` (Rust has no function identity;
/// `add_listener` is checked to behave as `on`) and the non-function listener `TypeError`.
#[test]
fn test_event_emitter_add_listeners() {
    bounded(|| {
        let ee = EventEmitter::<(&str, &str)>::new();
        let events_seen = Log::new();
        ee.on_new_listener(move |event| {
            if event != "newListener" {
                events_seen.push(event);
            }
        });
        let e = ee.clone();
        ee.once_new_listener(must_call!(move |name: &str| {
            assert_eq!(name, "hello");
            assert!(e.listeners("hello").is_empty());
        }));
        ee.add_listener(
            "hello",
            must_call!(|args: &(&str, &str)| assert_eq!(*args, ("a", "b"))),
        );
        ee.once("foo", must_not_call!(|_|));
        events_seen.assert_eq(&["hello", "foo"]);
        ee.emit("hello", &("a", "b"));

        let f = EventEmitter::<()>::new();
        f.set_max_listeners(0);

        let ee = EventEmitter::<()>::new();
        let listen2 = Slot::<ListenerId>::new();
        let e = ee.clone();
        ee.once_new_listener(must_call!(move |_: &str| {
            assert!(e.listeners("hello").is_empty());
            let e2 = e.clone();
            e.once_new_listener(must_call!(move |_: &str| {
                assert!(e2.listeners("hello").is_empty());
            }));
            listen2.set(e.on_with_id("hello", |_| {}));
        }));
        let listen1 = ee.on_with_id("hello", |_| {});
        // The order of listeners is not always the order in which they were added.
        assert_eq!(ee.listeners("hello"), [listen2.get(), listen1]);
    });
}

/// Node v20's test: an unhandled `'error'` with a string payload throws `ERR_UNHANDLED_ERROR`
/// with message `Unhandled error. ('Accepts a string')`. Here the error goes to the thread's
/// unhandled-error policy, and `run()` returns it with the same code and message. Node's
/// second case (an object payload shown by `util.inspect`) gives `Unhandled error.` without
/// the payload here: emitters do not require `Debug` payloads.
#[test]
fn test_event_emitter_errors() {
    bounded(|| {
        let ee = EventEmitter::<&str>::new();
        assert!(!ee.emit("error", &"Accepts a string"));
        let err = nodenet::run().unwrap_err();
        assert_eq!(err.code(), Some("ERR_UNHANDLED_ERROR"));
        assert_eq!(err.message(), "Unhandled error. ('Accepts a string')");

        let ee = EventEmitter::<String>::new();
        assert!(!ee.emit("error", &"Error!".to_string()));
        assert_eq!(
            nodenet::run().unwrap_err().message(),
            "Unhandled error. ('Error!')"
        );

        // A nodenet::Error payload is passed on as it is, as Node throws an Error payload.
        let ee = EventEmitter::<nodenet::Error>::new();
        assert!(!ee.emit("error", &nodenet::Error::with_code("EBOOM", "boom")));
        let err = nodenet::run().unwrap_err();
        assert_eq!((err.code(), err.message()), (Some("EBOOM"), "boom"));
        run_and_check();
    });
}

/// `errorMonitor` listeners see every `'error'` (three here) before the `'error'` listeners
/// and only `'error'`s; with only a monitor the error is still unhandled (Node throws it; here
/// `run()` returns it). Node's `events.once(EE, 'error')` promise case is a plain `once` here.
#[test]
fn test_event_emitter_error_monitor() {
    bounded(|| {
        let ee = EventEmitter::<nodenet::Error>::new();
        let the_err = nodenet::Error::new("MyError");
        let expected = the_err.clone();
        ee.on(
            ERROR_MONITOR,
            must_call!(3, move |err: &nodenet::Error| assert_eq!(*err, expected)),
        );
        // No 'error' listener: unhandled.
        assert!(!ee.emit("error", &the_err));
        assert_eq!(nodenet::run().unwrap_err(), the_err);
        // An 'error' listener, not removed.
        let expected = the_err.clone();
        ee.once(
            "error",
            must_call!(move |err: &nodenet::Error| assert_eq!(*err, expected)),
        );
        assert!(ee.emit("error", &the_err));
        let expected = the_err.clone();
        ee.once(
            "error",
            must_call!(move |err: &nodenet::Error| assert_eq!(*err, expected)),
        );
        assert!(ee.emit("error", &the_err));
        // Only 'error' events reach the monitor.
        ee.on("aEvent", must_call!(|_: &nodenet::Error| {}));
        ee.emit("aEvent", &the_err);
        run_and_check();
    });
}

/// The default limit is `defaultMaxListeners` (10); `set_max_listeners(0)` and `(3)` read
/// back. Left out: calling `on` with another receiver (no `this` in Rust).
#[test]
fn test_event_emitter_get_max_listeners() {
    let emitter = EventEmitter::<()>::new();
    assert_eq!(emitter.get_max_listeners(), DEFAULT_MAX_LISTENERS);
    assert_eq!(DEFAULT_MAX_LISTENERS, 10);
    emitter.set_max_listeners(0);
    assert_eq!(emitter.get_max_listeners(), 0);
    emitter.set_max_listeners(3);
    assert_eq!(emitter.get_max_listeners(), 3);
}

/// A listener of an event named `'maxListeners'` is not disturbed by `set_max_listeners`,
/// and runs once when the event is emitted. Left out: `setMaxListeners(NaN | -1 | 'string')`
/// throwing, which `usize` rules out.
#[test]
fn test_event_emitter_max_listeners() {
    bounded(|| {
        let e = EventEmitter::<()>::new();
        e.on("maxListeners", must_call!(|_: &()| {}));
        e.set_max_listeners(42);
        assert!(e.emit("maxListeners", &()));
    });
}

/// `set_max_listeners` creates no event names (Node: `_events` keeps no stray keys).
#[test]
fn test_event_emitter_set_max_listeners_side_effects() {
    let e = EventEmitter::<()>::new();
    e.set_max_listeners(1);
    assert!(e.event_names().is_empty());
}

/// `listenerCount` per event name, 0 for an event never registered; any name is allowed
/// (Node's `123`, a string here).
#[test]
fn test_event_emitter_listener_count() {
    let emitter = EventEmitter::<()>::new();
    emitter
        .on("foo", |_| {})
        .on("foo", |_| {})
        .on("baz", |_| {});
    emitter.on("123", |_| {});
    assert_eq!(emitter.listener_count("foo"), 2);
    assert_eq!(emitter.listener_count("bar"), 0);
    assert_eq!(emitter.listener_count("baz"), 1);
    assert_eq!(emitter.listener_count("123"), 1);
}

/// `listeners()` returns a copy: later changes to the emitter do not change it and changes to
/// it do not reach the emitter. `once` listeners are listed as themselves by `listeners()`
/// and as wrappers (`once: true`) by `raw_listeners()`, whose result is a fresh copy too.
#[test]
fn test_event_emitter_listeners() {
    bounded(|| {
        let ee = EventEmitter::<()>::new();
        let listener = ee.on_with_id("foo", |_| {});
        let foo_listeners = ee.listeners("foo");
        assert_eq!(ee.listeners("foo"), [listener]);
        ee.remove_all_listeners("foo");
        assert!(ee.listeners("foo").is_empty());
        assert_eq!(foo_listeners, [listener]);

        let ee = EventEmitter::<()>::new();
        let listener = ee.on_with_id("foo", |_| {});
        let mut copy = ee.listeners("foo");
        assert_eq!(copy, [listener]);
        let listener2 = EventEmitter::<()>::new().on_with_id("foo", |_| {});
        copy.push(listener2);
        assert_eq!(ee.listeners("foo"), [listener]);
        assert_eq!(copy, [listener, listener2]);

        let ee = EventEmitter::<()>::new();
        let listener = ee.on_with_id("foo", |_| {});
        let copy = ee.listeners("foo");
        let listener2 = ee.on_with_id("foo", |_| {});
        assert_eq!(ee.listeners("foo"), [listener, listener2]);
        assert_eq!(copy, [listener]);

        let ee = EventEmitter::<()>::new();
        let listener = ee.once_with_id("foo", |_| {});
        assert_eq!(ee.listeners("foo"), [listener]);

        let ee = EventEmitter::<()>::new();
        let listener = ee.on_with_id("foo", |_| {});
        let listener2 = ee.once_with_id("foo", |_| {});
        assert_eq!(ee.listeners("foo"), [listener, listener2]);

        let ee = EventEmitter::<()>::new();
        assert!(ee.listeners("foo").is_empty());

        let ee = EventEmitter::<()>::new();
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        let on = ee.on_with_id("foo", move |_| c.set(c.get() + 1));
        let wrapped = ee.raw_listeners("foo");
        assert_eq!(wrapped.len(), 1);
        assert_eq!((wrapped[0].id, wrapped[0].once), (on, false));
        let c = calls.clone();
        let once = ee.once_with_id("foo", move |_| c.set(c.get() + 1));
        let wrapped = ee.raw_listeners("foo");
        assert_eq!(wrapped.len(), 2);
        assert_eq!((wrapped[1].id, wrapped[1].once), (once, true));
        ee.emit("foo", &());
        assert_eq!(calls.get(), 2);
        // The copy taken before the emit is unchanged; the emitter lost its once listener.
        assert_eq!(wrapped.len(), 2);
        assert_eq!(ee.listeners("foo"), [on]);
    });
}

/// `listeners()` of an event with none is empty and registers nothing; it follows `on`.
#[test]
fn test_event_emitter_listeners_side_effects() {
    let e = EventEmitter::<()>::new();
    assert!(e.listeners("foo").is_empty());
    assert!(e.event_names().is_empty());
    let fail = e.on_with_id("foo", |_| unreachable!());
    assert_eq!(e.listeners("foo"), [fail]);
    assert!(e.listeners("bar").is_empty());
    let ok = e.on_with_id("foo", |_| {});
    assert_eq!(e.listeners("foo"), [fail, ok]);
    assert!(e.listeners("bar").is_empty());
    assert_eq!(e.event_names(), ["foo"]);
}

/// `add_listener` is `on` and `remove_listener` is `off` (Node: the same functions), and both
/// return the emitter.
#[test]
fn test_event_emitter_method_names() {
    let e = EventEmitter::<()>::new();
    let before = e.on_with_id("a", |_| {});
    assert_eq!(e.add_listener("a", |_| {}).listener_count("a"), 2);
    assert_eq!(e.remove_listener(before).listener_count("a"), 1);
    assert_eq!(e.off(e.listeners("a")[0]).listener_count("a"), 0);
}

/// A listener that removes itself (callback2, callback3) and one that adds those two and
/// removes itself (callback1): listeners added during an emit do not run in it, removing
/// during an emit lets it reach every listener it started with, and `removeAllListeners`
/// empties the list. The same calls, lengths and orders as Node's test.
#[test]
fn test_event_emitter_modify_in_emit() {
    /// Registers a `'foo'` listener that logs `name` and removes itself, as Node's callback2
    /// and callback3 do; `also` runs after the removal.
    fn self_removing(
        e: &EventEmitter<()>,
        log: Log,
        name: &'static str,
        also: impl Fn() + 'static,
    ) -> ListenerId {
        let me = Slot::<ListenerId>::new();
        let e2 = e.clone();
        let id = e.on_with_id("foo", move |_| {
            log.push(name);
            e2.off(me.get());
            also();
        });
        me.set(id);
        id
    }
    fn callback2(e: &EventEmitter<()>, log: Log) -> ListenerId {
        self_removing(e, log, "callback2", || {})
    }
    fn callback3(e: &EventEmitter<()>, log: Log) -> ListenerId {
        self_removing(e, log, "callback3", || {})
    }
    fn callback1(e: &EventEmitter<()>, log: Log) -> ListenerId {
        let e2 = e.clone();
        self_removing(e, log, "callback1", move || {
            callback2(&e2, log);
            callback3(&e2, log);
        })
    }
    bounded(|| {
        let log = Log::new();
        let e = EventEmitter::<()>::new();
        callback1(&e, log);
        assert_eq!(e.listeners("foo").len(), 1);
        e.emit("foo", &());
        assert_eq!(e.listeners("foo").len(), 2);
        log.assert_eq(&["callback1"]);
        e.emit("foo", &());
        assert_eq!(e.listeners("foo").len(), 0);
        log.assert_eq(&["callback1", "callback2", "callback3"]);
        e.emit("foo", &());
        assert_eq!(e.listeners("foo").len(), 0);
        log.assert_eq(&["callback1", "callback2", "callback3"]);

        callback1(&e, log);
        callback2(&e, log);
        assert_eq!(e.listeners("foo").len(), 2);
        e.remove_all_listeners("foo");
        assert_eq!(e.listeners("foo").len(), 0);

        let log = Log::new();
        callback2(&e, log);
        callback3(&e, log);
        assert_eq!(e.listeners("foo").len(), 2);
        e.emit("foo", &());
        log.assert_eq(&["callback2", "callback3"]);
        assert_eq!(e.listeners("foo").len(), 0);
    });
}

/// With no payload (Node's `emit('error')`, here `()`), an `'error'` listener still runs, and
/// without one the unhandled error reads `Unhandled error. (undefined)`.
#[test]
fn test_event_emitter_no_error_provided_to_error_event() {
    bounded(|| {
        let e = EventEmitter::<()>::new();
        assert!(!e.emit("error", &()));
        let err = nodenet::run().unwrap_err();
        assert_eq!(err.code(), Some("ERR_UNHANDLED_ERROR"));
        assert_eq!(err.message(), "Unhandled error. (undefined)");

        let e = EventEmitter::<()>::new();
        e.on("error", must_call!(|_: &()| {}));
        assert!(e.emit("error", &()));
        run_and_check();
    });
}

/// For 0 to 5 arguments (a `Vec` payload of that length here), one listener, and each of
/// three listeners, is called once with all of them.
#[test]
fn test_event_emitter_num_args() {
    bounded(|| {
        for number in 0..=5usize {
            let event_emitter = EventEmitter::<Vec<Option<()>>>::new();
            event_emitter.on(
                "numArgs",
                must_call!(move |args: &Vec<Option<()>>| assert_eq!(args.len(), number)),
            );
            event_emitter.emit("numArgs", &vec![None; number]);

            let event_emitter = EventEmitter::<Vec<Option<()>>>::new();
            for _ in 0..3 {
                event_emitter.on(
                    "numArgs",
                    must_call!(move |args: &Vec<Option<()>>| assert_eq!(args.len(), number)),
                );
            }
            event_emitter.emit("numArgs", &vec![None; number]);
        }
    });
}

/// `once` runs once however often the event is emitted; a `once` removed before the emit does
/// not run; a `once` listener that emits its own event again does not run twice, and the next
/// `once` listener runs once; the payload reaches a `once` listener unchanged. Left out: the
/// non-function listener `TypeError`.
#[test]
fn test_event_emitter_once() {
    bounded(|| {
        let e = EventEmitter::<(&str, &str)>::new();
        e.once("hello", must_call!(|_: &(&str, &str)| {}));
        for _ in 0..4 {
            e.emit("hello", &("a", "b"));
        }
        let remove = e.once_with_id("foo", must_not_call!(|_|));
        e.remove_listener(remove);
        e.emit("foo", &("", ""));

        let e2 = e.clone();
        e.once(
            "e",
            must_call!(move |_: &(&str, &str)| {
                e2.emit("e", &("", ""));
            }),
        );
        e.once("e", must_call!(|_: &(&str, &str)| {}));
        e.emit("e", &("", ""));

        for count in 0..=4u32 {
            let ee = EventEmitter::<Vec<u32>>::new();
            let args: Vec<u32> = (0..count).collect();
            let expected = args.clone();
            ee.once(
                "foo",
                must_call!(move |params: &Vec<u32>| assert_eq!(*params, expected)),
            );
            ee.emit("foo", &args);
        }
    });
}

/// `prependOnceListener` runs first, then `prependListener`, then `on`.
#[test]
fn test_event_emitter_prepend() {
    bounded(|| {
        let m = Rc::new(Cell::new(0));
        let my_ee = EventEmitter::<()>::new();
        let m1 = m.clone();
        my_ee.on("foo", must_call!(move |_: &()| assert_eq!(m1.get(), 2)));
        let m2 = m.clone();
        my_ee.prepend_listener(
            "foo",
            must_call!(move |_: &()| {
                assert_eq!(m2.get(), 1);
                m2.set(2);
            }),
        );
        let m3 = m.clone();
        my_ee.prepend_once_listener(
            "foo",
            must_call!(move |_: &()| {
                assert_eq!(m3.get(), 0);
                m3.set(1);
            }),
        );
        my_ee.emit("foo", &());
    });
}

/// `removeAllListeners(event)` reports each removal to `'removeListener'`, leaves the other
/// events and earlier `listeners()` copies alone; the no-argument form removes the
/// `'removeListener'` listeners last, last added first; a `'removeListener'` listener sees the
/// count fall one at a time.
#[test]
fn test_event_emitter_remove_all_listeners() {
    bounded(|| {
        let ee = EventEmitter::<()>::new();
        let foo = ee.on_with_id("foo", |_| {});
        let bar = ee.on_with_id("bar", |_| {});
        let baz1 = ee.on_with_id("baz", |_| {});
        let baz2 = ee.on_with_id("baz", |_| {});
        let foo_listeners = ee.listeners("foo");
        let bar_listeners = ee.listeners("bar");
        let baz_listeners = ee.listeners("baz");
        let removed = Log::new();
        ee.on_remove_listener(must_call!(3, move |name: &str| removed.push(name)));
        ee.remove_all_listeners("bar").remove_all_listeners("baz");
        let mut seen = removed.entries();
        seen.sort();
        assert_eq!(seen, ["bar", "baz", "baz"]);
        assert_eq!(ee.listeners("foo"), [foo]);
        assert!(ee.listeners("bar").is_empty());
        assert!(ee.listeners("baz").is_empty());
        assert_eq!(foo_listeners, [foo]);
        assert_eq!(bar_listeners, [bar]);
        assert_eq!(baz_listeners, [baz1, baz2]);

        let ee = EventEmitter::<()>::new();
        ee.on("foo", |_| {}).on("bar", |_| {});
        let first = Log::new();
        let second = Log::new();
        ee.on_remove_listener(must_call!(3, move |name: &str| first.push(name)));
        ee.on_remove_listener(must_call!(2, move |name: &str| second.push(name)));
        ee.remove_every_listener();
        first.assert_eq(&["foo", "bar", "removeListener"]);
        second.assert_eq(&["foo", "bar"]);
        assert!(ee.listeners("foo").is_empty());
        assert!(ee.listeners("bar").is_empty());

        let ee = EventEmitter::<()>::new();
        ee.on_remove_listener(|_| {});
        ee.remove_all_listeners("foo");

        let ee = EventEmitter::<()>::new();
        let expect_length = Rc::new(Cell::new(2));
        let e = ee.clone();
        let length = expect_length.clone();
        ee.on_remove_listener(move |_| {
            assert_eq!(length.get(), e.listeners("baz").len());
            length.set(length.get().wrapping_sub(1));
        });
        ee.on("baz", |_| {}).on("baz", |_| {}).on("baz", |_| {});
        assert_eq!(ee.listeners("baz").len(), expect_length.get() + 1);
        ee.remove_all_listeners("baz");
        assert!(ee.listeners("baz").is_empty());

        let ee = EventEmitter::<()>::new();
        assert!(ee.remove_every_listener().event_names().is_empty());
    });
}

/// `removeListener` emits `'removeListener'` with the name after the removal; removing an
/// unknown listener emits nothing; a `'removeListener'` listener may remove and emit; a
/// listener removed by an earlier one in the same emit still runs in it; a `once` listener
/// that fires is reported as removed.
#[test]
fn test_event_emitter_remove_listeners() {
    bounded(|| {
        let ee = EventEmitter::<()>::new();
        let listener1 = ee.on_with_id("hello", |_| {});
        ee.on_remove_listener(must_call!(|name: &str| assert_eq!(name, "hello")));
        ee.remove_listener(listener1);
        assert!(ee.listeners("hello").is_empty());

        let ee = EventEmitter::<()>::new();
        let listener1 = ee.on_with_id("hello", |_| {});
        let listener2 = EventEmitter::<()>::new().on_with_id("hello", |_| {});
        ee.on_remove_listener(must_not_call!(|_|));
        ee.remove_listener(listener2);
        assert_eq!(ee.listeners("hello"), [listener1]);

        let ee = EventEmitter::<()>::new();
        let listener1 = ee.on_with_id("hello", |_| {});
        let listener2 = ee.on_with_id("hello", |_| {});
        let e = ee.clone();
        ee.once_remove_listener(must_call!(move |name: &str| {
            assert_eq!(name, "hello");
            assert_eq!(e.listeners("hello"), [listener2]);
        }));
        ee.remove_listener(listener1);
        assert_eq!(ee.listeners("hello"), [listener2]);
        let e = ee.clone();
        ee.once_remove_listener(must_call!(move |name: &str| {
            assert_eq!(name, "hello");
            assert!(e.listeners("hello").is_empty());
        }));
        ee.remove_listener(listener2);
        assert!(ee.listeners("hello").is_empty());

        let ee = EventEmitter::<()>::new();
        let remove2 = Slot::<ListenerId>::new();
        let e = ee.clone();
        let calls = Rc::new(Cell::new(0));
        let c = calls.clone();
        // Node calls this listener twice: for remove1, and (nested, from inside that call) for
        // remove2. A Rust listener is an `FnMut` and cannot be entered while it runs, so the
        // nested call is skipped with a warning (porting.md, difference 10): one call here.
        ee.on_remove_listener(must_call!(1, move |_: &str| {
            c.set(c.get() + 1);
            if c.get() == 1 {
                // The removal of remove1: remove remove2 too, then emit: neither runs.
                e.remove_listener(remove2.get());
                e.emit("quux", &());
            }
        }));
        let remove1 = ee.on_with_id("quux", must_not_call!(|_|));
        remove2.set(ee.on_with_id("quux", must_not_call!(|_|)));
        ee.remove_listener(remove1);
        assert!(ee.listeners("quux").is_empty());

        let ee = EventEmitter::<()>::new();
        let listener1 = ee.on_with_id("hello", |_| {});
        let listener2 = ee.on_with_id("hello", |_| {});
        let e = ee.clone();
        ee.once_remove_listener(must_call!(move |name: &str| {
            assert_eq!(name, "hello");
            assert_eq!(e.listeners("hello"), [listener2]);
            let e2 = e.clone();
            e.once_remove_listener(must_call!(move |name: &str| {
                assert_eq!(name, "hello");
                assert!(e2.listeners("hello").is_empty());
            }));
            e.remove_listener(listener2);
            assert!(e.listeners("hello").is_empty());
        }));
        ee.remove_listener(listener1);
        assert!(ee.listeners("hello").is_empty());

        let ee = EventEmitter::<()>::new();
        let listener4 = Slot::<ListenerId>::new();
        let e = ee.clone();
        ee.on(
            "hello",
            must_call!(2, move |_: &()| {
                e.remove_listener(listener4.get());
            }),
        );
        listener4.set(ee.on_with_id("hello", must_call!(|_: &()| {})));
        // listener4 still runs although listener3 removed it: the emit's list was taken first.
        ee.emit("hello", &());
        ee.emit("hello", &());

        let ee = EventEmitter::<()>::new();
        ee.once("hello", |_| {});
        ee.on_remove_listener(must_call!(|name: &str| assert_eq!(name, "hello")));
        ee.emit("hello", &());

        let ee = EventEmitter::<()>::new();
        let unknown = EventEmitter::<()>::new().on_with_id("foo", |_| {});
        assert!(ee.remove_listener(unknown).event_names().is_empty());
    });
}

/// `'__proto__'`, `'toString'` and `'hasOwnProperty'` are ordinary event names.
#[test]
fn test_event_emitter_special_event_names() {
    bounded(|| {
        let ee = EventEmitter::<()>::new();
        assert!(ee.event_names().is_empty());
        ee.on("__proto__", must_call!(|_: &()| {}));
        ee.on("toString", must_call!(|_: &()| {}));
        ee.on("hasOwnProperty", must_call!(|_: &()| {}));
        assert_eq!(
            ee.event_names(),
            ["__proto__", "toString", "hasOwnProperty"]
        );
        assert_eq!(ee.listener_count("__proto__"), 1);
        assert!(ee.emit("__proto__", &()));
        assert!(ee.emit("toString", &()));
        assert!(ee.emit("hasOwnProperty", &()));
        assert!(!ee.emit("isPrototypeOf", &()));
    });
}

/// A type built on an emitter (Rust's composition in place of Node's subclass): a `once`
/// listener added and emitted while it is built runs once, and leaves no events behind; one
/// that emits `'error'` with no listener while it is built fails with that error (Node:
/// throws `blerg`; here `run()` returns it); two instances do not share listeners.
#[test]
fn test_event_emitter_subclass() {
    struct MyEe {
        events: EventEmitter<()>,
    }
    impl MyEe {
        fn new(cb: impl FnOnce() + 'static) -> MyEe {
            let events = EventEmitter::new();
            events.once("1", move |_| cb());
            events.emit("1", &());
            events.remove_every_listener();
            MyEe { events }
        }
    }
    struct ErrorEe;
    impl ErrorEe {
        fn new() -> ErrorEe {
            EventEmitter::<nodenet::Error>::new().emit("error", &nodenet::Error::new("blerg"));
            ErrorEe
        }
    }
    bounded(|| {
        let my_ee = MyEe::new(must_call!(|| {}));
        let _ = ErrorEe::new();
        assert_eq!(nodenet::run().unwrap_err().message(), "blerg");
        assert!(my_ee.events.event_names().is_empty());
        let ee1 = MyEe::new(|| {});
        let ee2 = MyEe::new(|| {});
        ee1.events.on("x", |_| {});
        assert_eq!(ee2.events.listener_count("x"), 0);
    });
}

/// `eventNames()` lists names in the order they got their first listener, drops a name when
/// its last listener goes, and (checked against Node v20) is not reordered by a prepend.
/// Node's file is test-events-list.js.
#[test]
fn test_events_list() {
    let e = EventEmitter::<()>::new();
    let m = |_: &()| {};
    e.on("foo", m);
    assert_eq!(e.event_names(), ["foo"]);
    let bar = e.on_with_id("bar", m);
    assert_eq!(e.event_names(), ["foo", "bar"]);
    e.off(bar);
    assert_eq!(e.event_names(), ["foo"]);
    // Node v20: on('b'), on('a'), prependListener('a'), prependListener('c') → [b, a, c].
    let e = EventEmitter::<()>::new();
    e.on("b", m)
        .on("a", m)
        .prepend_listener("a", m)
        .prepend_listener("c", m);
    assert_eq!(e.event_names(), ["b", "a", "c"]);
    // errorMonitor is a symbol in Node, and symbols come after strings.
    e.on(ERROR_MONITOR, m).on("d", m);
    assert_eq!(e.event_names(), ["b", "a", "c", "d", ERROR_MONITOR]);
}

/// The leak warnings of `set_max_listeners`, read from the log: what Node records as a
/// listener array's `warned` flag and prints as `MaxListenersExceededWarning`.
mod warnings {
    use std::sync::Mutex;
    use std::thread::ThreadId;

    static SEEN: Mutex<Vec<(ThreadId, String)>> = Mutex::new(Vec::new());

    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, metadata: &log::Metadata) -> bool {
            metadata.level() <= log::Level::Warn
        }
        fn log(&self, record: &log::Record) {
            if self.enabled(record.metadata()) {
                if let Ok(mut seen) = SEEN.lock() {
                    seen.push((std::thread::current().id(), record.args().to_string()));
                }
            }
        }
        fn flush(&self) {}
    }

    static CAPTURE: Capture = Capture;

    /// Starts capturing (once per process; tests run on their own threads, so each reads only
    /// the warnings its thread logged).
    pub fn capture() {
        let _ = log::set_logger(&CAPTURE);
        log::set_max_level(log::LevelFilter::Warn);
    }

    /// The leak warnings this thread logged so far.
    pub fn leaks() -> Vec<String> {
        let me = std::thread::current().id();
        SEEN.lock()
            .map(|seen| {
                seen.iter()
                    .filter(|(thread, text)| {
                        *thread == me && text.starts_with("Possible EventEmitter memory leak")
                    })
                    .map(|(_, text)| text.clone())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Whether `event` has been warned about on this thread.
    pub fn warned(event: &str) -> bool {
        leaks()
            .iter()
            .any(|text| text.contains(&format!(" {event} listeners added")))
    }
}

/// No warning at the limit, one past it, per event: the default of 10, then limits of 1, 5
/// and 1 set with `set_max_listeners`, and none for 1000 listeners with no limit (0). Node's
/// symbol-named case uses a string here; the process-wide `defaultMaxListeners = 42` part is
/// left out (the default is a constant).
#[test]
fn test_event_emitter_check_listener_leaks() {
    bounded(|| {
        warnings::capture();
        let e = EventEmitter::<()>::new();
        for _ in 0..10 {
            e.on("default", must_not_call!(|_|));
        }
        assert!(!warnings::warned("default"));
        e.on("default", must_not_call!(|_|));
        assert!(warnings::warned("default"));

        e.set_max_listeners(1);
        e.on("symbol", must_not_call!(|_|));
        assert!(!warnings::warned("symbol"));
        e.on("symbol", must_not_call!(|_|));
        assert!(warnings::warned("symbol"));

        e.set_max_listeners(5);
        for _ in 0..5 {
            e.on("specific", must_not_call!(|_|));
        }
        assert!(!warnings::warned("specific"));
        e.on("specific", must_not_call!(|_|));
        assert!(warnings::warned("specific"));

        e.set_max_listeners(1);
        e.on("only one", must_not_call!(|_|));
        assert!(!warnings::warned("only one"));
        e.on("only one", must_not_call!(|_|));
        assert!(warnings::warned("only one"));

        e.set_max_listeners(0);
        for _ in 0..1000 {
            e.on("unlimited", must_not_call!(|_|));
        }
        assert!(!warnings::warned("unlimited"));
    });
}

/// With a limit of 1, the second `'event-type'` listener logs one warning with Node's text
/// (the method it names is `set_max_listeners()`, where Node's says `setMaxListeners()`), and
/// a third listener does not warn again.
#[test]
fn test_event_emitter_max_listeners_warning() {
    bounded(|| {
        warnings::capture();
        let e = EventEmitter::<()>::new();
        e.set_max_listeners(1);
        e.on("event-type", |_| {});
        assert!(warnings::leaks().is_empty());
        e.on("event-type", |_| {});
        e.on("event-type", |_| {});
        assert_eq!(
            warnings::leaks(),
            [
                "Possible EventEmitter memory leak detected. 2 event-type listeners added to \
              [EventEmitter]. MaxListeners is 1. Use emitter.set_max_listeners() to increase \
              limit"
            ]
        );
    });
}
