//! Node's `events` module: an [`EventEmitter`] for your own events.
//!
//! Events are named by strings, as in Node, and all events of one emitter carry the same payload
//! type `T` (use an enum for several shapes). Emits are synchronous, with Node's semantics: the
//! listener list is snapshotted when an emit starts, `once` listeners run once, `prepend_listener`
//! puts a listener first.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::event::Shared;
use crate::listeners::{emit_snapshot, Entry, ListenerId, Listeners, RawListener};
use crate::runtime::emit::invoke;

/// A stored listener: an `'event'` listener takes the payload, a `'newListener'` or
/// `'removeListener'` listener the event's name.
enum Stored<T: ?Sized> {
    Payload(Shared<dyn FnMut(&T)>),
    Name(Shared<dyn FnMut(&str)>),
}

impl<T: ?Sized> Clone for Stored<T> {
    fn clone(&self) -> Self {
        match self {
            Stored::Payload(listener) => Stored::Payload(Rc::clone(listener)),
            Stored::Name(listener) => Stored::Name(Rc::clone(listener)),
        }
    }
}

/// Node's `'newListener'`, the event [`EventEmitter::on_new_listener`] listens to.
///
/// ```
/// let emitter = nodenet::events::EventEmitter::<()>::new();
/// emitter.on_new_listener(|_| {});
/// assert_eq!(emitter.event_names(), [nodenet::events::NEW_LISTENER]);
/// ```
pub const NEW_LISTENER: &str = "newListener";

/// Node's `'removeListener'`, the event [`EventEmitter::on_remove_listener`] listens to.
///
/// ```
/// let emitter = nodenet::events::EventEmitter::<()>::new();
/// emitter.on_remove_listener(|_| {});
/// assert_eq!(emitter.listener_count(nodenet::events::REMOVE_LISTENER), 1);
/// ```
pub const REMOVE_LISTENER: &str = "removeListener";

/// A string-named event emitter whose events carry a `&T`: Node's `EventEmitter`.
///
/// Cloning gives another handle to the same emitter (like passing a JS object around).
///
/// ```
/// use nodenet::events::EventEmitter;
/// use std::cell::RefCell;
/// use std::rc::Rc;
///
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// let chat = EventEmitter::<String>::new();
/// let s = seen.clone();
/// chat.on("message", move |text| s.borrow_mut().push(text.clone()));
/// assert!(chat.emit("message", &"hi".to_string()));
/// assert!(!chat.emit("nobody-listens", &String::new()));
/// assert_eq!(*seen.borrow(), ["hi"]);
/// ```
pub struct EventEmitter<T> {
    listeners: Rc<RefCell<Listeners<String, Stored<T>>>>,
    /// Node's `setMaxListeners` limit (0: none) and the events already warned about.
    limit: Rc<MaxListeners>,
}

/// Node's leak warning: more listeners for one event than the limit (default 10) is logged
/// once per event, as Node's `MaxListenersExceededWarning` is emitted once.
struct MaxListeners {
    max: Cell<usize>,
    warned: RefCell<Vec<String>>,
}

impl Default for MaxListeners {
    fn default() -> Self {
        MaxListeners {
            max: Cell::new(DEFAULT_MAX_LISTENERS),
            warned: RefCell::new(Vec::new()),
        }
    }
}

/// Node's `events.errorMonitor`: listeners of this event see every `"error"` emit before the
/// `"error"` listeners, and do not count as handling it (with only a monitor, `emit("error",
/// ..)` returns false and the error is unhandled, where Node would throw).
///
/// ```
/// use nodenet::events::{EventEmitter, ERROR_MONITOR};
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// let emitter = EventEmitter::<&str>::new();
/// let s = seen.clone();
/// emitter.on(ERROR_MONITOR, move |err| s.borrow_mut().push(format!("monitor {err}")));
/// assert!(!emitter.emit("error", &"lost")); // seen, but not handled:
/// assert_eq!(nodenet::run().unwrap_err().message(), "Unhandled error. ('lost')");
/// let s = seen.clone();
/// emitter.on("error", move |err| s.borrow_mut().push(format!("error {err}")));
/// assert!(emitter.emit("error", &"boom"));
/// assert_eq!(*seen.borrow(), ["monitor lost", "monitor boom", "error boom"]);
/// ```
pub const ERROR_MONITOR: &str = "nodejs.errorMonitor";

/// Node's `events.defaultMaxListeners`.
pub const DEFAULT_MAX_LISTENERS: usize = 10;

impl<T> Clone for EventEmitter<T> {
    fn clone(&self) -> Self {
        EventEmitter {
            listeners: Rc::clone(&self.listeners),
            limit: Rc::clone(&self.limit),
        }
    }
}

impl<T> Default for EventEmitter<T> {
    fn default() -> Self {
        EventEmitter {
            listeners: Rc::new(RefCell::new(Listeners::default())),
            limit: Rc::default(),
        }
    }
}

impl<T: 'static> EventEmitter<T> {
    /// A new emitter with no listeners.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// assert!(emitter.event_names().is_empty());
    /// ```
    pub fn new() -> Self {
        EventEmitter::default()
    }

    fn add(&self, event: &str, listener: Stored<T>, once: bool, prepend: bool) -> ListenerId {
        // Node emits 'newListener' before adding, so the new listener does not see itself.
        self.emit_name(NEW_LISTENER, event);
        let id = self
            .listeners
            .borrow_mut()
            .add(event.to_string(), listener, once, prepend);
        self.warn_if_too_many(event);
        id
    }

    fn payload(listener: impl FnMut(&T) + 'static) -> Stored<T> {
        Stored::Payload(Rc::new(RefCell::new(listener)))
    }

    /// An `FnOnce` kept in an `Option` inside the stored `FnMut`; the once rules call it once.
    fn payload_once(listener: impl FnOnce(&T) + 'static) -> Stored<T> {
        let mut listener = Some(listener);
        Self::payload(move |payload: &T| {
            if let Some(listener) = listener.take() {
                listener(payload);
            }
        })
    }

    fn warn_if_too_many(&self, event: &str) {
        let max = self.limit.max.get();
        if max == 0 {
            return;
        }
        let count = self.listener_count(event);
        let mut warned = self.limit.warned.borrow_mut();
        if count > max && !warned.iter().any(|name| name == event) {
            warned.push(event.to_string());
            log::warn!(
                "Possible EventEmitter memory leak detected. {count} {event} listeners added to \
                 [EventEmitter]. MaxListeners is {max}. Use emitter.set_max_listeners() to \
                 increase limit"
            );
        }
    }

    /// Sets how many listeners one event may have before a leak warning is logged (0: no
    /// limit), and returns the emitter: Node's `emitter.setMaxListeners(n)`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// assert_eq!(emitter.get_max_listeners(), nodenet::events::DEFAULT_MAX_LISTENERS);
    /// emitter.set_max_listeners(0);
    /// for _ in 0..20 {
    ///     emitter.on("busy", |_| {}); // no warning: unlimited
    /// }
    /// assert_eq!(emitter.get_max_listeners(), 0);
    /// ```
    pub fn set_max_listeners(&self, max: usize) -> &Self {
        self.limit.max.set(max);
        self
    }

    /// The leak-warning limit: Node's `emitter.getMaxListeners()`.
    ///
    /// ```
    /// assert_eq!(nodenet::events::EventEmitter::<()>::new().get_max_listeners(), 10);
    /// ```
    pub fn get_max_listeners(&self) -> usize {
        self.limit.max.get()
    }

    /// Adds a listener and returns the emitter, for chaining: Node's `emitter.on(event,
    /// listener)`. To remove this one listener later, use [`on_with_id`](EventEmitter::on_with_id).
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<u32>::new();
    /// emitter
    ///     .on("n", |n| println!("{n}"))
    ///     .on("n", |n| println!("again {n}"))
    ///     .emit("n", &7);
    /// ```
    pub fn on(&self, event: &str, listener: impl FnMut(&T) + 'static) -> &Self {
        self.on_with_id(event, listener);
        self
    }

    /// The same as [`on`](EventEmitter::on): Node's `emitter.addListener`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<u32>::new();
    /// assert_eq!(emitter.add_listener("n", |n| println!("{n}")).listener_count("n"), 1);
    /// ```
    pub fn add_listener(&self, event: &str, listener: impl FnMut(&T) + 'static) -> &Self {
        self.on(event, listener)
    }

    /// Adds a listener like [`on`](EventEmitter::on) and returns its id, for
    /// [`off`](EventEmitter::off): Rust closures cannot be compared, so the id names the
    /// listener where Node names the function.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<u32>::new();
    /// let id = emitter.on_with_id("n", |_| unreachable!());
    /// assert!(!emitter.off(id).emit("n", &1));
    /// ```
    pub fn on_with_id(&self, event: &str, listener: impl FnMut(&T) + 'static) -> ListenerId {
        self.add(event, Self::payload(listener), false, false)
    }

    /// Adds a listener that runs at most once, and returns the emitter: Node's `emitter.once`.
    /// It may be an `FnOnce`, free to move what it captured.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<u32>::new();
    /// let owned = vec![1];
    /// emitter.once("n", move |n| assert_eq!(owned, [*n]));
    /// assert!(emitter.emit("n", &1));
    /// assert!(!emitter.emit("n", &2));
    /// ```
    pub fn once(&self, event: &str, listener: impl FnOnce(&T) + 'static) -> &Self {
        self.once_with_id(event, listener);
        self
    }

    /// [`once`](EventEmitter::once), returning the listener's id for [`off`](EventEmitter::off).
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<u32>::new();
    /// let id = emitter.once_with_id("n", |_| unreachable!());
    /// assert!(!emitter.off(id).emit("n", &1));
    /// ```
    pub fn once_with_id(&self, event: &str, listener: impl FnOnce(&T) + 'static) -> ListenerId {
        self.add(event, Self::payload_once(listener), true, false)
    }

    /// Adds a listener before the others, and returns the emitter: Node's
    /// `emitter.prependListener`.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// let order = Rc::new(RefCell::new(Vec::new()));
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let (a, b) = (order.clone(), order.clone());
    /// emitter
    ///     .on("e", move |_| a.borrow_mut().push("on"))
    ///     .prepend_listener("e", move |_| b.borrow_mut().push("prepended"))
    ///     .emit("e", &());
    /// assert_eq!(*order.borrow(), ["prepended", "on"]);
    /// ```
    pub fn prepend_listener(&self, event: &str, listener: impl FnMut(&T) + 'static) -> &Self {
        self.add(event, Self::payload(listener), false, true);
        self
    }

    /// A `once` listener added before the others, returning the emitter: Node's
    /// `emitter.prependOnceListener`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// assert_eq!(emitter.prepend_once_listener("e", |_| {}).listener_count("e"), 1);
    /// emitter.emit("e", &());
    /// assert_eq!(emitter.listener_count("e"), 0);
    /// ```
    pub fn prepend_once_listener(&self, event: &str, listener: impl FnOnce(&T) + 'static) -> &Self {
        self.add(event, Self::payload_once(listener), true, true);
        self
    }

    /// Adds a `'newListener'` listener, called with the event name before each listener is
    /// added (it does not see its own addition), and returns the emitter: Node's
    /// `emitter.on('newListener', (event, listener) => ..)`, without the listener, which Rust
    /// cannot hand out. Its own methods, because its closure takes a name, not a `&T`.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// let names = Rc::new(RefCell::new(Vec::new()));
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let n = names.clone();
    /// emitter
    ///     .on_new_listener(move |name| n.borrow_mut().push(name.to_string()))
    ///     .on("hello", |_| {})
    ///     .on("foo", |_| {});
    /// assert_eq!(*names.borrow(), ["hello", "foo"]);
    /// ```
    pub fn on_new_listener(&self, listener: impl FnMut(&str) + 'static) -> &Self {
        self.add(
            NEW_LISTENER,
            Stored::Name(Rc::new(RefCell::new(listener))),
            false,
            false,
        );
        self
    }

    /// Adds a `'removeListener'` listener, called with the event name after a listener is
    /// removed (by `off`, `remove_all_listeners`, or as a `once` listener about to run), and
    /// returns the emitter: Node's `emitter.on('removeListener', ..)`.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// let names = Rc::new(RefCell::new(Vec::new()));
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let n = names.clone();
    /// let id = emitter.on_with_id("hello", |_| {});
    /// emitter
    ///     .on_remove_listener(move |name| n.borrow_mut().push(name.to_string()))
    ///     .off(id);
    /// assert_eq!(*names.borrow(), ["hello"]);
    /// ```
    pub fn on_remove_listener(&self, listener: impl FnMut(&str) + 'static) -> &Self {
        self.add(
            REMOVE_LISTENER,
            Stored::Name(Rc::new(RefCell::new(listener))),
            false,
            false,
        );
        self
    }

    /// [`on_new_listener`](EventEmitter::on_new_listener) for the next addition only: Node's
    /// `emitter.once('newListener', ..)`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.once_new_listener(|name| assert_eq!(name, "first"));
    /// emitter.on("first", |_| {}).on("second", |_| {});
    /// assert_eq!(emitter.listener_count(nodenet::events::NEW_LISTENER), 0);
    /// ```
    pub fn once_new_listener(&self, listener: impl FnOnce(&str) + 'static) -> &Self {
        self.add(NEW_LISTENER, Self::name_once(listener), true, false);
        self
    }

    /// [`on_remove_listener`](EventEmitter::on_remove_listener) for the next removal only:
    /// Node's `emitter.once('removeListener', ..)`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let id = emitter.on_with_id("e", |_| {});
    /// emitter.once_remove_listener(|name| assert_eq!(name, "e")).off(id);
    /// assert_eq!(emitter.listener_count(nodenet::events::REMOVE_LISTENER), 0);
    /// ```
    pub fn once_remove_listener(&self, listener: impl FnOnce(&str) + 'static) -> &Self {
        self.add(REMOVE_LISTENER, Self::name_once(listener), true, false);
        self
    }

    fn name_once(listener: impl FnOnce(&str) + 'static) -> Stored<T> {
        let mut listener = Some(listener);
        Stored::Name(Rc::new(RefCell::new(move |name: &str| {
            if let Some(listener) = listener.take() {
                listener(name);
            }
        })))
    }

    /// Removes the listener `on_with_id` (or `once_with_id`) returned, emits
    /// `'removeListener'`, and returns the emitter: Node's `emitter.off(event, listener)`. An id
    /// already removed, or from another emitter, removes nothing.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let id = emitter.on_with_id("e", |_| unreachable!());
    /// assert!(!emitter.off(id).emit("e", &()));
    /// ```
    pub fn off(&self, listener: ListenerId) -> &Self {
        let removed = self.listeners.borrow_mut().remove(listener);
        if let Some(removed) = removed {
            let event = removed.event.clone();
            // Dropped before any listener runs and outside the borrow: its captures may hold
            // this emitter.
            drop(removed);
            self.emit_name(REMOVE_LISTENER, &event);
        }
        self
    }

    /// The same as [`off`](EventEmitter::off): Node's `emitter.removeListener`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let id = emitter.on_with_id("e", |_| {});
    /// assert_eq!(emitter.remove_listener(id).listener_count("e"), 0);
    /// ```
    pub fn remove_listener(&self, listener: ListenerId) -> &Self {
        self.off(listener)
    }

    /// Removes every listener of `event`, and returns the emitter: Node's
    /// `emitter.removeAllListeners(event)`. With `'removeListener'` listeners, each removal is
    /// reported, the last added first, as in Node.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.on("a", |_| {}).on("b", |_| {});
    /// assert_eq!(emitter.remove_all_listeners("a").event_names(), ["b"]);
    /// ```
    pub fn remove_all_listeners(&self, event: &str) -> &Self {
        if self.listener_count(REMOVE_LISTENER) == 0 {
            let removed = self
                .listeners
                .borrow_mut()
                .remove_all(Some(&event.to_string()));
            drop(removed);
        } else {
            for raw in self.raw_listeners(event).iter().rev() {
                self.off(raw.id);
            }
        }
        self
    }

    /// Removes every listener, and returns the emitter: Node's `emitter.removeAllListeners()`.
    /// The `'removeListener'` listeners go last, so they hear about all the others.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.on("a", |_| {});
    /// assert!(emitter.remove_every_listener().event_names().is_empty());
    /// ```
    pub fn remove_every_listener(&self) -> &Self {
        for event in self.event_names() {
            if event != REMOVE_LISTENER {
                self.remove_all_listeners(&event);
            }
        }
        self.remove_all_listeners(REMOVE_LISTENER)
    }

    /// How many listeners `event` has: Node's `emitter.listenerCount(event)`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.on("a", |_| {});
    /// assert_eq!(emitter.listener_count("a"), 1);
    /// ```
    pub fn listener_count(&self, event: &str) -> usize {
        self.listeners.borrow().count(&event.to_string())
    }

    /// The ids of `event`'s listeners, in the order they are called: Node's
    /// `emitter.listeners(event)`. Ids, because a stored closure cannot be handed out and
    /// called from outside; an id is what [`off`](EventEmitter::off) takes.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let a = emitter.on_with_id("e", |_| {});
    /// let b = emitter.once_with_id("e", |_| {});
    /// assert_eq!(emitter.listeners("e"), [a, b]);
    /// ```
    pub fn listeners(&self, event: &str) -> Vec<ListenerId> {
        self.raw_listeners(event)
            .into_iter()
            .map(|raw| raw.id)
            .collect()
    }

    /// `event`'s listeners with their `once` flag: Node's `emitter.rawListeners(event)`,
    /// which shows `once` listeners as their wrappers.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.on("e", |_| {}).once("e", |_| {});
    /// let once: Vec<bool> = emitter.raw_listeners("e").iter().map(|raw| raw.once).collect();
    /// assert_eq!(once, [false, true]);
    /// ```
    pub fn raw_listeners(&self, event: &str) -> Vec<RawListener> {
        self.listeners.borrow().raw(&event.to_string())
    }

    /// The events that have listeners, in the order each got its first one since it last had
    /// none (a prepend does not reorder them; [`ERROR_MONITOR`] comes last, as Node's symbol
    /// does): Node's `emitter.eventNames()`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.on("b", |_| {}).on("a", |_| {}).prepend_listener("a", |_| {});
    /// assert_eq!(emitter.event_names(), ["b", "a"]);
    /// ```
    pub fn event_names(&self) -> Vec<String> {
        let mut names = self.listeners.borrow().event_names();
        names.sort_by_key(|name| name == ERROR_MONITOR);
        names
    }

    /// Calls every listener of `event` with `payload`, in order; returns whether there was any:
    /// Node's `emitter.emit(event, ...args)`.
    ///
    /// Listeners added during the emit do not run in it; listeners removed during it still do.
    /// An `"error"` emit calls the [`ERROR_MONITOR`] listeners first; they do not count. An
    /// `"error"` with no listener is unhandled, as a socket's is: it goes to this thread's
    /// [`set_unhandled_error_policy`](crate::set_unhandled_error_policy) (by default the next
    /// [`run`](crate::run) returns it) where Node would throw. The payload is passed on if it
    /// is a [`crate::Error`]; otherwise the error is Node's `ERR_UNHANDLED_ERROR`. A listener
    /// that re-enters its own emit is skipped there (an `FnMut` cannot run twice at once) and a
    /// warning is logged.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<&str>::new();
    /// let e = emitter.clone();
    /// emitter.on("ping", move |_| {
    ///     e.on("ping", |_| unreachable!("added during the emit"));
    /// });
    /// assert!(emitter.emit("ping", &"x"));
    ///
    /// let failing = nodenet::events::EventEmitter::<nodenet::Error>::new();
    /// assert!(!failing.emit("error", &nodenet::Error::with_code("EBOOM", "boom")));
    /// assert_eq!(nodenet::run().unwrap_err().code(), Some("EBOOM"));
    /// ```
    pub fn emit(&self, event: &str, payload: &T) -> bool {
        if event == "error" {
            self.emit(ERROR_MONITOR, payload);
        }
        let snapshot = self.listeners.borrow().snapshot();
        let called = emit_snapshot(
            &snapshot,
            |name| name == event,
            |entry| self.remove_once(entry),
            |stored| {
                if let Stored::Payload(listener) = stored {
                    invoke(listener, |listener| listener(payload));
                }
            },
        );
        if !called && event == "error" {
            crate::runtime::unhandled::unhandled(unhandled_error(payload));
        }
        called
    }

    /// A `once` listener about to run leaves the list, reported as Node's onceWrapper does.
    fn remove_once(&self, entry: &Entry<String, Stored<T>>) {
        let removed = self.listeners.borrow_mut().remove(entry.id);
        if removed.is_some() {
            drop(removed);
            self.emit_name(REMOVE_LISTENER, &entry.event);
        }
    }

    /// `'newListener'` or `'removeListener'` with an event's name.
    fn emit_name(&self, which: &str, event: &str) {
        if self.listener_count(which) == 0 {
            return;
        }
        let snapshot = self.listeners.borrow().snapshot();
        emit_snapshot(
            &snapshot,
            |name| name == which,
            |entry| self.remove_once(entry),
            |stored| {
                if let Stored::Name(listener) = stored {
                    invoke(listener, |listener| listener(event));
                }
            },
        );
    }
}

/// What an `"error"` emit nobody took hands to the unhandled-error policy: the payload itself
/// when it is a [`crate::Error`], as Node throws an `Error` payload; otherwise Node's
/// `ERR_UNHANDLED_ERROR`, with the payload in the message when it is a string or `()` (Node's
/// `undefined`); other payloads cannot be shown without a `Debug` bound on every emitter.
fn unhandled_error<T: 'static>(payload: &T) -> crate::Error {
    let any: &dyn Any = payload;
    if let Some(error) = any.downcast_ref::<crate::Error>() {
        return error.clone();
    }
    if any.is::<()>() {
        // Node's `emit('error')` with no argument: the payload is `undefined`.
        return crate::Error::with_code("ERR_UNHANDLED_ERROR", "Unhandled error. (undefined)");
    }
    let detail = any
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| any.downcast_ref::<String>().cloned());
    let message = match detail {
        Some(text) => format!("Unhandled error. ('{text}')"),
        None => "Unhandled error.".to_string(),
    };
    crate::Error::with_code("ERR_UNHANDLED_ERROR", message)
}

impl<T> std::fmt::Debug for EventEmitter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventEmitter").finish_non_exhaustive()
    }
}
