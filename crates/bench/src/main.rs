//! `enishi-bench`: the parts of the benchmark harness that are easier in
//! Rust than in the shell (`bench/run` drives everything; see
//! BENCHMARKS.md).
//!
//! * `search`: the fixed directory query mix against a network, through the
//!   same store functions the directory page calls (search, then count), as
//!   a member sees it; p50/p95/p99/max per query class.
//! * `csv`: a leavers' CSV of any size as Japanese HR systems write it
//!   (CP932, CRLF, Japanese headers, era dates, full-width digits, a few
//!   invalid rows), for the import benchmark.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
use enishi_core::names::person;
use enishi_core::privacy::Viewer;
use enishi_core::profile::Filter;
use enishi_core::search::Query;
use enishi_store::directory::{self, Search, Sort};
use enishi_store::{Db, DbConfig};

#[derive(Parser)]
#[command(
    name = "enishi-bench",
    about = "Enishi's benchmark tools (bench/run uses them)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the directory query mix; prints a table and one JSON line per class.
    Search {
        /// `sqlite:///path/enishi.sqlite3` or `postgres://…`
        #[arg(long)]
        database_url: String,
        #[arg(long, default_value = "sample-shoji")]
        network: String,
        /// Queries per class.
        #[arg(long, default_value_t = 200)]
        rounds: u64,
        /// Only the classes whose name contains this (for profiling one:
        /// with `ENISHI_LOG=sqlx::query=debug` every statement and its time
        /// goes to standard error).
        #[arg(long)]
        class: Option<String>,
    },
    /// Write a leavers' CSV of `rows` data rows in CP932.
    Csv {
        #[arg(long)]
        rows: u64,
        #[arg(long)]
        out: PathBuf,
    },
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let cli = Cli::parse();
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_env("ENISHI_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .init();
    }
    let outcome = match cli.command {
        Command::Search {
            database_url,
            network,
            rounds,
            class,
        } => search(&database_url, &network, rounds, class.as_deref()).await,
        Command::Csv { rows, out } => csv(rows, &out),
    };
    if let Err(e) = outcome {
        eprintln!("enishi-bench: {e}");
        std::process::exit(1);
    }
}

// ──────────────────────────────── search ────────────────────────────────

/// One class of the mix: its name, and the search for round `n`.
struct Class {
    name: &'static str,
    make: fn(u64) -> (String, Filter),
    /// Follow `next` this many pages first and time the last (0: first page).
    deep: usize,
}

fn text(q: String) -> (String, Filter) {
    (q, Filter::default())
}

/// Names as the generator made them (its numbers start at 0).
fn someone(n: u64) -> enishi_core::names::Name {
    person(n.wrapping_mul(7_919) % 2_000)
}

fn half_width_kana(katakana: &str) -> String {
    // the full-width to half-width table for the kana our names use
    const FULL: &str = "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッー";
    const HALF: &str = "ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｦﾝｧｨｩｪｫｬｭｮｯｰ";
    const VOICED: &str = "ガギグゲゴザジズゼゾダヂヅデドバビブベボ";
    const VOICED_BASE: &str = "カキクケコサシスセソタチツテトハヒフヘホ";
    const SEMI: &str = "パピプペポ";
    const SEMI_BASE: &str = "ハヒフヘホ";
    let half_of = |c: char| {
        FULL.chars()
            .position(|f| f == c)
            .and_then(|i| HALF.chars().nth(i))
    };
    let mut out = String::new();
    for c in enishi_core::profile::to_katakana(katakana).chars() {
        if let Some(i) = VOICED.chars().position(|v| v == c) {
            let base = VOICED_BASE.chars().nth(i).unwrap_or(c);
            out.extend(half_of(base));
            out.push('ﾞ');
        } else if let Some(i) = SEMI.chars().position(|v| v == c) {
            let base = SEMI_BASE.chars().nth(i).unwrap_or(c);
            out.extend(half_of(base));
            out.push('ﾟ');
        } else {
            out.push(half_of(c).unwrap_or(c));
        }
    }
    out
}

const SKILLS: &[&str] = &[
    "SQL",
    "BigQuery",
    "法人営業",
    "採用",
    "UXリサーチ",
    "新規事業",
];
const COMPANIES: &[&str] = &["ミライ", "あおば銀行", "北斗コンサルティング", "さくら製薬"];
const DEPARTMENTS: &[&str] = &["営業本部", "人事部", "開発本部", "データ分析部"];

fn classes() -> Vec<Class> {
    vec![
        Class {
            name: "kanji-1char",
            make: |n| text(someone(n).family.chars().take(1).collect()),
            deep: 0,
        },
        Class {
            name: "surname-2char",
            make: |n| text(someone(n).family.to_string()),
            deep: 0,
        },
        Class {
            name: "full-name",
            make: |n| {
                let p = someone(n);
                text(format!("{} {}", p.family, p.given))
            },
            deep: 0,
        },
        Class {
            name: "kana",
            make: |n| text(someone(n).family_kana.to_string()),
            deep: 0,
        },
        Class {
            name: "half-width-kana",
            make: |n| text(half_width_kana(someone(n).family_kana)),
            deep: 0,
        },
        Class {
            name: "romaji",
            make: |n| text(someone(n).family_romaji.to_lowercase()),
            deep: 0,
        },
        Class {
            name: "skill",
            make: |n| text(SKILLS[n as usize % SKILLS.len()].to_string()),
            deep: 0,
        },
        Class {
            name: "company",
            make: |n| text(COMPANIES[n as usize % COMPANIES.len()].to_string()),
            deep: 0,
        },
        Class {
            name: "surname+era",
            make: |n| {
                let from = 1975 + (n % 40) as i64;
                (
                    someone(n).family.to_string(),
                    Filter {
                        joined_from: Some(from),
                        joined_to: Some(from + 5),
                        ..Filter::default()
                    },
                )
            },
            deep: 0,
        },
        Class {
            name: "surname+department",
            make: |n| {
                (
                    someone(n).family.to_string(),
                    Filter {
                        department: Some(DEPARTMENTS[n as usize % DEPARTMENTS.len()].to_string()),
                        ..Filter::default()
                    },
                )
            },
            deep: 0,
        },
        Class {
            name: "era-only",
            make: |n| {
                let from = 1975 + (n % 40) as i64;
                (
                    String::new(),
                    Filter {
                        left_from: Some(from),
                        left_to: Some(from),
                        ..Filter::default()
                    },
                )
            },
            deep: 0,
        },
        Class {
            name: "surname-page-5",
            make: |n| text(someone(n).family.to_string()),
            deep: 4,
        },
    ]
}

/// One directory page as the page handler does it: the page and the count.
async fn page(
    db: &Db,
    net: enishi_store::networks::NetworkId,
    q: &str,
    filter: &Filter,
    after: Option<String>,
) -> Result<Option<String>, String> {
    let search = Search {
        viewer: Viewer::Member,
        query: Query::parse(q),
        filter: filter.clone(),
        sort: Sort::Relevance,
        after,
        limit: 24,
        era_of: None,
    };
    let (page, _) = directory::search_counted(db, net, &search)
        .await
        .map_err(|e| e.to_string())?;
    Ok(page.next)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

async fn search(url: &str, slug: &str, rounds: u64, only: Option<&str>) -> Result<(), String> {
    let db = DbConfig::from_url(url)
        .map_err(|e| e.to_string())?
        .open()
        .await
        .map_err(|e| e.to_string())?;
    let network = enishi_store::networks::by_slug(&db, slug)
        .await
        .map_err(|e| e.to_string())?
        .ok_or(format!("no network {slug:?}"))?;
    let net = network.scope();
    let profiles = enishi_store::profiles::count(&db, net)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "directory search, {profiles} profiles, {:?} backend, {rounds} queries per class (page + count, as a member)",
        db.backend()
    );
    println!(
        "{:<20} {:>9} {:>9} {:>9} {:>9} {:>8}",
        "class", "p50 ms", "p95 ms", "p99 ms", "max ms", "hits/q"
    );
    // warm the caches once, as a running server's are
    for class in classes() {
        let (q, filter) = (class.make)(0);
        page(&db, net, &q, &filter, None).await?;
    }
    let mut json = Vec::new();
    let chosen = classes()
        .into_iter()
        .filter(|c| only.is_none_or(|only| c.name.contains(only)));
    for class in chosen {
        let mut times = Vec::with_capacity(rounds as usize);
        let mut found = 0usize;
        for n in 0..rounds {
            let (q, filter) = (class.make)(n + 1);
            let mut after = None;
            for _ in 0..class.deep {
                after = page(&db, net, &q, &filter, after).await?;
                if after.is_none() {
                    break;
                }
            }
            if class.deep > 0 && after.is_none() {
                continue;
            }
            let started = Instant::now();
            let next = page(&db, net, &q, &filter, after).await?;
            times.push(started.elapsed().as_secs_f64() * 1_000.0);
            found += usize::from(next.is_some());
        }
        times.sort_by(|a, b| a.total_cmp(b));
        let (p50, p95, p99, max) = (
            percentile(&times, 50.0),
            percentile(&times, 95.0),
            percentile(&times, 99.0),
            times.last().copied().unwrap_or(0.0),
        );
        println!(
            "{:<20} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>8}",
            class.name,
            p50,
            p95,
            p99,
            max,
            format!("{}/{}", found, times.len())
        );
        json.push(serde_json::json!({
            "class": class.name, "queries": times.len(), "p50_ms": p50, "p95_ms": p95,
            "p99_ms": p99, "max_ms": max, "with_next_page": found,
        }));
    }
    println!(
        "JSON {}",
        serde_json::json!({"profiles": profiles, "backend": format!("{:?}", db.backend()), "classes": json})
    );
    db.close().await;
    Ok(())
}

// ───────────────────────────────── csv ─────────────────────────────────

/// Row `n` of the leavers' file: mostly valid, every 200th broken in one
/// of the ways HR files are (no address, left before joined).
fn leaver_row(n: u64) -> String {
    let p = person(n.wrapping_mul(104_729));
    let r = enishi_core::names::mix(n ^ 0xC5);
    let joined = 1970 + (r % 50);
    let left = (joined + 1 + (r >> 8) % 12).min(2026);
    let department = DEPARTMENTS[(r >> 16) as usize % DEPARTMENTS.len()];
    // HR systems write dates every which way
    let joined_text = match (r >> 20) % 3 {
        0 => format!("{joined}/4/1"),
        1 => format!("{joined}年4月1日"),
        _ => format!("{joined}-04-01"),
    };
    let left_text = if n % 200 == 7 {
        format!("{}/3/31", joined - 1)
    } else {
        format!("{left}/3/31")
    };
    let email = if n % 200 == 13 {
        String::new()
    } else {
        format!(
            "{}.{}{n}@example.jp",
            p.given_romaji.to_lowercase(),
            p.family_romaji.to_lowercase()
        )
    };
    let number: String = format!("{:07}", n + 1)
        .chars()
        .map(|c| {
            if n.is_multiple_of(5) {
                char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c)
            } else {
                c
            }
        })
        .collect();
    format!(
        "{number},{} {},{} {},{email},{joined_text},{left_text},{department}\r\n",
        p.family, p.given, p.family_kana, p.given_kana
    )
}

fn csv(rows: u64, out: &std::path::Path) -> Result<(), String> {
    let file = std::fs::File::create(out).map_err(|e| format!("{}: {e}", out.display()))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut write = |text: &str| -> Result<(), String> {
        let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(text);
        if unmappable {
            return Err(format!("not in CP932: {text}"));
        }
        w.write_all(&bytes).map_err(|e| e.to_string())
    };
    write("社員番号,氏名,フリガナ,個人メールアドレス,入社年月日,退職年月日,最終所属部署\r\n")?;
    for n in 0..rows {
        write(&leaver_row(n))?;
    }
    w.flush().map_err(|e| e.to_string())?;
    println!("wrote {rows} rows to {}", out.display());
    Ok(())
}
