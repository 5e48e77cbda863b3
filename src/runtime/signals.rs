//! The loop's side of signals: one `signal-hook` pipe registered with the poll, and the
//! listeners that [`crate::process`] adds. libuv's `uv_signal_t`, which Node's `process.on`
//! for signal events starts, works the same way (a self-pipe read by the loop).
//!
//! Kept apart from the handles in `core.io`: signals are per process, not per connection, and
//! never keep the loop alive (Node unrefs its signal handles).

use std::cell::RefCell;
use std::io;
use std::rc::Rc;

use mio::{Interest, Token};
use signal_hook_mio::v1_0::Signals;

use crate::listeners::{Entry, ListenerId, Listeners};
use crate::process::Signal;
use crate::runtime::core::{with_core, Core};
use crate::runtime::tasks;

/// The token of the signal pipe, beside the waker's.
pub(crate) const SIGNAL_TOKEN: Token = Token(usize::MAX - 1);

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

/// Adds a listener, catching its signal first if need be.
pub(crate) fn add(signal: Signal, listener: SignalListener, once: bool) -> ListenerId {
    let added = with_core(|core| {
        if let Err(err) = catch(core, signal) {
            log::error!("cannot catch {}: {err}", signal.name());
            // Handed back, to be dropped outside the borrow.
            return (core.signals.listeners.add_detached(), Some(listener));
        }
        log::debug!("listening for {}", signal.name());
        (
            core.signals.listeners.add(signal, listener, once, false),
            None,
        )
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
    if core.signals.caught.contains(&signal) {
        return Ok(());
    }
    match core.signals.signals.as_mut() {
        Some(signals) => signals.add_signal(signal.number())?,
        None => {
            let mut signals = Signals::new([signal.number()])?;
            core.poll
                .registry()
                .register(&mut signals, SIGNAL_TOKEN, Interest::READABLE)?;
            core.signals.signals = Some(signals);
        }
    }
    core.signals.caught.push(signal);
    Ok(())
}

/// Removes a listener; the entry comes back to be dropped outside the borrow.
pub(crate) fn remove(id: ListenerId) -> bool {
    let removed = with_core(|core| core.signals.listeners.remove(id)).flatten();
    let found = removed.is_some();
    drop(removed);
    found
}

pub(crate) fn count(signal: Signal) -> usize {
    with_core(|core| core.signals.listeners.count(&signal)).unwrap_or(0)
}

/// The signal pipe is readable: each signal that arrived is emitted to its listeners, in
/// order, with the loop not borrowed. A signal with no listener left gets its default action
/// (for SIGTERM and SIGINT, the end of the process), as Node restores it when the last
/// listener goes.
pub(crate) fn dispatch() {
    let arrived: Vec<Signal> = with_core(|core| {
        core.signals
            .signals
            .as_mut()
            .map_or_else(Vec::new, |signals| {
                signals.pending().filter_map(Signal::from_number).collect()
            })
    })
    .unwrap_or_default();
    for signal in arrived {
        let snapshot = with_core(|core| core.signals.listeners.snapshot());
        let Some(snapshot) = snapshot else { continue };
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
                let removed = with_core(|core| core.signals.listeners.remove(entry.id));
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
