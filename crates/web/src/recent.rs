//! Results kept for a few minutes because computing them reads thousands
//! of rows and they change slowly: the candidates of an opportunity's
//! match list, the pool an event's suggested invitees come from.
//!
//! What is kept is only the expensive part, and never a decision about
//! privacy: callers re-read and re-check the rows they show (opt-outs,
//! hidden fields, membership) on every request, so a choice a member makes
//! counts at once, while a *new* candidate may take up to the time to live
//! to appear. Each node keeps its own (nothing to invalidate across
//! nodes); a key that changes with its source (an opportunity's
//! `updated_at`) makes an edit show at once.
//!
//! Concurrent requests for a missing key wait for one load rather than
//! each running it (sixteen organisers' tabs do not read the pool sixteen
//! times); a load that fails is not kept.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

struct Slot<V> {
    made: Instant,
    cell: Arc<OnceCell<Arc<V>>>,
}

/// A map of recent results with a time to live and a size bound.
pub struct Recent<K, V> {
    ttl: Duration,
    max: usize,
    slots: Mutex<HashMap<K, Slot<V>>>,
}

impl<K: Eq + Hash + Clone, V> Recent<K, V> {
    /// Keeps at most `max` results, each for `ttl`.
    pub fn new(ttl: Duration, max: usize) -> Recent<K, V> {
        Recent {
            ttl,
            max: max.max(1),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The result for `key`: kept, or loaded by `load` (once, however many
    /// ask at the same time).
    pub async fn get_or_try_load<E, F, Fut>(&self, key: K, load: F) -> Result<Arc<V>, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<V, E>>,
    {
        let cell = {
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            let now = Instant::now();
            match slots.get(&key) {
                Some(slot) if now.duration_since(slot.made) < self.ttl => slot.cell.clone(),
                _ => {
                    if slots.len() >= self.max {
                        let ttl = self.ttl;
                        slots.retain(|_, s| now.duration_since(s.made) < ttl);
                        if slots.len() >= self.max {
                            // all fresh and too many: start again rather
                            // than grow (a load costs one slow request)
                            slots.clear();
                        }
                    }
                    let cell = Arc::new(OnceCell::new());
                    slots.insert(
                        key,
                        Slot {
                            made: now,
                            cell: cell.clone(),
                        },
                    );
                    cell
                }
            }
        };
        cell.get_or_try_init(|| async { load().await.map(Arc::new) })
            .await
            .cloned()
    }

    /// Forgets everything (after a change that should show at once).
    pub fn clear(&self) {
        self.slots.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// How long a kept result lives.
pub const TTL: Duration = Duration::from_secs(300);

/// What this node keeps.
pub struct Recents {
    /// The pool of an event's suggested invitees, per network: its active
    /// members' eras and departments (see `events_pages::suggestions`).
    pub era_pools: Recent<i64, Vec<enishi_core::eras::Person>>,
    /// The ranked candidates of an opportunity's match list (profile
    /// ids, best first), per network, opportunity, its `updated_at` and
    /// whether HR or a member looks (see `opportunities::matches`).
    pub match_pools: Recent<(i64, i64, i64, bool), Vec<i64>>,
}

impl Default for Recents {
    fn default() -> Recents {
        Recents {
            era_pools: Recent::new(TTL, 256),
            match_pools: Recent::new(TTL, 1024),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn one_load_for_many_askers_and_fresh_after_ttl() {
        let recent: Arc<Recent<u8, usize>> = Arc::new(Recent::new(Duration::from_millis(200), 8));
        let loads = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let (recent, loads) = (recent.clone(), loads.clone());
            tasks.push(tokio::spawn(async move {
                recent
                    .get_or_try_load(1, || async {
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        Ok::<_, ()>(loads.fetch_add(1, Ordering::SeqCst) + 1)
                    })
                    .await
                    .unwrap()
            }));
        }
        for t in tasks {
            assert_eq!(*t.await.unwrap(), 1, "everyone got the one load");
        }
        assert_eq!(loads.load(Ordering::SeqCst), 1);
        // another key is its own
        let other = recent
            .get_or_try_load(2, || async { Ok::<_, ()>(99) })
            .await
            .unwrap();
        assert_eq!(*other, 99);
        // after the time to live, loaded again
        tokio::time::sleep(Duration::from_millis(250)).await;
        let again = recent
            .get_or_try_load(1, || async {
                Ok::<_, ()>(loads.fetch_add(1, Ordering::SeqCst) + 1)
            })
            .await
            .unwrap();
        assert_eq!(*again, 2);
    }

    #[tokio::test]
    async fn failures_are_not_kept_and_size_is_bounded() {
        let recent: Recent<u32, u32> = Recent::new(Duration::from_secs(60), 3);
        let failed = recent
            .get_or_try_load(1, || async { Err::<u32, &str>("database gone") })
            .await;
        assert_eq!(failed.unwrap_err(), "database gone");
        let ok = recent
            .get_or_try_load(1, || async { Ok::<_, &str>(7) })
            .await
            .unwrap();
        assert_eq!(*ok, 7, "the failure was not kept");
        for k in 2..20 {
            recent
                .get_or_try_load(k, || async move { Ok::<_, ()>(k) })
                .await
                .unwrap();
            assert!(recent.slots.lock().unwrap().len() <= 3);
        }
        recent.clear();
        let after = recent
            .get_or_try_load(1, || async { Ok::<_, ()>(8) })
            .await
            .unwrap();
        assert_eq!(*after, 8, "cleared");
    }
}
