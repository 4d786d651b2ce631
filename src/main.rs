//! `enishi` — the one binary: web server, migrations, demo data (and, as
//! capabilities land, operator tools, imports and backups).
//!
//! Every failure a person can cause (a wrong flag, an unwritable directory,
//! a bad database URL, a busy port) ends the program with one line on
//! stderr saying what is wrong and how to fix it, and exit code 1 (clap's
//! own usage errors exit with 2).

mod demo;
mod demo_community;
mod demo_events;
mod demo_opportunities;
mod import;
mod operator;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use enishi_store::{Db, DbConfig};
use enishi_web::{AppState, WebConfig};

#[derive(Parser)]
#[command(
    name = "enishi",
    version,
    about = "Enishi (縁): run your company's official alumni network",
    long_about = "Enishi (縁): run your company's official alumni network.\n\n\
        Start here:  enishi serve --demo\n\
        then open the address it prints. Data is kept in ./enishi-data (SQLite) \
        unless you give --database-url postgres://…",
    after_help = "Every option can also be set with the ENISHI_* environment variable shown next to it."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// How log lines are written to stderr.
    #[arg(long, global = true, env = "ENISHI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web server (creates and migrates the database first).
    Serve(ServeArgs),
    /// Bring the database schema up to date, then exit.
    Migrate(DbArgs),
    /// Load the demo data (once; running it again changes nothing), then exit.
    /// With --alumni N: also add N generated alumni (for trying Enishi, or
    /// benchmarking, at a real company's size).
    Demo(DemoArgs),
    /// Platform operator tools.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Import a leavers' CSV (Shift_JIS or UTF-8) into a network as pending
    /// alumni records, then exit. Invalid rows are listed and skipped.
    Import(ImportArgs),
}

#[derive(Args)]
struct DemoArgs {
    #[command(flatten)]
    db: DbArgs,

    /// Add this many generated alumni (realistic names, eras 1970–2026,
    /// departments, skills), 1,000 per transaction.
    #[arg(long)]
    alumni: Option<u64>,

    /// The network that gets them (it must exist); default: the demo network.
    #[arg(long, default_value = demo::NETWORK_SLUG)]
    network: String,
}

#[derive(Args)]
struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,

    /// The network's slug.
    #[arg(long)]
    network: String,

    /// The CSV file.
    #[arg(long)]
    file: std::path::PathBuf,

    /// A JSON object mapping each header to a column (`employee_number`,
    /// `name`, `family`, `given`, `kana`, `email`, `personal_email`,
    /// `joined`, `left`, `department`, `title`, …; `""` to skip). Default:
    /// the network's remembered mapping, else suggested from the headers.
    #[arg(long)]
    mapping: Option<std::path::PathBuf>,

    /// Check and count only; store nothing.
    #[arg(long)]
    dry_run: bool,

    /// Language of the messages (`ja` or `en`).
    #[arg(long, default_value = "ja")]
    lang: String,
}

#[derive(Subcommand)]
enum OperatorCommand {
    /// Make an account a platform operator (creating it if needed) and print
    /// a one-time sign-in link for it.
    Create(OperatorArgs),
}

#[derive(Args)]
struct OperatorArgs {
    #[command(flatten)]
    db: DbArgs,

    /// The operator's e-mail address.
    #[arg(long)]
    email: String,

    /// The name shown for a new account (default: the part before the @).
    #[arg(long)]
    name: Option<String>,

    /// The site's public address, for the sign-in link.
    #[arg(
        long,
        env = "ENISHI_BASE_URL",
        default_value = "http://127.0.0.1:8080/"
    )]
    base_url: String,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Directory for the embedded SQLite database and other local files.
    #[arg(long, env = "ENISHI_DATA_DIR", default_value = "./enishi-data")]
    data_dir: PathBuf,

    /// Use PostgreSQL instead of the embedded SQLite,
    /// e.g. postgres://USER:PASSWORD@HOST:5432/DATABASE
    #[arg(long, env = "ENISHI_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,

    /// Address and port to listen on (0.0.0.0:8080 to accept connections from other machines).
    #[arg(long, env = "ENISHI_BIND", default_value = "127.0.0.1:8080")]
    bind: SocketAddr,

    /// The address people use to reach the site, e.g. https://alumni.example.co.jp.
    /// Links in e-mails are built from it. Default: http://<bind>/
    #[arg(long, env = "ENISHI_BASE_URL")]
    base_url: Option<String>,

    /// Load the demo data before serving (only the first time; idempotent).
    #[arg(long, env = "ENISHI_DEMO")]
    demo: bool,

    /// Reverse proxies whose X-Forwarded-For header is believed, as
    /// comma-separated addresses or ranges (e.g. 127.0.0.1,10.0.0.0/8).
    #[arg(long, env = "ENISHI_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<enishi_core::net::IpRange>,

    /// SMTP server for outgoing mail, e.g. smtp://USER:PASSWORD@HOST:587?tls=required
    /// or smtps://…:465. Without it, mail is kept in the outbox for operators to read.
    #[arg(long, env = "ENISHI_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,

    /// Sender of outgoing mail. Default: Enishi <no-reply@HOST of --base-url>.
    #[arg(long, env = "ENISHI_MAIL_FROM")]
    mail_from: Option<String>,

    /// Directory searches and profile views one account may make per
    /// minute (anti-scraping).
    #[arg(long, env = "ENISHI_VIEWS_PER_MINUTE", default_value_t = enishi_web::profiles::VIEWS_PER_MINUTE)]
    views_per_minute: i64,

    /// Serve GET /__bench/hello (plain text, through every layer), the
    /// baseline the benchmark compares pages with. Never in production.
    #[arg(long, hide = true)]
    bench_baseline: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A failure to report as one line.
struct Fatal(String);

impl<E: std::fmt::Display> From<E> for Fatal {
    fn from(err: E) -> Fatal {
        Fatal(err.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(Fatal(format!("cannot start the async runtime: {e}"))),
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(fatal) => fail(fatal),
    }
}

/// A line for the person at the terminal. A closed stdout (a service
/// manager that discards it) is not an error worth dying for.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{line}");
}

fn fail(Fatal(message): Fatal) -> ExitCode {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "enishi: error: {message}");
    ExitCode::FAILURE
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("ENISHI_LOG")
        .or_else(|_| EnvFilter::try_from_default_env())
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn run(command: Command) -> Result<(), Fatal> {
    match command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(args) => {
            let db = open(&args).await?;
            db.close().await;
            say("The database is up to date.");
            Ok(())
        }
        Command::Demo(args) => {
            let db = open(&args.db).await?;
            let loaded = demo::load(&db).await?;
            say(&demo::summary(&loaded));
            if let Some(count) = args.alumni {
                let started = std::time::Instant::now();
                let step = (count / 10).max(1_000);
                let added = demo::add_alumni(&db, &args.network, count, |done| {
                    if done % step < 1_000 || done == count {
                        say(&format!("  {done} / {count} alumni added"));
                    }
                })
                .await?;
                let Some(added) = added else {
                    db.close().await;
                    return Err(Fatal(format!(
                        "there is no network {:?}; create it on the operator pages first, or leave out --network",
                        args.network
                    )));
                };
                let secs = started.elapsed().as_secs_f64();
                say(&format!(
                    "Added {added} generated alumni to {} in {secs:.1} s ({:.0} per second).",
                    args.network,
                    added as f64 / secs.max(0.001)
                ));
            }
            db.close().await;
            Ok(())
        }
        Command::Import(args) => {
            let lang = enishi_core::Lang::from_code(&args.lang)
                .ok_or_else(|| Fatal(format!("--lang {:?}: use ja or en", args.lang)))?;
            let db = open(&args.db).await?;
            let result = import::run(
                &db,
                &args.network,
                &args.file,
                args.mapping.as_deref(),
                args.dry_run,
                lang,
            )
            .await;
            db.close().await;
            say(&result.map_err(Fatal)?);
            Ok(())
        }
        Command::Operator(OperatorCommand::Create(args)) => {
            let base = parse_base_url(&args.base_url)?;
            let db = open(&args.db).await?;
            let link = operator::create(&db, &args.email, args.name.as_deref(), &base).await;
            db.close().await;
            say(&link?);
            Ok(())
        }
    }
}

/// Opens and migrates the database the flags point at.
async fn open(args: &DbArgs) -> Result<Db, Fatal> {
    let config = match &args.database_url {
        Some(url) => DbConfig::from_url(url)?,
        None => DbConfig::sqlite_in(&args.data_dir),
    };
    tracing::debug!(database = %config.describe(), "opening the database");
    let db = config.open().await?;
    enishi_store::migrate::run(&db).await?;
    Ok(db)
}

fn parse_base_url(given: &str) -> Result<url::Url, Fatal> {
    let url = url::Url::parse(given).map_err(|e| {
        Fatal(format!(
            "--base-url {given:?} is not a URL ({e}); write it like https://alumni.example.co.jp"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Fatal(format!(
            "--base-url {given:?} must start with https:// (or http://) and name a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Fatal(format!(
            "--base-url {given:?} must not have a ?query or #fragment"
        )));
    }
    Ok(url)
}

fn base_url(args: &ServeArgs, bound: SocketAddr) -> Result<url::Url, Fatal> {
    let Some(given) = &args.base_url else {
        let host = if bound.ip().is_unspecified() {
            "127.0.0.1".to_string()
        } else {
            bound.ip().to_string()
        };
        let host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host
        };
        return Ok(url::Url::parse(&format!(
            "http://{host}:{}/",
            bound.port()
        ))?);
    };
    let url = url::Url::parse(given).map_err(|e| {
        Fatal(format!(
            "--base-url {given:?} is not a URL ({e}); write it like https://alumni.example.co.jp"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Fatal(format!(
            "--base-url {given:?} must start with https:// (or http://) and name a host"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Fatal(format!(
            "--base-url {given:?} must not have a ?query or #fragment"
        )));
    }
    Ok(url)
}

async fn serve(args: ServeArgs) -> Result<(), Fatal> {
    // Check settings before touching the database, so a typo costs nothing.
    base_url(&args, args.bind)?;
    let mailer = mailer(&args, &base_url(&args, args.bind)?)?;
    let db = open(&args.db).await?;
    if args.demo {
        let loaded = demo::load(&db).await?;
        tracing::info!("{}", demo::summary(&loaded));
    }
    let listener = tokio::net::TcpListener::bind(args.bind).await.map_err(|e| {
        let advice = match e.kind() {
            std::io::ErrorKind::AddrInUse => {
                "the address is already in use; stop the program using it or choose another with --bind"
            }
            std::io::ErrorKind::PermissionDenied => {
                "permission denied; ports below 1024 need privileges, choose e.g. --bind 127.0.0.1:8080"
            }
            std::io::ErrorKind::AddrNotAvailable => "this machine has no such address; check --bind",
            _ => "check --bind",
        };
        Fatal(format!("cannot listen on {}: {advice} ({e})", args.bind))
    })?;
    let bound = listener.local_addr()?;
    let base = base_url(&args, bound)?;
    let worker = enishi_jobs::Worker::new(
        db.clone(),
        enishi_jobs::Handlers::standard(mailer),
        enishi_jobs::WorkerConfig::default(),
    );
    let mut config = WebConfig::new(base.clone());
    config.trusted_proxies = args.trusted_proxies.clone();
    config.views_per_minute = args.views_per_minute.max(1);
    config.bench_baseline = args.bench_baseline;
    let state = AppState::with_waker(db.clone(), config, Some(worker.waker()));
    let worker = enishi_web::register_sweeps(worker, &state).spawn();
    tracing::info!(address = %bound, base_url = %base, "Enishi {} is serving", env!("CARGO_PKG_VERSION"));
    if args.smtp_url.is_none() {
        tracing::info!(
            "no SMTP server configured (--smtp-url): mail is kept in the outbox at /operator/outbox"
        );
    }
    say(&format!(
        "Enishi is running. Open {base} in your browser (Ctrl+C stops it)."
    ));
    if args.demo
        && let Some(link) = demo::operator_link(&db, &base).await?
    {
        say(&format!("Demo operator: sign in within the hour at {link}"));
        say(&format!(
            "Demo network {base}n/{}: sign in with a password at {base}signin as",
            demo::NETWORK_SLUG
        ));
        for (name, email, role, _) in demo::PEOPLE {
            say(&format!(
                "  {email} / {} ({name}, {role})",
                demo::DEMO_PASSWORD
            ));
        }
    }
    enishi_web::serve(listener, state, shutdown_signal()).await?;
    worker.stop().await;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

fn mailer(args: &ServeArgs, base: &url::Url) -> Result<enishi_jobs::mail::Mailer, Fatal> {
    let from = args.mail_from.clone().unwrap_or_else(|| {
        format!(
            "Enishi <no-reply@{}>",
            base.host_str().unwrap_or("localhost")
        )
    });
    let mailer =
        enishi_jobs::mail::Mailer::from_settings(args.smtp_url.as_deref(), &from).map_err(Fatal)?;
    Ok(mailer)
}

/// Resolves on SIGINT (Ctrl+C) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}
