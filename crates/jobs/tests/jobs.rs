//! The job queue on real engines: exactly-once claims across concurrent
//! workers, retries with back-off, panics and permanent failures recorded,
//! orphaned jobs taken back.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use enishi_jobs::{Handlers, JobError, Worker, WorkerConfig};
use enishi_store::{Backend, jobs, now_ms};
use enishi_testkit::{TestDb, dual_test};

fn quick(name: &str) -> WorkerConfig {
    WorkerConfig {
        name: name.into(),
        idle: Duration::from_millis(10),
        stale_after: Duration::from_secs(600),
        backoff: Duration::from_millis(20),
        sweep_every: Duration::from_millis(20),
    }
}

async fn wait_until_settled(db: &enishi_store::Db, total: usize) -> Vec<jobs::Job> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let all = jobs::recent(db, None, 10_000).await.unwrap();
        if all.len() == total
            && all
                .iter()
                .all(|j| j.status == "done" || j.status == "failed")
        {
            return all;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "jobs did not settle: {:?}",
            jobs::counts(db).await.unwrap()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Three workers on 60 jobs: each job runs exactly once.
async fn concurrent_workers_run_each_job_once(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let runs: Arc<Mutex<HashMap<String, u32>>> = Arc::default();
    for n in 0..60 {
        jobs::enqueue(
            &test_db.db,
            "count",
            &format!("{{\"n\":{n}}}"),
            now_ms(),
            3,
            now_ms(),
        )
        .await
        .unwrap();
    }
    let handlers = {
        let runs = runs.clone();
        Handlers::default().register("count", move |_, job| {
            let runs = runs.clone();
            Box::pin(async move {
                *runs.lock().unwrap().entry(job.payload.clone()).or_default() += 1;
                tokio::time::sleep(Duration::from_millis(2)).await;
                Ok(())
            })
        })
    };
    let workers: Vec<_> = (0..3)
        .map(|i| {
            Worker::new(
                test_db.db.clone(),
                handlers.clone(),
                quick(&format!("w{i}")),
            )
            .spawn()
        })
        .collect();
    let all = wait_until_settled(&test_db.db, 60).await;
    for w in workers {
        w.stop().await;
    }
    assert!(
        all.iter().all(|j| j.status == "done" && j.attempts == 1),
        "{all:?}"
    );
    let runs = runs.lock().unwrap();
    assert_eq!(runs.len(), 60);
    assert!(runs.values().all(|n| *n == 1), "{runs:?}");
}

/// Retryable failures back off and stop at max_attempts; permanent ones and
/// panics fail at once; every failure keeps its error for the operator.
async fn failures_retry_then_stop_with_their_error(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let flaky = jobs::enqueue(db, "flaky", "{}", now_ms(), 3, now_ms())
        .await
        .unwrap();
    let hopeless = jobs::enqueue(db, "hopeless", "{}", now_ms(), 5, now_ms())
        .await
        .unwrap();
    let explode = jobs::enqueue(db, "explode", "{}", now_ms(), 5, now_ms())
        .await
        .unwrap();
    let unknown = jobs::enqueue(db, "no_such_kind", "{}", now_ms(), 5, now_ms())
        .await
        .unwrap();
    let recovers = jobs::enqueue(db, "recovers", "{}", now_ms(), 5, now_ms())
        .await
        .unwrap();
    let tries: Arc<Mutex<u32>> = Arc::default();
    let handlers = {
        let tries = tries.clone();
        Handlers::default()
            .register("flaky", |_, _| {
                Box::pin(async { Err(JobError::Retry("server busy".into())) })
            })
            .register("hopeless", |_, _| {
                Box::pin(async { Err(JobError::Permanent("no such user".into())) })
            })
            .register("explode", |_, _| Box::pin(async { panic!("handler bug") }))
            .register("recovers", move |_, _| {
                let tries = tries.clone();
                Box::pin(async move {
                    let mut n = tries.lock().unwrap();
                    *n += 1;
                    if *n < 2 {
                        Err(JobError::Retry("first try fails".into()))
                    } else {
                        Ok(())
                    }
                })
            })
    };
    let worker = Worker::new(db.clone(), handlers, quick("w")).spawn();
    wait_until_settled(db, 5).await;
    worker.stop().await;
    let get = |id| async move { jobs::get(db, id).await.unwrap().unwrap() };
    let job = get(flaky).await;
    assert_eq!(
        (job.status.as_str(), job.attempts, job.last_error.as_deref()),
        ("failed", 3, Some("server busy"))
    );
    let job = get(hopeless).await;
    assert_eq!(
        (job.status.as_str(), job.attempts, job.last_error.as_deref()),
        ("failed", 1, Some("no such user"))
    );
    let job = get(explode).await;
    assert_eq!((job.status.as_str(), job.attempts), ("failed", 1));
    assert!(
        job.last_error
            .as_deref()
            .unwrap()
            .contains("panicked: handler bug"),
        "{job:?}"
    );
    let job = get(unknown).await;
    assert!(
        job.status == "failed"
            && job
                .last_error
                .as_deref()
                .unwrap()
                .contains("unknown job kind")
    );
    let job = get(recovers).await;
    assert_eq!(
        (job.status.as_str(), job.attempts, job.last_error),
        ("done", 2, None)
    );
}

/// A job whose worker died mid-run is claimed again once its lock is stale;
/// a fresh lock is left alone; future jobs wait for their time.
async fn orphaned_jobs_are_taken_back(backend: Backend) {
    let test_db = TestDb::create(backend).await;
    let db = &test_db.db;
    let now = now_ms();
    let id = jobs::enqueue(db, "x", "{}", now, 3, now).await.unwrap();
    let later = jobs::enqueue(db, "x", "{}", now + 3_600_000, 3, now)
        .await
        .unwrap();
    let first = jobs::claim(db, "dead-worker", now, now - 600_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.id, first.attempts), (id, 1));
    assert!(
        jobs::claim(db, "other", now + 1_000, now - 600_000)
            .await
            .unwrap()
            .is_none(),
        "a fresh lock holds"
    );
    let again = jobs::claim(db, "other", now + 700_000, now + 100_000)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (again.id, again.attempts, again.locked_by.as_deref()),
        (id, 2, Some("other"))
    );
    let due = jobs::claim(db, "other", now + 3_600_001, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(due.id, later);
}

/// Sweeps run again and again while the queue is idle, with the time; one
/// that panics or fails does not stop the worker or the other sweeps.
async fn sweeps_run_while_idle_and_survive_failures(backend: Backend) {
    use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
    let test_db = TestDb::create(backend).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let last_now = Arc::new(AtomicI64::new(0));
    let worker = Worker::new(test_db.db.clone(), Handlers::default(), quick("sweeper"))
        .every("panics", |_| Box::pin(async { panic!("a broken sweep") }))
        .every("fails", |_| {
            Box::pin(async { Err("no database".to_string()) })
        })
        .every("counts", {
            let (calls, last_now) = (calls.clone(), last_now.clone());
            move |now| {
                let (calls, last_now) = (calls.clone(), last_now.clone());
                Box::pin(async move {
                    calls.fetch_add(1, Ordering::SeqCst);
                    last_now.store(now, Ordering::SeqCst);
                    Ok(1)
                })
            }
        })
        .spawn();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while calls.load(Ordering::SeqCst) < 3 {
        assert!(tokio::time::Instant::now() < deadline, "the sweeps stopped");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let now = now_ms();
    assert!((now - last_now.load(Ordering::SeqCst)).abs() < 10_000);
    // the job queue still works after the broken sweeps
    let runs = Arc::new(AtomicUsize::new(0));
    worker.stop().await;
    let handlers = Handlers::default().register("count", {
        let runs = runs.clone();
        move |_, _| {
            let runs = runs.clone();
            Box::pin(async move {
                runs.fetch_add(1, Ordering::SeqCst);
                Ok(())
            })
        }
    });
    let worker = Worker::new(test_db.db.clone(), handlers, quick("sweeper-2"))
        .every("panics", |_| Box::pin(async { panic!("a broken sweep") }))
        .spawn();
    jobs::enqueue(&test_db.db, "count", "{}", now_ms(), 3, now_ms())
        .await
        .unwrap();
    let all = wait_until_settled(&test_db.db, 1).await;
    assert_eq!(all[0].status, "done");
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    worker.stop().await;
}

dual_test!(
    concurrent_workers_run_each_job_once,
    failures_retry_then_stop_with_their_error,
    orphaned_jobs_are_taken_back,
    sweeps_run_while_idle_and_survive_failures
);
