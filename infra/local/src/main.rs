//! `loket-local serve`: the whole platform on one machine, against moto.
//!
//! Options: `--port 3000`, `--moto http://127.0.0.1:5000`, `--mail-moto URL` (a separate
//! emulator for SES), `--s3-moto URL` (a separate emulator for S3, so large uploads do
//! not hold up the others: moto serves one request at a time), `--prefix loket-local`
//! (names of the table, bucket… so parallel runs never share data),
//! `--trust-forwarded-for` (tests: take the caller's address from `X-Forwarded-For`),
//! `--test-support` (tests only: a request's `x-loket-clock-shift: <seconds>` header
//! moves the clock forward for that request, so lifetimes are tested without waiting;
//! `POST /__local/seed/registered-vendor` writes a "Terdaftar" vendor and published
//! products with the demo seed's code, for tests whose subject is not the onboarding).

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use loket_local::template::Template;
use loket_local::{event_use_cases, http_use_cases, provision, seed, server::Server, streams};
use loket_shared::App;
use rand::RngCore;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

struct Args {
    port: u16,
    moto: String,
    /// A second emulator only for email, so reading captured mail stays fast (moto's
    /// data dump covers every service, tables included).
    mail_moto: Option<String>,
    s3_moto: Option<String>,
    prefix: String,
    trust_forwarded_for: bool,
    test_support: bool,
}

fn parse_args() -> Args {
    let argv: Vec<String> = std::env::args().collect();
    let val = |name: &str| {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1).cloned())
    };
    Args {
        port: val("--port").and_then(|p| p.parse().ok()).unwrap_or(3000),
        moto: val("--moto").unwrap_or_else(|| "http://127.0.0.1:5000".into()),
        mail_moto: val("--mail-moto"),
        s3_moto: val("--s3-moto"),
        prefix: val("--prefix").unwrap_or_else(|| "loket-local".into()),
        trust_forwarded_for: argv.iter().any(|a| a == "--trust-forwarded-for"),
        test_support: argv.iter().any(|a| a == "--test-support"),
    }
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn random_b64(n: usize) -> String {
    let mut v = vec![0u8; n];
    rand::rngs::OsRng.fill_bytes(&mut v);
    B64.encode(v)
}

/// The functions' environment: the template's `Globals` (resolved to local names), then
/// the local stack's differences. Variables the caller already exported win.
fn environment(t: &Template, args: &Args) -> Vec<(String, String)> {
    let mut env = t.globals_environment();
    let local = [
        ("LOKET_STAGE", "local".to_string()),
        (
            "LOKET_PUBLIC_URL",
            format!("http://127.0.0.1:{}", args.port),
        ),
        ("LOKET_CAPTCHA", "test".to_string()),
        ("LOKET_SECRETS_SOURCE", "env".to_string()),
        ("LOKET_JWT_KEYS", format!("local-1={}", random_b64(32))),
        ("LOKET_JWT_ACTIVE_KID", "local-1".to_string()),
        ("LOKET_DATA_KEY", random_b64(32)),
        ("LOKET_PEPPER", random_b64(32)),
        ("AWS_ENDPOINT_URL", args.moto.clone()),
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID", "test".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_string()),
    ];
    for (k, v) in local {
        env.retain(|(ek, _)| ek != k);
        env.push((k.to_string(), v));
    }
    if let Some(mail) = &args.mail_moto {
        env.push(("AWS_ENDPOINT_URL_SESV2".to_string(), mail.clone()));
    }
    if let Some(s3) = &args.s3_moto {
        env.push(("AWS_ENDPOINT_URL_S3".to_string(), s3.clone()));
    }
    env.retain(|(k, _)| k != "LOKET_SECRET_ID" && k != "LOKET_USE_CASE");
    env
}

fn main() {
    loket_shared::init_tls();
    let args = parse_args();
    let root = repo_root();
    let template_path = root.join("infra/template.yaml");
    let t = match Template::load(&template_path, &args.prefix, "us-east-1") {
        Ok(t) => t,
        Err(e) => {
            eprintln!("loket-local: {e}");
            std::process::exit(1);
        }
    };
    // Set before the runtime starts any thread.
    for (k, v) in environment(&t, &args) {
        if std::env::var_os(&k).is_none() {
            std::env::set_var(k, v);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,loket=info")),
        )
        .with_target(false)
        .try_init();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if let Err(e) = rt.block_on(run(args, t, root)) {
        eprintln!("loket-local: {e}");
        std::process::exit(1);
    }
}

async fn run(args: Args, t: Template, root: PathBuf) -> Result<(), String> {
    let started = std::time::Instant::now();
    // Step Functions must execute definitions, and the flag must precede their creation.
    reqwest::Client::new()
        .post(format!(
            "{}/moto-api/config",
            args.moto.trim_end_matches('/')
        ))
        .json(&serde_json::json!({ "stepfunctions": { "execute_state_machine": true } }))
        .send()
        .await
        .map_err(|e| format!("moto is not answering at {}: {e}", args.moto))?;

    let aws = loket_shared::app::aws_config().await;
    let ddb = aws_sdk_dynamodb::Client::new(&aws);
    let table = provision::table(&t, &ddb).await?;
    provision::bucket(&t, &aws_sdk_s3::Client::new(&aws)).await?;
    provision::email_identity(&t, &aws_sdk_sesv2::Client::new(&aws)).await?;
    provision::signing_keys(&t, &aws_sdk_kms::Client::new(&aws)).await?;
    let machines = provision::state_machines(&t, &aws_sdk_sfn::Client::new(&aws)).await?;

    let mut app = App::from_env().await.map_err(|e| e.to_string())?;
    let faults = loket_local::faults::Faults::default();
    if args.test_support {
        app.clock = Arc::new(loket_shared::clock::ShiftedClock);
        app.set_sfn(aws_sdk_sfn::Client::from_conf(
            aws_sdk_sfn::config::Builder::from(&aws)
                .interceptor(faults.clone())
                .build(),
        ));
    }
    let app = Arc::new(app);
    let regions = seed::regions(
        &app,
        &root.join("infra/local/node_modules/idn-area-data/data"),
    )
    .await?;
    let demo = seed::load_demo(&root.join("infra/local/seed/demo.json"))?;
    seed::demo(&app, &demo).await?;

    // Stream consumers start from LATEST *before* the API accepts requests. Each use
    // case runs with the App its Lambda function would have: only the clients its
    // declaration implies, so a use of an undeclared client fails here too.
    let handlers: HashMap<String, _> = http_use_cases()
        .into_iter()
        .map(|u| {
            let restricted = Arc::new(app.restricted_to(u.name, u.needs));
            (u.name.to_string(), (u.handler, restricted))
        })
        .collect();
    let events: HashMap<String, _> = event_use_cases()
        .into_iter()
        .map(|u| {
            let restricted = Arc::new(app.restricted_to(u.name, u.needs));
            (u.name.to_string(), (u.handler, restricted))
        })
        .collect();
    let stream_arn = ddb
        .describe_table()
        .table_name(&table)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .table
        .and_then(|d| d.latest_stream_arn)
        .ok_or("the table has no stream")?;
    let client = Arc::new(streams::StreamClient::new(&args.moto, "us-east-1"));
    let mut sources = Vec::new();
    for source in t.stream_sources() {
        let (handler, app) = events
            .get(&source.use_case)
            .ok_or_else(|| format!("stream source names unknown use case {}", source.use_case))?;
        sources.push((source, *handler, app.clone()));
    }
    let positions = client.positions(&stream_arn).await?;
    tokio::spawn(streams::run(
        client.clone(),
        sources,
        positions,
        faults.clone(),
    ));
    for s in t.schedules() {
        let (handler, app) = events
            .get(&s.use_case)
            .ok_or_else(|| format!("schedule names unknown use case {}", s.use_case))?;
        let (handler, app) = (*handler, app.clone());
        if let Some(every) = s.every_seconds {
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(std::time::Duration::from_secs(every));
                tick.tick().await;
                loop {
                    tick.tick().await;
                    loket_shared::meter::invocation();
                    if let Err(e) =
                        handler(app.clone(), serde_json::json!({ "source": "loket.local" })).await
                    {
                        tracing::warn!(use_case = %s.use_case, error = %e, "scheduled job failed");
                    }
                }
            });
        }
    }

    let mut server = Server::new(app.clone(), &t.http_routes(), &handlers)?;
    server.events = events;
    server.trust_forwarded_for = args.trust_forwarded_for;
    server.test_support = args.test_support;
    server.faults = faults;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| format!("port {}: {e}", args.port))?;
    let url = format!("http://127.0.0.1:{}", args.port);
    println!(
        "Loket is running at {url}  (ready in {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  table {table}, {} routes, {} state machines, {regions} region items seeded",
        t.http_routes().len(),
        machines.len()
    );
    println!("  demo logins (password: {}):", demo.password);
    for a in &demo.accounts {
        let id = a
            .nik
            .as_deref()
            .or(a.nrk.as_deref())
            .map(|v| format!("  or {v}"))
            .unwrap_or_default();
        println!("    {:<13} {}{}", a.role.as_str(), a.email, id);
    }
    println!(
        "  captcha: send \"captcha_token\": \"{}\" (local test verifier)",
        loket_shared::captcha::TEST_TOKEN
    );
    let mail = args
        .mail_moto
        .as_deref()
        .unwrap_or(&args.moto)
        .trim_end_matches('/')
        .to_string();
    println!("  emails sent: {mail}/moto-api/data.json (ses.Message)");
    println!("  pages: {url}/masuk (sign in), {url}/tugas (an officer's open tasks; task links in the emails open {url}/task-links/...)");
    let server = Arc::new(server);
    if !args.test_support {
        // The demo satpel's first task, opened the way a vendor opens it.
        let satpel = demo
            .accounts
            .iter()
            .find(|a| a.role == loket_shared::auth::Role::Satpel)
            .map(|a| a.email.clone())
            .unwrap_or_default();
        let base = url.clone();
        tokio::spawn(async move {
            match seed::open_demo_task(&base, &demo, &satpel).await {
                Ok(page) => println!(
                    "  a task waits for the demo satpel: open {page} , sign in as {satpel} \
                     (password {}) and decide",
                    demo.password
                ),
                Err(e) => eprintln!("  the demo satpel's task could not be opened: {e}"),
            }
        });
    }
    println!("Press Ctrl-C to stop.");
    tokio::select! {
        _ = server.serve(listener) => Ok(()),
        _ = tokio::signal::ctrl_c() => { println!("stopping"); Ok(()) }
    }
}
