//! # enishi-jobs — durable background work
//!
//! Jobs live in the application database (`store::jobs`). A [`Worker`]
//! claims one at a time (PostgreSQL: `FOR UPDATE SKIP LOCKED`, so several
//! app nodes can each run workers), runs its handler in its own task, and
//! records the outcome: done; retried with exponential back-off; or, after
//! `max_attempts` or a permanent error or a panic, `failed` with the error
//! text for the operator's jobs page. Nothing is lost and nothing is
//! retried forever.
//!
//! Kinds so far: `send_email` ([`mail`]), `import_leavers` ([`intake`]).
//!
//! Work that is due at a time rather than queued (invitations on a leave
//! date, reminders) is found by **sweeps**: functions the application
//! registers with [`Worker::every`] and the worker calls when idle, at
//! most every `sweep_every`. A sweep must be safe on several nodes at once:
//! each item it acts on is claimed by one conditional write first.

pub mod intake;
pub mod mail;

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use enishi_store::{Db, jobs, now_ms};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A claimed job's handler decides how it ended.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth trying again later (network trouble, a 4xx from SMTP, …).
    #[error("{0}")]
    Retry(String),
    /// Trying again cannot help (a 5xx rejection, a malformed payload).
    #[error("{0}")]
    Permanent(String),
}

/// Settings of a worker.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Shown in the jobs table as who holds a lock.
    pub name: String,
    /// How long to sleep when no job is due.
    pub idle: Duration,
    /// A running job locked for longer than this is presumed orphaned.
    pub stale_after: Duration,
    /// First retry delay; doubled on each further attempt.
    pub backoff: Duration,
    /// How often the sweeps run (when the queue is idle).
    pub sweep_every: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            name: format!("worker-{}", std::process::id()),
            idle: Duration::from_millis(500),
            stale_after: Duration::from_secs(600),
            backoff: Duration::from_secs(30),
            sweep_every: Duration::from_secs(60),
        }
    }
}

/// What a handler returns.
pub type JobFuture = Pin<Box<dyn Future<Output = Result<(), JobError>> + Send>>;
/// Runs one job of a kind.
pub type Handler = Arc<dyn Fn(Db, jobs::Job) -> JobFuture + Send + Sync>;

/// The handler of each job kind.
#[derive(Clone, Default)]
pub struct Handlers(HashMap<&'static str, Handler>);

impl Handlers {
    /// Every kind Enishi itself enqueues.
    pub fn standard(mailer: mail::Mailer) -> Handlers {
        let mailer = Arc::new(mailer);
        Handlers::default()
            .register("send_email", move |db, job| {
                let mailer = mailer.clone();
                Box::pin(async move { mail::send_job(&db, &mailer, &job).await })
            })
            .register("import_leavers", |db, job| {
                Box::pin(async move { intake::import_job(&db, &job).await })
            })
    }

    /// Adds (or replaces) the handler of `kind`.
    pub fn register(
        mut self,
        kind: &'static str,
        handler: impl Fn(Db, jobs::Job) -> JobFuture + Send + Sync + 'static,
    ) -> Handlers {
        self.0.insert(kind, Arc::new(handler));
        self
    }
}

/// Runs jobs until told to stop.
pub struct Worker {
    db: Db,
    handlers: Handlers,
    config: WorkerConfig,
    wake: Arc<tokio::sync::Notify>,
    sweeps: Vec<(&'static str, Sweep)>,
}

/// A sweep: called with the current time (ms), finds and does what is due.
pub type Sweep = Arc<dyn Fn(i64) -> SweepFuture + Send + Sync>;
/// What a sweep returns: how many items it acted on.
pub type SweepFuture = Pin<Box<dyn Future<Output = Result<usize, String>> + Send>>;

/// Handle to a running worker.
pub struct WorkerHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
    wake: Arc<tokio::sync::Notify>,
}

impl WorkerHandle {
    /// Asks the worker to look for jobs now instead of after its idle sleep.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// A cloneable waker for code that enqueues jobs.
    pub fn waker(&self) -> Arc<tokio::sync::Notify> {
        self.wake.clone()
    }

    /// Stops after the job in hand (if any) is finished.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.wake.notify_one();
        let _ = self.task.await;
    }
}

impl Worker {
    pub fn new(db: Db, handlers: Handlers, config: WorkerConfig) -> Worker {
        Worker {
            db,
            handlers,
            config,
            wake: Arc::new(tokio::sync::Notify::new()),
            sweeps: Vec::new(),
        }
    }

    /// The waker of this worker (for code that enqueues jobs), before it
    /// is spawned.
    pub fn waker(&self) -> Arc<tokio::sync::Notify> {
        self.wake.clone()
    }

    /// Adds a sweep named `name` (for the log).
    pub fn every(
        mut self,
        name: &'static str,
        sweep: impl Fn(i64) -> SweepFuture + Send + Sync + 'static,
    ) -> Worker {
        self.sweeps.push((name, Arc::new(sweep)));
        self
    }

    async fn run_sweeps(&self) {
        for (name, sweep) in &self.sweeps {
            // its own task, so a panic is logged, not fatal to the worker
            match tokio::spawn(sweep(now_ms())).await {
                Ok(Ok(0)) => {}
                Ok(Ok(n)) => tracing::info!(sweep = name, done = n, "sweep done"),
                Ok(Err(e)) => tracing::warn!(sweep = name, error = %e, "sweep failed"),
                Err(e) => tracing::error!(sweep = name, error = %e, "sweep panicked"),
            }
        }
    }

    /// Starts the loop in a task.
    pub fn spawn(self) -> WorkerHandle {
        let (stop, mut stopped) = watch::channel(false);
        let wake = self.wake.clone();
        let task = tokio::spawn(async move {
            let mut swept: Option<tokio::time::Instant> = None;
            loop {
                if *stopped.borrow() {
                    break;
                }
                match self.run_one().await {
                    Ok(true) => continue,
                    Ok(false) => {}
                    Err(e) => tracing::warn!(error = %e, "job queue unavailable"),
                }
                // Idle: tidy the growing tables, at most hourly across nodes.
                match enishi_store::housekeeping::run_if_due(&self.db).await {
                    Ok(Some(tidied)) => tracing::info!(?tidied, "housekeeping done"),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
                }
                if swept.is_none_or(|at| at.elapsed() >= self.config.sweep_every) {
                    self.run_sweeps().await;
                    swept = Some(tokio::time::Instant::now());
                }
                tokio::select! {
                    _ = tokio::time::sleep(self.config.idle) => {}
                    _ = self.wake.notified() => {}
                    _ = stopped.changed() => {}
                }
            }
        });
        WorkerHandle { stop, task, wake }
    }

    /// Claims and runs one due job. `Ok(false)` when none was due.
    pub async fn run_one(&self) -> Result<bool, enishi_store::StoreError> {
        let now = now_ms();
        let stale_before = now - self.config.stale_after.as_millis() as i64;
        let Some(job) = jobs::claim(&self.db, &self.config.name, now, stale_before).await? else {
            return Ok(false);
        };
        let outcome = match self.handlers.0.get(job.kind.as_str()) {
            // Its own task, so a panic is caught as a JoinError, not lost.
            Some(handler) => tokio::spawn(handler(self.db.clone(), job.clone())).await,
            None => Ok(Err(JobError::Permanent(format!(
                "unknown job kind {:?}",
                job.kind
            )))),
        };
        let now = now_ms();
        match outcome {
            Ok(Ok(())) => jobs::complete(&self.db, job.id, now).await?,
            Ok(Err(JobError::Retry(e))) if job.attempts < job.max_attempts => {
                let delay = self.config.backoff.as_millis() as i64
                    * (1i64 << (job.attempts - 1).clamp(0, 16));
                tracing::warn!(job = job.id, kind = %job.kind, attempt = job.attempts, error = %e, "job failed; will retry");
                jobs::fail(&self.db, job.id, &e, now, Some(now + delay)).await?;
            }
            Ok(Err(e)) => {
                tracing::error!(job = job.id, kind = %job.kind, error = %e, "job failed for good");
                jobs::fail(&self.db, job.id, &e.to_string(), now, None).await?;
            }
            Err(join) => {
                let message = panic_message(join);
                tracing::error!(job = job.id, kind = %job.kind, error = %message, "job panicked");
                jobs::fail(&self.db, job.id, &message, now, None).await?;
            }
        }
        Ok(true)
    }
}

fn panic_message(join: tokio::task::JoinError) -> String {
    match join.try_into_panic() {
        Ok(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".into());
            format!("panicked: {text}")
        }
        Err(e) => format!("cancelled: {e}"),
    }
}
