//! Demo data for `enishi serve --demo` and `enishi demo`.
//!
//! Demo data comes in parts, one per capability, each loaded at most once
//! per database (a `demo:<part>` marker in `meta`), so running `--demo`
//! again changes nothing while a newer version's new parts still arrive.
//! The foundation has no data of its own to show; the profiles, networks,
//! posts and events issues each add their part to [`PARTS`].

use enishi_store::{Db, StoreError, meta, now_ms};

type Loader =
    for<'a> fn(
        &'a Db,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// Every part, in the order it must load.
const PARTS: &[(&str, Loader)] = &[];

/// What one call loaded.
pub struct Loaded {
    pub new_parts: Vec<&'static str>,
    pub total_parts: usize,
}

/// Loads every part not loaded before. A part that fails is not marked, so
/// the next run tries it again.
pub async fn load(db: &Db) -> Result<Loaded, StoreError> {
    let mut new_parts = Vec::new();
    for (name, loader) in PARTS {
        let key = format!("demo:{name}");
        if meta::insert_once(db, &key, &now_ms().to_string()).await? {
            if let Err(err) = loader(db).await {
                meta::remove(db, &key).await?;
                return Err(err);
            }
            new_parts.push(*name);
        }
    }
    Ok(Loaded {
        new_parts,
        total_parts: PARTS.len(),
    })
}

/// One line for the operator.
pub fn summary(loaded: &Loaded) -> String {
    if loaded.total_parts == 0 {
        "Demo data: this version has none to load yet.".into()
    } else if loaded.new_parts.is_empty() {
        "Demo data is already loaded.".into()
    } else {
        format!("Demo data loaded: {}.", loaded.new_parts.join(", "))
    }
}
