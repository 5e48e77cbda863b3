//! Node's `events` module: an [`EventEmitter`] for your own events.
//!
//! Events are named by strings, as in Node, and all events of one emitter carry the same payload
//! type `T` (use an enum for several shapes). Emits are synchronous, with Node's semantics: the
//! listener list is snapshotted when an emit starts, `once` listeners run once, `prepend_listener`
//! puts a listener first.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use crate::listeners::{ListenerId, Listeners};
use crate::runtime::emit::invoke;

type StoredListener<T> = Rc<RefCell<dyn FnMut(&T)>>;

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
    listeners: Rc<RefCell<Listeners<String, StoredListener<T>>>>,
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
/// ..)` returns false and logs, where Node would throw).
///
/// ```
/// use nodenet::events::{EventEmitter, ERROR_MONITOR};
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// let seen = Rc::new(RefCell::new(Vec::new()));
/// let emitter = EventEmitter::<&str>::new();
/// let s = seen.clone();
/// emitter.on(ERROR_MONITOR, move |err| s.borrow_mut().push(format!("monitor {err}")));
/// assert!(!emitter.emit("error", &"lost")); // seen, but not handled
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

    fn add(
        &self,
        event: &str,
        listener: impl FnMut(&T) + 'static,
        once: bool,
        prepend: bool,
    ) -> ListenerId {
        let listener: StoredListener<T> = Rc::new(RefCell::new(listener));
        let id = self
            .listeners
            .borrow_mut()
            .add(event.to_string(), listener, once, prepend);
        self.warn_if_too_many(event);
        id
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

    /// The same as [`on`](EventEmitter::on): Node's `emitter.addListener`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<u32>::new();
    /// emitter.add_listener("n", |n| println!("{n}"));
    /// assert_eq!(emitter.listener_count("n"), 1);
    /// ```
    pub fn add_listener(&self, event: &str, listener: impl FnMut(&T) + 'static) -> ListenerId {
        self.on(event, listener)
    }

    /// Sets how many listeners one event may have before a leak warning is logged (0: no
    /// limit): Node's `emitter.setMaxListeners(n)`.
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

    /// Adds a listener: Node's `emitter.on(event, listener)`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<u32>::new();
    /// emitter.on("n", |n| println!("{n}"));
    /// emitter.emit("n", &7);
    /// ```
    pub fn on(&self, event: &str, listener: impl FnMut(&T) + 'static) -> ListenerId {
        self.add(event, listener, false, false)
    }

    /// Adds a listener that runs at most once: Node's `emitter.once`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<u32>::new();
    /// emitter.once("n", |n| assert_eq!(*n, 1));
    /// assert!(emitter.emit("n", &1));
    /// assert!(!emitter.emit("n", &2));
    /// ```
    pub fn once(&self, event: &str, listener: impl FnMut(&T) + 'static) -> ListenerId {
        self.add(event, listener, true, false)
    }

    /// Adds a listener before the others: Node's `emitter.prependListener`.
    ///
    /// ```
    /// use std::cell::RefCell;
    /// use std::rc::Rc;
    /// let order = Rc::new(RefCell::new(Vec::new()));
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let o = order.clone();
    /// emitter.on("e", move |_| o.borrow_mut().push("on"));
    /// let o = order.clone();
    /// emitter.prepend_listener("e", move |_| o.borrow_mut().push("prepended"));
    /// emitter.emit("e", &());
    /// assert_eq!(*order.borrow(), ["prepended", "on"]);
    /// ```
    pub fn prepend_listener(&self, event: &str, listener: impl FnMut(&T) + 'static) -> ListenerId {
        self.add(event, listener, false, true)
    }

    /// A `once` listener added before the others: Node's `emitter.prependOnceListener`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.prepend_once_listener("e", |_| {});
    /// assert_eq!(emitter.listener_count("e"), 1);
    /// emitter.emit("e", &());
    /// assert_eq!(emitter.listener_count("e"), 0);
    /// ```
    pub fn prepend_once_listener(
        &self,
        event: &str,
        listener: impl FnMut(&T) + 'static,
    ) -> ListenerId {
        self.add(event, listener, true, true)
    }

    /// Removes a listener by the id `on` returned: Node's `emitter.off`. Returns whether it was
    /// there.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// let id = emitter.on("e", |_| unreachable!());
    /// assert!(emitter.off(id));
    /// assert!(!emitter.emit("e", &()));
    /// ```
    pub fn off(&self, listener: ListenerId) -> bool {
        let removed = self.listeners.borrow_mut().remove(listener);
        removed.is_some()
    }

    /// Removes every listener of `event`: Node's `emitter.removeAllListeners(event)`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.on("a", |_| {});
    /// emitter.on("b", |_| {});
    /// assert_eq!(emitter.remove_all_listeners("a"), 1);
    /// assert_eq!(emitter.event_names(), ["b"]);
    /// ```
    pub fn remove_all_listeners(&self, event: &str) -> usize {
        let removed = self
            .listeners
            .borrow_mut()
            .remove_all(Some(&event.to_string()));
        removed.len()
    }

    /// Removes every listener: Node's `emitter.removeAllListeners()`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.on("a", |_| {});
    /// assert_eq!(emitter.remove_every_listener(), 1);
    /// ```
    pub fn remove_every_listener(&self) -> usize {
        let removed = self.listeners.borrow_mut().remove_all(None);
        removed.len()
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

    /// The events that have listeners, in the order first registered: Node's
    /// `emitter.eventNames()`.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<()>::new();
    /// emitter.on("b", |_| {});
    /// emitter.on("a", |_| {});
    /// assert_eq!(emitter.event_names(), ["b", "a"]);
    /// ```
    pub fn event_names(&self) -> Vec<String> {
        self.listeners.borrow().event_names()
    }

    /// Calls every listener of `event` with `payload`, in order; returns whether there was any:
    /// Node's `emitter.emit(event, ...args)`.
    ///
    /// Listeners added during the emit do not run in it; listeners removed during it still do.
    /// Unlike Node, emitting `"error"` with no listener does not throw: it returns false and logs.
    /// An `"error"` emit calls the [`ERROR_MONITOR`] listeners first; they do not count.
    /// A listener that re-enters its own emit is skipped there (an `FnMut` cannot run twice at
    /// once) and a warning is logged.
    ///
    /// ```
    /// let emitter = nodenet::events::EventEmitter::<&str>::new();
    /// let e = emitter.clone();
    /// emitter.on("ping", move |_| {
    ///     e.on("ping", |_| unreachable!("added during the emit"));
    /// });
    /// assert!(emitter.emit("ping", &"x"));
    /// ```
    pub fn emit(&self, event: &str, payload: &T) -> bool {
        if event == "error" {
            self.emit(ERROR_MONITOR, payload);
        }
        let snapshot = self.listeners.borrow().snapshot();
        let mut called = false;
        for entry in snapshot.iter().filter(|entry| entry.event == event) {
            if entry.once {
                // Node's onceWrapper: runs once even if `off()` removed it during this emit.
                if !entry.claim() {
                    continue;
                }
                let removed = self.listeners.borrow_mut().remove(entry.id);
                drop(removed);
            }
            invoke(&entry.callback, |listener| listener(payload));
            called = true;
        }
        if !called && event == "error" {
            log::error!("unhandled 'error' event on an EventEmitter");
        }
        called
    }
}

impl<T> std::fmt::Debug for EventEmitter<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventEmitter").finish_non_exhaustive()
    }
}
