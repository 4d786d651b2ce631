//! What goes out by itself: exit invitations on the leave date, the rest
//! of a large selection an admin invited, and at
//! most [`store::MAX_REMINDERS`] reminders of unanswered invitations (never
//! to people who joined, declined, whose address was rejected or who are
//! on the do-not-contact list; not in networks that turned reminders off).
//! The job worker calls [`sweep`] when idle ([`register`]); each item is
//! claimed by one conditional write before its e-mail is written, so two
//! app nodes never send the same one.

use super::*;
use std::collections::HashMap;

use enishi_store::networks::{self as networks_store, NetworkId};

/// Items of each kind one query of a sweep takes.
const SWEEP_BATCH: i64 = 500;
/// Batches of scheduled invitations one sweep sends at most (the next
/// sweep takes the rest).
const MAX_BATCHES: usize = 20;

/// Sends what is due at `now`; returns how many e-mails were written. One
/// item's failure is logged and does not stop the others.
pub async fn sweep(state: &AppState, now: i64) -> Result<usize, AppError> {
    let mut run = Run {
        state,
        heads: HashMap::new(),
        sent: 0,
    };
    // reminders first: an invitation this sweep sends is not yet due one
    for due in store::due_reminders(&state.db, now, SWEEP_BATCH).await? {
        let taken =
            store::take_reminder(&state.db, NetworkId(due.network_id), due.id, due.reminders)
                .await?;
        run.send(due, taken, Letter::Reminder).await?;
    }
    // scheduled ones (exit invitations, the rest of a large selection), a
    // batch at a time until none is due
    for _ in 0..MAX_BATCHES {
        let batch = store::due_scheduled(&state.db, now, SWEEP_BATCH).await?;
        let full = batch.len() as i64 == SWEEP_BATCH;
        for due in batch {
            let taken =
                store::take_scheduled(&state.db, NetworkId(due.network_id), due.id, now).await?;
            run.send(due, taken, Letter::Invitation).await?;
        }
        if !full {
            break;
        }
    }
    Ok(run.sent)
}

/// One sweep: the letterhead of each network it writes for, read once.
struct Run<'a> {
    state: &'a AppState,
    heads: HashMap<i64, Option<Letterhead>>,
    sent: usize,
}

impl Run<'_> {
    /// Sends `due` if this sweep `taken` it; a failure to send is logged.
    async fn send(&mut self, due: store::Due, taken: bool, letter: Letter) -> Result<(), AppError> {
        if !taken {
            return Ok(());
        }
        if !self.heads.contains_key(&due.network_id) {
            let head =
                match networks_store::by_id(&self.state.db, NetworkId(due.network_id)).await? {
                    Some(network) => Some(Letterhead::load(self.state, &network).await?),
                    None => None,
                };
            self.heads.insert(due.network_id, head);
        }
        let Some(Some(head)) = self.heads.get(&due.network_id) else {
            return Ok(());
        };
        match send_due(self.state, head, due, letter).await {
            Ok(true) => self.sent += 1,
            Ok(false) => {}
            Err(e) => {
                tracing::warn!(record = due.id, error = %e, "invitation or reminder not sent")
            }
        }
        Ok(())
    }
}

async fn send_due(
    state: &AppState,
    head: &Letterhead,
    due: store::Due,
    letter: Letter,
) -> Result<bool, AppError> {
    let network = &head.network;
    let Some(r) = store::record(&state.db, network.scope(), due.id).await? else {
        return Ok(false);
    };
    // blocked, joined or declined since it was found: nothing goes out
    if !r.invitable() {
        return Ok(false);
    }
    send_invitation(state, head, &r, due.actor, letter).await?;
    // a queued part of a selection was audited when the admin chose it
    let action = match (letter, r.origin.as_str()) {
        (Letter::Reminder, _) => "intake.reminder_sent",
        (Letter::Invitation, "exit") => "intake.exit_invitation_sent",
        (Letter::Invitation, _) => return Ok(true),
    };
    state
        .record_event(
            Some(network.id),
            None,
            action,
            Some(&format!("record:{}", r.id)),
            "",
        )
        .await;
    Ok(true)
}

/// Adds the invitation sweep to `worker`.
pub fn register(worker: enishi_jobs::Worker, state: &AppState) -> enishi_jobs::Worker {
    let state = state.clone();
    worker.every("invitations", move |now| {
        let state = state.clone();
        Box::pin(async move { sweep(&state, now).await.map_err(|e| e.to_string()) })
    })
}
