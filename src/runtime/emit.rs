//! Emitting an event on a loop handle, with Node's `EventEmitter.emit` semantics.
//!
//! The listener list is snapshotted (an `Rc` clone, no allocation) while the core is borrowed,
//! then the borrow is released and each listener is called. A `once` listener is removed from
//! the live list just before it runs, as Node's `onceWrapper` does.

use std::any::Any;
use std::cell::RefCell;
use std::rc::Rc;

use crate::chunk::Chunk;
use crate::error::Error;
use crate::event::{Callback, Data, Event, Listener, NewListener, RemoveListener};
use crate::handle::HandleId;
use crate::listeners::{emit_snapshot, Entry, ListenerId, Listeners, RawListener};
use crate::runtime::core::{with_core, IoSlot};

pub(crate) type HandleListeners = Listeners<&'static str, Callback>;

/// Registers a listener on a handle, after emitting `'newListener'` as Node does; on a stale
/// handle the listener is dropped and the id returned matches nothing.
pub(crate) fn add(
    id: HandleId,
    event: &'static str,
    listener: Listener,
    once: bool,
    prepend: bool,
) -> ListenerId {
    emit_name(id, NewListener::NAME, event);
    let mut listener = Some(listener);
    let added = with_core(|core| {
        let slot = core.slot(id)?;
        let callback = listener.take()?.0;
        Some(slot.listeners.add(event, callback, once, prepend))
    })
    .flatten();
    drop(listener);
    added.unwrap_or_else(|| Listeners::<&'static str, Callback>::default().add_detached())
}

/// Removes one listener, then emits `'removeListener'` with its event's name.
pub(crate) fn remove(id: HandleId, listener: ListenerId) -> bool {
    let removed = with_core(|core| core.slot(id)?.listeners.remove(listener)).flatten();
    let Some(removed) = removed else {
        return false;
    };
    let event = removed.event;
    drop(removed);
    emit_name(id, RemoveListener::NAME, event);
    true
}

/// Node's `removeAllListeners([event])`: with `'removeListener'` listeners present, each
/// removal is reported, last added first, and the `'removeListener'` listeners go last.
pub(crate) fn remove_all(id: HandleId, event: Option<&'static str>) -> usize {
    let Some(event) = event else {
        let names = event_names(id);
        let others: usize = names
            .iter()
            .filter(|name| **name != RemoveListener::NAME)
            .map(|name| remove_all(id, Some(name)))
            .sum();
        return others + remove_all(id, Some(RemoveListener::NAME));
    };
    if count(id, RemoveListener::NAME) == 0 {
        let removed = with_core(|core| {
            core.slot(id)
                .map(|slot| slot.listeners.remove_all(Some(&event)))
        })
        .flatten()
        .unwrap_or_default();
        return removed.len();
    }
    raw_listeners(id, event)
        .iter()
        .rev()
        .filter(|raw| remove(id, raw.id))
        .count()
}

pub(crate) fn count(id: HandleId, event: &'static str) -> usize {
    with_core(|core| core.slot(id).map(|slot| slot.listeners.count(&event)))
        .flatten()
        .unwrap_or(0)
}

/// The listeners of `event`, in the order an emit calls them.
pub(crate) fn raw_listeners(id: HandleId, event: &'static str) -> Vec<RawListener> {
    with_core(|core| core.slot(id).map(|slot| slot.listeners.raw(&event)))
        .flatten()
        .unwrap_or_default()
}

/// Node's `eventNames()`: names in the order they got their first listener, with
/// `errorMonitor` (a symbol in Node, and symbols come after strings) last.
pub(crate) fn event_names(id: HandleId) -> Vec<&'static str> {
    let mut names = with_core(|core| core.slot(id).map(|slot| slot.listeners.event_names()))
        .flatten()
        .unwrap_or_default();
    names.sort_by_key(|name| *name == crate::event::ErrorMonitor::NAME);
    names
}

/// A handle's listener list as it was when an emit began.
pub(crate) type Snapshot = Rc<Vec<Entry<&'static str, Callback>>>;

/// The listener list of a handle, for an emit; taken with the core borrowed.
pub(crate) fn snapshot(slot: &IoSlot) -> Snapshot {
    slot.listeners.snapshot()
}

/// Event names are `&'static str` constants, so the same name is nearly always the same
/// pointer: compare lengths, then pointers, and the bytes only when the pointers differ.
#[inline(always)]
fn same_event(a: &'static str, b: &'static str) -> bool {
    a.len() == b.len() && (a.as_ptr() == b.as_ptr() || a == b)
}

/// Calls every listener of `event` on the handle; false when there was none.
pub(crate) fn emit(id: HandleId, event: &'static str, call: impl FnMut(&Callback)) -> bool {
    let Some(listeners) = with_core(|core| core.slot(id).map(|slot| snapshot(slot))).flatten()
    else {
        return false;
    };
    emit_to(id, &listeners, event, call)
}

/// Calls every listener of `event` in a snapshot taken earlier; false when there was none.
pub(crate) fn emit_to(
    id: HandleId,
    listeners: &Snapshot,
    event: &'static str,
    call: impl FnMut(&Callback),
) -> bool {
    emit_snapshot(
        listeners,
        |name| same_event(name, event),
        |entry| remove_once(id, entry),
        call,
    )
}

/// A `once` listener about to run leaves the live list, reported by `'removeListener'` as
/// Node's onceWrapper reports it. Out of line, so the usual emit (no `once`) stays small.
#[inline(never)]
fn remove_once(id: HandleId, entry: &Entry<&'static str, Callback>) {
    let removed = with_core(|core| core.slot(id)?.listeners.remove(entry.id)).flatten();
    if let Some(removed) = removed {
        drop(removed);
        emit_name(id, RemoveListener::NAME, entry.event);
    }
}

/// `'newListener'` or `'removeListener'` with an event's name. Out of line, and cheap when
/// nobody listens: one snapshot walk.
#[inline(never)]
fn emit_name(id: HandleId, which: &'static str, event: &'static str) -> bool {
    emit(id, which, |callback| {
        if let Callback::Name(listener) = callback {
            invoke(listener, |listener| listener(event));
        }
    })
}

/// Calls a stored closure unless it is already running further up the stack; an `FnMut` cannot
/// be entered twice, and a listener that emits its own event again is rare enough to log.
pub(crate) fn invoke<F: ?Sized>(cell: &RefCell<F>, call: impl FnOnce(&mut F)) {
    match cell.try_borrow_mut() {
        Ok(mut listener) => call(&mut listener),
        Err(_) => log::warn!("a listener re-entered itself through a nested emit; skipped"),
    }
}

pub(crate) fn emit_unit(id: HandleId, event: &'static str) -> bool {
    emit(id, event, |callback| {
        if let Callback::Unit(listener) = callback {
            invoke(listener, |listener| listener());
        }
    })
}

pub(crate) fn emit_flag(id: HandleId, event: &'static str, flag: bool) -> bool {
    emit(id, event, |callback| {
        if let Callback::Flag(listener) = callback {
            invoke(listener, |listener| listener(flag));
        }
    })
}

/// `'data'` to the listeners of a snapshot taken when the bytes were read.
pub(crate) fn emit_data_to(id: HandleId, listeners: &Snapshot, chunk: Chunk<'_>) -> bool {
    emit_to(id, listeners, Data::NAME, |callback| {
        call_data(callback, chunk)
    })
}

#[inline]
fn call_data(callback: &Callback, chunk: Chunk<'_>) {
    if let Callback::Data(listener) = callback {
        invoke(listener, |listener| listener(chunk));
    }
}

/// `'error'`, after the `errorMonitor` listeners, which only watch: Node's `emit('error')`
/// calls them first, and they do not count as handling the error.
pub(crate) fn emit_error(id: HandleId, error: &Error) -> bool {
    log::debug!("error: {}: {error}", describe(id));
    let call = |callback: &Callback| {
        if let Callback::Error(listener) = callback {
            invoke(listener, |listener| listener(error));
        }
    };
    emit(id, crate::event::ErrorMonitor::NAME, call);
    emit(id, crate::event::ErrorEvent::NAME, call)
}

/// An event whose argument is a type of the handle kind's own (a socket for `'connection'`,
/// the details of a lookup), which its listeners take back from `&dyn Any`.
pub(crate) fn emit_value(id: HandleId, event: &'static str, value: &dyn Any) -> bool {
    emit(id, event, |callback| {
        if let Callback::Value(listener) = callback {
            invoke(listener, |listener| listener(value));
        }
    })
}

/// The handle as a log line names it.
pub(crate) fn describe(id: HandleId) -> String {
    with_core(|core| core.slot(id).map(|slot| slot.kind.handle().describe()))
        .flatten()
        .unwrap_or_else(|| "a closed handle".to_owned())
}
