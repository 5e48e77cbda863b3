//! Node's own `test/parallel/test-event-emitter-*.js` tests, ported one `#[test]` per Node
//! file and named after it; see `docs/conformance.md`.

mod common;

use common::*;
use nodenet::events::EventEmitter;

/// test-event-emitter-num-args / add-listeners: listeners run in order with the payload.
#[test]
fn test_event_emitter_add_listeners() {
    let log = Log::new();
    let e = EventEmitter::<String>::new();
    e.on("hello", move |p| log.push(format!("a:{p}")));
    e.on("hello", move |p| log.push(format!("b:{p}")));
    assert!(e.emit("hello", &"x".to_string()));
    log.assert_eq(&["a:x", "b:x"]);
    assert_eq!(e.listener_count("hello"), 2);
}

/// test-event-emitter-once.js: once listeners fire once; removing one before emit works; a
/// once listener that emits the same event again does not run twice.
#[test]
fn test_event_emitter_once() {
    let e = EventEmitter::<()>::new();
    e.once("hello", must_call!(|_p: &()| {}));
    let id = e.once("foo", must_not_call!(|_p|));
    assert!(e.off(id));
    e.emit("hello", &());
    e.emit("hello", &());
    e.emit("foo", &());
    let e2 = e.clone();
    e.once(
        "e",
        must_call!(move |_p: &()| {
            e2.emit("e", &());
        }),
    );
    e.emit("e", &());
    assert_eq!(e.listener_count("e"), 0);
    check_calls();
}

/// test-event-emitter-prepend.js: prependListener and prependOnceListener go first.
#[test]
fn test_event_emitter_prepend() {
    let log = Log::new();
    let e = EventEmitter::<()>::new();
    e.on("foo", move |_| log.push("3"));
    e.prepend_listener("foo", move |_| log.push("2"));
    e.prepend_once_listener("foo", move |_| log.push("1"));
    e.emit("foo", &());
    log.assert_eq(&["1", "2", "3"]);
}

/// test-event-emitter-modify-in-emit.js: a listener added during an emit does not run in it;
/// one removed during it still does; removeAllListeners during an emit.
#[test]
fn test_event_emitter_modify_in_emit() {
    let log = Log::new();
    let e = EventEmitter::<()>::new();
    let e2 = e.clone();
    let second = std::rc::Rc::new(std::cell::Cell::new(None));
    let second2 = second.clone();
    e.on("foo", move |_| {
        log.push("callback1");
        e2.on("foo", move |_| log.push("callback2"));
        if let Some(id) = second2.get() {
            e2.off(id);
        }
    });
    second.set(Some(e.on("foo", move |_| log.push("callback3"))));
    e.emit("foo", &());
    log.assert_eq(&["callback1", "callback3"]);
    assert_eq!(e.listener_count("foo"), 2);
    e.emit("foo", &());
    log.assert_eq(&["callback1", "callback3", "callback1", "callback2"]);
    let e3 = e.clone();
    e.remove_all_listeners("foo");
    e.on("bar", move |_| {
        e3.remove_all_listeners("bar");
        log.push("bar1");
    });
    e.on("bar", move |_| log.push("bar2"));
    e.emit("bar", &());
    assert_eq!(e.listener_count("bar"), 0);
    log.assert_only("bar", &["bar1", "bar2"]);
}

/// test-event-emitter-remove-listeners.js: removing works per registration and reports
/// whether something was removed.
#[test]
fn test_event_emitter_remove_listeners() {
    let e = EventEmitter::<()>::new();
    let a = e.on("hello", must_not_call!(|_p|));
    let b = e.on("hello", must_call!(|_p: &()| {}));
    assert!(e.off(a));
    assert!(!e.off(a));
    e.emit("hello", &());
    assert!(e.off(b));
    assert!(!e.emit("hello", &()));
    check_calls();
}

/// test-event-emitter-remove-all-listeners.js: removeAllListeners(event) only clears that
/// event; the whole-emitter form clears everything.
#[test]
fn test_event_emitter_remove_all_listeners() {
    let e = EventEmitter::<()>::new();
    e.on("foo", |_| {});
    e.on("foo", |_| {});
    e.on("bar", |_| {});
    assert_eq!(e.remove_all_listeners("foo"), 2);
    assert_eq!(e.listener_count("foo"), 0);
    assert_eq!(e.listener_count("bar"), 1);
    assert_eq!(e.event_names(), ["bar"]);
    e.on("baz", |_| {});
    assert_eq!(e.remove_every_listener(), 2);
    assert!(e.event_names().is_empty());
}

/// test-event-emitter-listener-count.js: listenerCount per event name.
#[test]
fn test_event_emitter_listener_count() {
    let e = EventEmitter::<()>::new();
    assert_eq!(e.listener_count("foo"), 0);
    e.on("foo", |_| {});
    e.on("foo", |_| {});
    e.on("baz", |_| {});
    assert_eq!(e.listener_count("foo"), 2);
    assert_eq!(e.listener_count("baz"), 1);
    assert_eq!(e.listener_count("bar"), 0);
}

/// test-event-emitter-special-event-names.js: '__proto__', 'toString', 'hasOwnProperty' are
/// ordinary event names.
#[test]
fn test_event_emitter_special_event_names() {
    let e = EventEmitter::<()>::new();
    assert!(e.event_names().is_empty());
    for name in ["__proto__", "toString", "hasOwnProperty"] {
        e.on(name, must_call!(|_p: &()| {}));
    }
    assert_eq!(e.event_names(), ["__proto__", "toString", "hasOwnProperty"]);
    for name in ["__proto__", "toString", "hasOwnProperty"] {
        assert!(e.emit(name, &()));
    }
    check_calls();
}

/// test-event-emitter-errors.js / no-error-provided-to-error-event (documented difference):
/// emitting 'error' with no listener returns false instead of throwing.
#[test]
fn test_event_emitter_errors() {
    let e = EventEmitter::<String>::new();
    assert!(!e.emit("error", &"Accepts a string".to_string()));
}
