//! Runs a leavers' import (job kind `import_leavers`, also called directly
//! by `enishi import`): reads the stored file a part at a time
//! ([`StoredFile`]) with the import's mapping, validates every row
//! ([`Evaluator`]: repeats remembered across parts) and applies the valid
//! ones in batches ([`enishi_store::intake::apply`]), each classified
//! against the roster of its own rows (read from the database, so memory
//! does not grow with the file or the network). Each batch
//! commits its rows with the import's progress, so a killed process
//! resumes after the last batch: rows before `done_rows` are re-read (for
//! duplicate detection) but not written again.

use enishi_core::intake::{Evaluator, Leaver, Mapping};
use enishi_store::housekeeping::RefreshAsItGrows;
use enishi_store::intake::{self as store, Progress, Roster, StoredFile};
use enishi_store::networks::{self, NetworkId};
use enishi_store::{Db, StoreError, jobs::Job, now_ms};

use crate::JobError;

/// Rows per transaction.
pub const BATCH: usize = 2000;

/// The job's payload.
#[derive(serde::Deserialize)]
struct Payload {
    network_id: i64,
    import_id: i64,
}

pub async fn import_job(db: &Db, job: &Job) -> Result<(), JobError> {
    let p: Payload = serde_json::from_str(&job.payload)
        .map_err(|e| JobError::Permanent(format!("bad payload: {e}")))?;
    match run(db, NetworkId(p.network_id), p.import_id).await {
        Ok(()) => Ok(()),
        Err(RunError::Store(e)) => Err(JobError::Retry(e.to_string())),
        Err(RunError::Gone) => Err(JobError::Permanent("no such import".into())),
    }
}

/// Why an import could not run.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Store(#[from] enishi_store::StoreError),
    #[error("no such import")]
    Gone,
}

/// The fewest rows an import writes before the planner's statistics are
/// refreshed ([`RefreshAsItGrows`]: into empty tables; into full ones, once
/// the import has doubled them, and at its end if it grew them by a tenth).
const STATISTICS_AFTER: i64 = 1_000;

/// The tables an import adds a row to per row of its file (HR's record, its
/// profile, the profile's stint and its entry in the search index).
const GROWN: [&str; 4] = ["alumni_records", "profiles", "tenures", "profile_search"];

/// The month "today" is for date checks: Japan's, so a leave date written
/// on the first of a month in Tokyo is not yet "in the future".
pub fn today() -> enishi_core::profile::YearMonth {
    enishi_core::profile::YearMonth::of_unix_ms(now_ms() + 9 * 3_600_000)
}

/// Runs (or resumes) import `id` of network `net` to the end.
pub async fn run(db: &Db, net: NetworkId, id: i64) -> Result<(), RunError> {
    let Some(import) = store::import(db, net, id).await? else {
        return Err(RunError::Gone);
    };
    if matches!(import.status.as_str(), "done" | "failed") {
        return Ok(());
    }
    let network = networks::by_id(db, net).await?.ok_or(RunError::Gone)?;
    let mut file = match StoredFile::open(db, net, id).await? {
        Ok(file) => file,
        Err(e) => {
            store::set_status(db, net, id, "failed", Some(e.key())).await?;
            return Ok(());
        }
    };
    let mapping = Mapping::from_names(&file.headers, &import.mapping_names());
    if !mapping.check(&file.headers).is_empty() {
        store::set_status(db, net, id, "failed", Some("intake.map_invalid")).await?;
        return Ok(());
    }
    store::set_status(db, net, id, "running", None).await?;
    let domains = network.domains();
    let skip = usize::try_from(import.done_rows).unwrap_or(0);
    // Reading and validating the file (CPU) runs on its own thread while
    // this task writes the batches before it (mostly the database's time):
    // on two cores the one overlaps the other. One batch may wait.
    let (sender, mut batches) = tokio::sync::mpsc::channel::<Result<Batch, StoreError>>(1);
    let reader_db = db.clone();
    let runtime = tokio::runtime::Handle::current();
    let reader = std::thread::Builder::new()
        .name("enishi-import-reader".into())
        .spawn(move || {
            let mut evaluator = Evaluator::new(&mapping, today(), &domains);
            let mut batch = Batch::default();
            let mut seen = 0usize;
            loop {
                let rows = match runtime.block_on(file.next_rows(&reader_db)) {
                    Ok(Some(rows)) => rows,
                    Ok(None) => break,
                    Err(e) => {
                        let _ = sender.blocking_send(Err(e));
                        return;
                    }
                };
                for row in rows {
                    let verdict = evaluator.verdict(row);
                    seen += 1;
                    if seen <= skip {
                        continue;
                    }
                    match verdict.result {
                        Ok(leaver) => batch.rows.push(leaver),
                        Err(_) => batch.invalid += 1,
                    }
                    batch.seen = seen;
                    if batch.rows.len() + batch.invalid as usize >= BATCH
                        // the writer stopped (its error is the import's)
                        && sender.blocking_send(Ok(std::mem::take(&mut batch))).is_err()
                    {
                        return;
                    }
                }
            }
            batch.seen = seen;
            let _ = sender.blocking_send(Ok(batch));
        })
        .map_err(|e| StoreError::Config(format!("cannot start the import's reader: {e}")))?;
    // statistics refreshed as the import doubles the tables it fills: a
    // plan made while they had few records (a scan) would otherwise be kept
    // for the whole file (PostgreSQL, 1M rows: 200 rows/s by 400,000)
    let mut statistics = RefreshAsItGrows::counting(db, &GROWN, STATISTICS_AFTER).await?;
    // the batches through a connection that checkpoints every few batches,
    // not after each (SQLite; see `Db::bulk_writer`)
    let result: Result<(), RunError> = db
        .bulk_write(async |bulk: &Db| {
            while let Some(batch) = batches.recv().await {
                let batch = batch?;
                write_batch(bulk, net, id, &batch.rows, batch.invalid, batch.seen).await?;
                statistics
                    .wrote(bulk, batch.rows.len() as i64 + batch.invalid)
                    .await?;
            }
            Ok(())
        })
        .await;
    // the reader ends once the channel is closed or it has sent the last batch
    drop(batches);
    if let Ok(Err(panic)) = tokio::task::spawn_blocking(move || reader.join()).await {
        // the channel closed early without the last batch: the import is not done
        std::panic::resume_unwind(panic);
    }
    result?;
    store::set_status(db, net, id, "done", None).await?;
    // what the last doubling left, if the tables grew enough for the planner
    // to need new numbers
    statistics.finish(db).await?;
    Ok(())
}

/// Rows the reader has validated, for one transaction.
#[derive(Default)]
struct Batch {
    /// The valid rows.
    rows: Vec<Leaver>,
    /// Refused rows among them.
    invalid: i64,
    /// Data rows of the file read once this batch is written.
    seen: usize,
}

/// Classifies `batch` against the roster of its own rows and applies it
/// with `invalid` refused rows, recording `done_rows` as the progress.
async fn write_batch(
    db: &Db,
    net: NetworkId,
    import_id: i64,
    batch: &[Leaver],
    invalid: i64,
    done_rows: usize,
) -> Result<(), RunError> {
    let progress = Progress {
        import_id,
        done_rows: done_rows as i64,
    };
    let mut roster = Roster::for_rows(db, net, batch).await?;
    store::apply(db, net, &mut roster, batch, invalid, Some(&progress)).await?;
    Ok(())
}
