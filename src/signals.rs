//! The loop's side of signals: one `signal-hook` pipe registered with the poll, and the
//! listeners that [`crate::process`] adds. libuv's `uv_signal_t`, which Node's `process.on`
//! for signal events starts, works the same way (a self-pipe read by the loop).
//!
//! A client of the loop like net's sockets: one handle kind ([`HandleKind`]) per loop, made
//! with the first listener, whose readiness is the pipe's. The slot is never active, so it
//! never keeps the loop alive (Node unrefs its signal handles), is not counted by
//! `loop_stats`, and is not listed by `active_resources`.

use std::cell::{Cell, RefCell};
use std::io;
use std::rc::Rc;

use mio::{Interest, Token};
use signal_hook_mio::v1_0::Signals;

use crate::handle::HandleId;
use crate::kinds::Kind;
use crate::listeners::{Entry, ListenerId, Listeners};
use crate::process::Signal;
use crate::runtime::core::{with_core, Core};
use crate::runtime::handle_kind::{
    CloseFn, HandleKind, PendingFn, ReadBuffers, Readiness, ReadyFn, StatsClass,
};
use crate::runtime::tasks;

thread_local! {
    // The slot of this thread's signal handle, once a listener made it; one loop per thread.
    static SLOT: Cell<Option<HandleId>> = const { Cell::new(None) };
}

pub(crate) type SignalListener = Rc<RefCell<dyn FnMut(Signal)>>;

#[derive(Default)]
pub(crate) struct SignalState {
    /// Made, and registered with the poll, when the first listener is added.
    signals: Option<Signals>,
    /// The signals `signals` catches; a signal once caught stays caught, and is given its
    /// default action when it arrives with no listener (see [`dispatch`]).
    caught: Vec<Signal>,
    listeners: Listeners<Signal, SignalListener>,
}

impl HandleKind for SignalState {
    fn on_ready(&self) -> Option<ReadyFn> {
        Some(ready)
    }

    fn on_pending(&self) -> PendingFn {
        // Signals are read on readiness only: the pipe is drained in one go.
        |_, _| {}
    }

    fn on_close(&self) -> CloseFn {
        |_| {}
    }

    fn keeps_slot(&self) -> bool {
        // Never closed: a signal once caught stays caught for the life of the loop.
        true
    }

    fn freed(&mut self, _id: HandleId) -> Option<crate::threadpool::Work> {
        None
    }

    fn stats_class(&self) -> StatsClass {
        StatsClass::Uncounted
    }

    fn describe(&self) -> String {
        "signals".to_string()
    }
}

fn ready(_key: usize, _readiness: Readiness, _buffers: &mut ReadBuffers) {
    dispatch();
}

/// This loop's signal state, if a listener made it.
fn state(core: &mut Core) -> Option<&mut SignalState> {
    match &mut core.slot(SLOT.get()?)?.kind {
        Kind::Signals(state) => Some(state),
        _ => None,
    }
}

/// This loop's signal handle, made (inactive and unreferenced) on first need.
fn handle(core: &mut Core) -> HandleId {
    if let Some(id) = SLOT.get().filter(|id| core.slot(*id).is_some()) {
        return id;
    }
    let id = core.insert_io(Kind::Signals(Box::default()), false);
    core.set_referenced(id, false);
    SLOT.set(Some(id));
    id
}

/// Adds a listener, catching its signal first if need be.
pub(crate) fn add(signal: Signal, listener: SignalListener, once: bool) -> ListenerId {
    let added = with_core(|core| {
        if let Err(err) = catch(core, signal) {
            log::error!("cannot catch {}: {err}", signal.name());
            // Handed back, to be dropped outside the borrow.
            return (
                Listeners::<Signal, SignalListener>::default().add_detached(),
                Some(listener),
            );
        }
        log::debug!("listening for {}", signal.name());
        match state(core) {
            Some(state) => (state.listeners.add(signal, listener, once, false), None),
            None => (
                Listeners::<Signal, SignalListener>::default().add_detached(),
                Some(listener),
            ),
        }
    });
    match added {
        Some((id, rejected)) => {
            drop(rejected);
            id
        }
        None => Listeners::<Signal, SignalListener>::default().add_detached(),
    }
}

fn catch(core: &mut Core, signal: Signal) -> io::Result<()> {
    let id = handle(core);
    let Some(state) = state(core) else {
        return Err(io::Error::other("no signal handle"));
    };
    if state.caught.contains(&signal) {
        return Ok(());
    }
    match state.signals.as_mut() {
        Some(signals) => signals.add_signal(signal.number())?,
        None => {
            let mut signals = Signals::new([signal.number()])?;
            core.poll
                .registry()
                .register(&mut signals, Token(id.key()), Interest::READABLE)?;
            if let Some(state) = self::state(core) {
                state.signals = Some(signals);
            }
        }
    }
    if let Some(state) = self::state(core) {
        state.caught.push(signal);
    }
    Ok(())
}

/// Removes a listener; the entry comes back to be dropped outside the borrow.
pub(crate) fn remove(id: ListenerId) -> bool {
    let removed = with_core(|core| state(core)?.listeners.remove(id)).flatten();
    let found = removed.is_some();
    drop(removed);
    found
}

pub(crate) fn count(signal: Signal) -> usize {
    with_core(|core| state(core).map(|state| state.listeners.count(&signal)))
        .flatten()
        .unwrap_or(0)
}

/// The signal pipe is readable: each signal that arrived is emitted to its listeners, in
/// order, with the loop not borrowed. A signal with no listener left gets its default action
/// (for SIGTERM and SIGINT, the end of the process), as Node restores it when the last
/// listener goes.
fn dispatch() {
    let arrived: Vec<Signal> = with_core(|core| {
        state(core)
            .and_then(|state| state.signals.as_mut())
            .map_or_else(Vec::new, |signals| {
                signals.pending().filter_map(Signal::from_number).collect()
            })
    })
    .unwrap_or_default();
    for signal in arrived {
        let snapshot = with_core(|core| state(core).map(|state| state.listeners.snapshot()));
        let Some(Some(snapshot)) = snapshot else {
            continue;
        };
        let listening: Vec<&Entry<Signal, SignalListener>> = snapshot
            .iter()
            .filter(|entry| entry.event == signal)
            .collect();
        log::debug!("{} arrived, {} listener(s)", signal.name(), listening.len());
        if listening.is_empty() {
            if let Err(err) = signal_hook::low_level::emulate_default_handler(signal.number()) {
                log::error!("cannot give {} its default action: {err}", signal.name());
            }
            continue;
        }
        for entry in listening {
            if !entry.claim() {
                continue;
            }
            if entry.once {
                let removed = with_core(|core| {
                    state(core).and_then(|state| state.listeners.remove(entry.id))
                });
                drop(removed);
            }
            match entry.callback.try_borrow_mut() {
                Ok(mut listener) => listener(signal),
                Err(_) => log::error!("a {} listener is already running", signal.name()),
            }
            tasks::drain();
        }
    }
}
