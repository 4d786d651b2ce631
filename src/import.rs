//! `enishi import`: a leavers' CSV into a network, non-interactively, for
//! operators. The same path as the admin pages: decode (Shift_JIS or
//! UTF-8), map the columns (a JSON mapping file `{"社員番号":
//! "employee_number", …}`, else the network's remembered mapping, else the
//! suggestion from the headers), validate and classify every row, then —
//! unless `--dry-run` — store it as an import and run it to the end in this
//! process (resumable like the background job).

use std::collections::BTreeMap;
use std::path::Path;

use enishi_core::Lang;
use enishi_core::intake::Leaver;
use enishi_core::intake::{self, Mapping};
use enishi_store::Db;
use enishi_store::intake::{self as store, Tally};
use enishi_store::networks;
use enishi_web::i18n::Tr;

/// What the command prints, or why it stopped.
pub async fn run(
    db: &Db,
    slug: &str,
    file: &Path,
    mapping_file: Option<&Path>,
    dry_run: bool,
    lang: Lang,
) -> Result<String, String> {
    let tr = Tr::new(lang);
    let network = networks::by_slug(db, slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("no network {slug:?}"))?;
    let (text, encoding) = {
        // the raw bytes go as soon as they are decoded (peak memory)
        let bytes =
            std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        intake::decode(&bytes).map_err(|e| tr.get(e.key()).to_string())?
    };
    let csv = intake::read(&text).map_err(|e| tr.get(e.key()).to_string())?;
    let headers = csv.headers.clone();
    let names: BTreeMap<String, String> = match mapping_file {
        Some(path) => {
            let raw = std::fs::read_to_string(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            serde_json::from_str(&raw).map_err(|e| {
                format!(
                    "{}: not a JSON object of header → column ({e})",
                    path.display()
                )
            })?
        }
        None => {
            store::settings(db, network.scope())
                .await
                .map_err(|e| e.to_string())?
                .mapping
        }
    };
    let mapping = Mapping::from_names(&headers, &names);
    let problems = mapping.check(&headers);
    let mut out = Vec::new();
    out.push(format!("{} ({})", file.display(), encoding.as_str()));
    for (i, h) in headers.iter().enumerate() {
        let word = mapping
            .0
            .get(i)
            .copied()
            .flatten()
            .map_or("-", |c| c.as_str());
        let flag = if intake::is_sensitive(h) {
            "  (sensitive: not stored)"
        } else {
            ""
        };
        out.push(format!("  {h} → {word}{flag}"));
    }
    if !problems.is_empty() {
        for p in &problems {
            let column = match p {
                intake::MappingError::Twice(c) => tr.get(&c.key()).to_string(),
                intake::MappingError::Sensitive(i) => headers.get(*i).cloned().unwrap_or_default(),
                _ => String::new(),
            };
            out.push(tr.fmt(p.key(), &[("column", &column), ("header", &column)]));
        }
        return Err(out.join("\n"));
    }
    let domains = network.domains();
    let today = enishi_jobs::intake::today();
    let mut tally = Tally::default();
    let mut total = 0;
    let mut chunk: Vec<Leaver> = Vec::with_capacity(store::CLASSIFY_CHUNK);
    let scope = network.scope();
    // Only a dry run classifies here (what each row would do): an import's
    // job classifies each batch as it writes it and keeps its own tally, so
    // a second pass over the records would only cost time (100k rows into
    // 100k on SQLite: 13.0 → 11.0 s).
    for verdict in intake::evaluate(csv, &mapping, today, &domains) {
        total += 1;
        match verdict.result {
            Ok(l) if dry_run => {
                chunk.push(l);
                if chunk.len() == store::CLASSIFY_CHUNK {
                    count_outcomes(db, scope, &mut chunk, &mut tally).await?;
                }
            }
            Ok(_) => {}
            Err(errors) => {
                tally.invalid += 1;
                let reasons: Vec<String> = errors
                    .iter()
                    .map(|e| {
                        let column = e.column().map(|c| tr.get(&c.key()).to_string());
                        tr.fmt(
                            e.key(),
                            &[
                                ("column", column.as_deref().unwrap_or("")),
                                ("value", &e.detail().unwrap_or_default()),
                            ],
                        )
                    })
                    .collect();
                out.push(format!("  line {}: {}", verdict.line, reasons.join(" / ")));
            }
        }
    }
    if dry_run {
        count_outcomes(db, scope, &mut chunk, &mut tally).await?;
    }
    let summary = |t: &Tally| {
        format!(
            "rows {total}: new {}, already members {}, updated {}, unchanged {}, invalid {}, declined {}",
            t.new, t.linked, t.updated, t.unchanged, t.invalid, t.skipped
        )
    };
    if dry_run {
        out.push(format!("dry run, nothing stored: {}", summary(&tally)));
        return Ok(out.join("\n"));
    }
    // the job reads the stored copy of the text, a part at a time
    let names = mapping.to_names(&headers);
    // (a second pass over the text, only when it is stored: a dry run reads it once)
    let split = intake::split(&text, store::PART_BYTES).map_err(|e| tr.get(e.key()).to_string())?;
    let parts = split.parts(&text);
    let import = store::create_import(
        db,
        network.scope(),
        &store::NewImport {
            created_by: None,
            file_name: &file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            encoding: encoding.as_str(),
            parts: &parts,
            mapping: &names,
            total_rows: total,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    drop(parts);
    drop(text);
    enishi_jobs::intake::run(db, network.scope(), import.id)
        .await
        .map_err(|e| e.to_string())?;
    let done = store::import(db, network.scope(), import.id)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the import vanished")?;
    let stored = Tally {
        new: done.new_rows,
        linked: done.linked_rows,
        updated: done.updated_rows,
        unchanged: done.unchanged_rows,
        invalid: done.invalid_rows,
        skipped: done.skipped_rows,
    };
    out.push(format!(
        "imported (import {}): {}",
        import.id,
        summary(&stored)
    ));
    Ok(out.join("\n"))
}

/// Counts what `chunk` would do into `tally` and empties it.
async fn count_outcomes(
    db: &Db,
    net: enishi_store::networks::NetworkId,
    chunk: &mut Vec<Leaver>,
    tally: &mut Tally,
) -> Result<(), String> {
    for outcome in store::classify(db, net, chunk)
        .await
        .map_err(|e| e.to_string())?
    {
        tally.count(outcome);
    }
    chunk.clear();
    Ok(())
}
