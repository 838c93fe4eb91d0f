//! End-to-end acknowledgement.
//!
//! A source attaches an [`Ack`] to every record it emits and keeps the
//! matching [`AckWaiter`]. Every copy of the record (fan-out clones, the
//! outputs of a transform) carries its own handle on one shared state, and
//! each handle must be *resolved* exactly once:
//!
//! - a sink calls [`Ack::delivered`] after the record is stored durably;
//! - a stage that refuses the article calls [`Ack::reject`] with a reason;
//! - the runner resolves the input handle of a transform once the outputs carry
//!   their own copies (or once a transform consumed a record without output).
//!
//! When the last handle is gone the waiter resolves with
//! [`AckStatus::Delivered`] if every handle was delivered,
//! [`AckStatus::Rejected`] if any stage rejected the article (the source then
//! quarantines the input), or [`AckStatus::Lost`] if some copy was dropped
//! unresolved (a sink died, a channel closed): the input is then *not* marked
//! done and is taken again at the next start. If the process dies the waiter
//! never resolves, with the same effect.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

/// Why a stage refused an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// The component that refused it (`transforms.normalize`).
    pub component: String,
    /// What went wrong, lowercase, no trailing period.
    pub reason: String,
    /// What the user can do about it.
    pub hint: String,
}

/// Final outcome of an article, reported to its source.
#[derive(Debug, Clone, PartialEq)]
pub enum AckStatus {
    /// Every sink it reached has stored it durably.
    Delivered {
        /// Time each component spent on the article, in microseconds.
        timings: Vec<(String, u64)>,
    },
    /// A stage refused it; the first rejection wins.
    Rejected(Rejection),
    /// A copy was dropped before delivery (a component stopped); not done.
    Lost,
}

struct Inner {
    sender: Option<oneshot::Sender<AckStatus>>,
    rejection: Mutex<Option<Rejection>>,
    timings: Mutex<Vec<(String, u64)>>,
    lost: AtomicBool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let rejection = self.rejection.get_mut().map(Option::take).unwrap_or(None);
        let status = if let Some(rejection) = rejection {
            AckStatus::Rejected(rejection)
        } else if *self.lost.get_mut() {
            AckStatus::Lost
        } else {
            AckStatus::Delivered {
                timings: std::mem::take(self.timings.get_mut().unwrap_or_else(|e| e.into_inner())),
            }
        };
        if let Some(sender) = self.sender.take() {
            // The source may be gone (shutdown timed out); nothing to do then.
            let _ = sender.send(status);
        }
    }
}

/// Acknowledgement handle carried with one copy of a record.
///
/// Cloning makes a new, unresolved handle on the same article.
pub struct Ack {
    inner: Option<Arc<Inner>>,
    resolved: bool,
}

impl Clone for Ack {
    fn clone(&self) -> Ack {
        Ack {
            inner: self.inner.clone(),
            resolved: false,
        }
    }
}

impl Drop for Ack {
    fn drop(&mut self) {
        if !self.resolved
            && let Some(inner) = &self.inner
        {
            inner.lost.store(true, Ordering::Release);
        }
    }
}

impl std::fmt::Debug for Ack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.inner.is_some() {
            "Ack"
        } else {
            "Ack(untracked)"
        })
    }
}

/// Formats per-component timings for a log field:
/// `transforms.normalize=0.389ms sinks.out=0.691ms`.
pub fn format_timings(timings: &[(String, u64)]) -> String {
    timings
        .iter()
        .map(|(component, micros)| format!("{component}={:.3}ms", *micros as f64 / 1000.0))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The source's side of an [`Ack`]: resolves once every handle is gone.
pub type AckWaiter = oneshot::Receiver<AckStatus>;

impl Ack {
    /// Returns a new acknowledgement and the waiter that learns its outcome.
    pub fn new() -> (Ack, AckWaiter) {
        let (sender, receiver) = oneshot::channel();
        let inner = Inner {
            sender: Some(sender),
            rejection: Mutex::new(None),
            timings: Mutex::new(Vec::new()),
            lost: AtomicBool::new(false),
        };
        (
            Ack {
                inner: Some(Arc::new(inner)),
                resolved: false,
            },
            receiver,
        )
    }

    /// Returns an acknowledgement nobody waits for (tests, `inspect`).
    pub fn untracked() -> Ack {
        Ack {
            inner: None,
            resolved: false,
        }
    }

    /// Resolves this copy as stored (or deliberately consumed).
    pub fn delivered(mut self) {
        self.resolved = true;
    }

    /// Resolves this copy as refused by `component`. The first rejection of an
    /// article wins.
    pub fn reject(mut self, component: &str, reason: impl Into<String>, hint: impl Into<String>) {
        self.resolved = true;
        if let Some(inner) = &self.inner {
            let mut slot = inner.rejection.lock().unwrap_or_else(|e| e.into_inner());
            if slot.is_none() {
                *slot = Some(Rejection {
                    component: component.to_string(),
                    reason: reason.into(),
                    hint: hint.into(),
                });
            }
        }
    }

    /// Records the time `component` spent on the article.
    pub fn add_timing(&self, component: &str, elapsed: Duration) {
        if let Some(inner) = &self.inner {
            let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
            let mut timings = inner.timings.lock().unwrap_or_else(|e| e.into_inner());
            match timings.iter_mut().find(|(name, _)| name == component) {
                Some((_, total)) => *total = total.saturating_add(micros),
                None => timings.push((component.to_string(), micros)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn delivered_after_every_copy_delivered() {
        let (ack, mut waiter) = Ack::new();
        let copy = ack.clone();
        ack.delivered();
        assert!(waiter.try_recv().is_err(), "must wait for every copy");
        copy.add_timing("sinks.out", Duration::from_micros(7));
        copy.delivered();
        match waiter.await.unwrap() {
            AckStatus::Delivered { timings } => assert_eq!(timings, vec![("sinks.out".into(), 7)]),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn a_dropped_copy_means_lost() {
        let (ack, waiter) = Ack::new();
        let copy = ack.clone();
        ack.delivered();
        drop(copy);
        assert_eq!(waiter.await.unwrap(), AckStatus::Lost);
    }

    #[tokio::test]
    async fn first_rejection_wins() {
        let (ack, waiter) = Ack::new();
        let copy = ack.clone();
        ack.reject("transforms.a", "bad", "fix it");
        copy.reject("sinks.b", "worse", "");
        match waiter.await.unwrap() {
            AckStatus::Rejected(r) => assert_eq!(r.component, "transforms.a"),
            other => panic!("unexpected {other:?}"),
        }
    }
}
