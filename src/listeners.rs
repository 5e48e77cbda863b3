//! The listener list behind every emitter, with the semantics of Node's `EventEmitter`.
//!
//! Node copies the listener array when an emit starts, so a listener added during the emit does
//! not run in it and one removed during it still does. We get the same snapshot without copying:
//! the list is an `Rc<Vec<_>>`, an emit holds a clone of the `Rc`, and a change made while an emit
//! holds it copies the vector first (`Rc::make_mut`). In the steady state (no change during an
//! emit) an emit allocates nothing.

use std::cell::Cell;
use std::rc::Rc;

/// Identifies one registered listener, for [`off`](super::net::Socket::off).
///
/// Rust closures have no identity to compare, so where Node's `off(event, fn)` names the
/// function, nodenet's `off` takes the id that `on_with_id` (or `once_with_id`) returned; `on`
/// itself returns the emitter, for chaining, as Node's does. `listeners(event)` lists the ids.
///
/// ```
/// use nodenet::events::EventEmitter;
/// let emitter = EventEmitter::<u32>::new();
/// let id = emitter.on_with_id("tick", |_| {});
/// assert_eq!(emitter.listeners("tick"), [id]);
/// emitter.off(id);
/// assert_eq!(emitter.listener_count("tick"), 0);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ListenerId(u64);

thread_local! {
    // Ids are unique per thread, so `off` with an id from another emitter removes nothing.
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

fn next_id() -> ListenerId {
    NEXT_ID.with(|next| {
        let id = next.get();
        next.set(id + 1);
        ListenerId(id)
    })
}

/// One registered listener: which event, whether it is a `once`, and the callback.
pub(crate) struct Entry<K, C> {
    pub(crate) id: ListenerId,
    pub(crate) event: K,
    pub(crate) once: bool,
    /// Where the event's name stands in Node's `eventNames()` order: the id of the listener
    /// that gave the name its first listener (since it last had none). Kept in each entry, not
    /// in a list beside them, so that an idle socket's slot does not grow.
    name_order: u64,
    /// A `once` listener's run, shared by the live list and every snapshot: Node's
    /// `onceWrapper` `fired` flag. A `once` listener removed during an emit that has already
    /// passed it over still runs in that emit, but never twice.
    fired: Option<Rc<Cell<bool>>>,
    pub(crate) callback: C,
}

impl<K, C> Entry<K, C> {
    /// Claims a `once` listener's only run; false if it has run (or is running) already. Always
    /// true for other listeners.
    pub(crate) fn claim(&self) -> bool {
        self.fired.as_ref().is_none_or(|fired| !fired.replace(true))
    }
}

impl<K: Clone, C: Clone> Clone for Entry<K, C> {
    fn clone(&self) -> Self {
        Entry {
            id: self.id,
            event: self.event.clone(),
            once: self.once,
            name_order: self.name_order,
            fired: self.fired.clone(),
            callback: self.callback.clone(),
        }
    }
}

/// A listener as Node's `rawListeners` shows it: its id, and whether it is a `once` wrapper.
///
/// ```
/// use nodenet::events::EventEmitter;
/// let emitter = EventEmitter::<()>::new();
/// let id = emitter.once_with_id("e", |_| {});
/// let raw = emitter.raw_listeners("e");
/// assert_eq!(raw[0].id, id);
/// assert!(raw[0].once);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct RawListener {
    /// The id [`off`](crate::events::EventEmitter::off) takes.
    pub id: ListenerId,
    /// Added with `once`: it leaves the list when it runs.
    pub once: bool,
}

/// A copy-on-write list of listeners; see the module docs.
pub(crate) struct Listeners<K, C> {
    entries: Rc<Vec<Entry<K, C>>>,
}

impl<K, C> Default for Listeners<K, C> {
    fn default() -> Self {
        Listeners {
            entries: Rc::new(Vec::new()),
        }
    }
}

/// Node's `emit`: calls `call` for each listener of the snapshot whose event `matches`, in
/// order; a `once` listener is first claimed (it runs at most once, even if `off()` removed it
/// after the snapshot was taken, as Node's `onceWrapper`) and handed to `remove_once` to leave
/// the live list before it runs. Returns whether any listener ran. The one emit loop of the
/// crate: handles, `EventEmitter` and `Framed` all walk their lists with it.
#[inline(always)]
pub(crate) fn emit_snapshot<K, C>(
    snapshot: &[Entry<K, C>],
    matches: impl Fn(&K) -> bool,
    mut remove_once: impl FnMut(&Entry<K, C>),
    mut call: impl FnMut(&C),
) -> bool {
    let mut called = false;
    for entry in snapshot {
        if !matches(&entry.event) {
            continue;
        }
        if entry.once {
            if !entry.claim() {
                continue;
            }
            remove_once(entry);
        }
        call(&entry.callback);
        called = true;
    }
    called
}

impl<K: Clone + PartialEq, C: Clone> Listeners<K, C> {
    pub(crate) fn add(&mut self, event: K, callback: C, once: bool, prepend: bool) -> ListenerId {
        let id = next_id();
        // A name keeps its place while it has listeners, so a prepend does not move it.
        let name_order = self
            .entries
            .iter()
            .find(|entry| entry.event == event)
            .map_or(id.0, |entry| entry.name_order);
        let entry = Entry {
            id,
            event,
            once,
            name_order,
            fired: once.then(|| Rc::new(Cell::new(false))),
            callback,
        };
        let entries = Rc::make_mut(&mut self.entries);
        if prepend {
            entries.insert(0, entry);
        } else {
            entries.push(entry);
        }
        id
    }

    /// Removes the listener; the removed entry is returned so that its closure is dropped by the
    /// caller, outside any borrow of loop state.
    pub(crate) fn remove(&mut self, id: ListenerId) -> Option<Entry<K, C>> {
        let position = self.entries.iter().position(|entry| entry.id == id)?;
        Some(Rc::make_mut(&mut self.entries).remove(position))
    }

    /// Removes every listener of `event`, or all of them with `None`; returns them for dropping.
    pub(crate) fn remove_all(&mut self, event: Option<&K>) -> Vec<Entry<K, C>> {
        if self.entries.is_empty() {
            return Vec::new();
        }
        let entries = Rc::make_mut(&mut self.entries);
        let (removed, kept) = std::mem::take(entries)
            .into_iter()
            .partition(|entry| event.is_none_or(|event| entry.event == *event));
        *entries = kept;
        removed
    }

    pub(crate) fn count(&self, event: &K) -> usize {
        self.entries
            .iter()
            .filter(|entry| entry.event == *event)
            .count()
    }

    /// The list as it is now, for one emit to walk while the live list may change.
    pub(crate) fn snapshot(&self) -> Rc<Vec<Entry<K, C>>> {
        Rc::clone(&self.entries)
    }

    /// An id for a listener that was never stored (its handle was gone), so `off` finds nothing.
    pub(crate) fn add_detached(&self) -> ListenerId {
        next_id()
    }

    /// The names that have listeners, in Node's `eventNames()` order (see `name_order`).
    pub(crate) fn event_names(&self) -> Vec<K> {
        let mut names: Vec<(u64, K)> = Vec::new();
        for entry in self.entries.iter() {
            if !names.iter().any(|(_, name)| *name == entry.event) {
                names.push((entry.name_order, entry.event.clone()));
            }
        }
        names.sort_by_key(|(order, _)| *order);
        names.into_iter().map(|(_, name)| name).collect()
    }

    /// The listeners of `event` in the order an emit calls them.
    pub(crate) fn raw(&self, event: &K) -> Vec<RawListener> {
        self.entries
            .iter()
            .filter(|entry| entry.event == *event)
            .map(|entry| RawListener {
                id: entry.id,
                once: entry.once,
            })
            .collect()
    }
}
