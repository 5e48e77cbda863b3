//! What a cluster's threads share, and the body of each loop's thread: Node's primary, which
//! keeps a channel to every worker and hears of the first one that dies.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use super::{stop, ClusterError, LoopContext, Setup};
use crate::process::Signal;
use crate::remote::{unref_remote, UnrefRemote};

/// What the cluster's threads share: how to reach each loop, and the first failure.
pub(super) struct Shared {
    /// A poster per loop, `None` before the loop exists and after its `run()` returned.
    pub(super) links: Vec<Mutex<Option<UnrefRemote>>>,
    pub(super) first_error: Mutex<Option<ClusterError>>,
}

impl Shared {
    pub(super) fn post(&self, index: usize, work: impl FnOnce() + Send + 'static) -> bool {
        let Some(link) = self.links.get(index) else {
            return false;
        };
        match link.lock() {
            Ok(link) => link.as_ref().is_some_and(|remote| remote.post(work)),
            Err(_) => false,
        }
    }

    pub(super) fn stop(&self) {
        for index in 0..self.links.len() {
            self.post(index, stop::stop_this_loop);
        }
    }

    /// Keeps the first failure and stops every loop.
    pub(super) fn fail(&self, error: ClusterError) {
        if let Ok(mut first) = self.first_error.lock() {
            first.get_or_insert(error);
        }
        self.stop();
    }

    pub(super) fn set_link(&self, index: usize, remote: Option<UnrefRemote>) {
        if let Some(Ok(mut link)) = self.links.get(index).map(|link| link.lock()) {
            *link = remote;
        }
    }
}

pub(super) fn loop_thread(
    ctx: LoopContext,
    setup: &Setup,
    signals: &[Signal],
    ready: mpsc::Sender<Result<(), ClusterError>>,
) {
    let index = ctx.index;
    let shared = Arc::clone(&ctx.shared);
    shared.set_link(index, Some(unref_remote()));
    // Before the setup, so a signal that comes once `start` has returned finds its listener.
    for &signal in signals {
        let stopper = ctx.stopper();
        crate::process::on(signal, move |_| stopper.stop());
    }
    let setup_result = catch_unwind(AssertUnwindSafe(|| setup(&ctx)));
    let setup_result = match setup_result {
        Ok(Ok(())) => Ok(()),
        Ok(Err(error)) => Err(ClusterError::Failed { index, error }),
        Err(payload) => Err(ClusterError::Panicked {
            index,
            message: panic_message(payload.as_ref()),
        }),
    };
    let failed = setup_result.is_err();
    let _ = ready.send(setup_result);
    if !failed {
        match catch_unwind(AssertUnwindSafe(crate::run)) {
            Ok(Ok(())) => {}
            Ok(Err(error)) => shared.fail(ClusterError::Failed { index, error }),
            Err(payload) => shared.fail(ClusterError::Panicked {
                index,
                message: panic_message(payload.as_ref()),
            }),
        }
    }
    // Work posted from now on is never run; it is dropped with the loop when the thread ends,
    // which is what tells `stats()` this loop will not answer.
    shared.set_link(index, None);
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(message) = payload.downcast_ref::<&str>() {
        (*message).to_string()
    } else if let Some(message) = payload.downcast_ref::<String>() {
        message.clone()
    } else {
        "a panic with a payload that is not a string".to_string()
    }
}
