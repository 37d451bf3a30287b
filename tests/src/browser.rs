//! Browser tests: headless Chromium driven through WebDriver (`fantoccini`), against the
//! same shard of the local stack as the test's [`Api`].
//!
//! `infra/local/test.sh` installs Debian's `chromium` and `chromium-driver`, starts one
//! chromedriver for the whole run and sets `LOKET_WEBDRIVER_URL` (that chromedriver),
//! `LOKET_AXE_JS` (axe-core's `axe.min.js` from `infra/local/node_modules`) and
//! `LOKET_SCREENSHOTS` (where a failed browser test leaves its screenshot, beside the
//! stack's logs in `.loket/`).
//!
//! A test runs its browser steps in [`Browser::run`]: one session of its own (nextest
//! runs several tests at once, each in its own browser), closed whether the test passed
//! or not, and a screenshot `<test>-<step>.png` when it failed. WebDriver has no status
//! codes: pages show their state in text, and tests read that text.
//!
//! The browser is the test's caller: its requests carry the test's source address
//! (`X-Forwarded-For`) and clock shift, as [`Api`]'s do, so sign-in throttling and moved
//! clocks see one caller whichever of the two sends the request.

use crate::Api;
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use futures::FutureExt;
use serde_json::{json, Value};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// How long [`Browser::wait_for`] waits for an element: pages are server-rendered and
/// small, so anything longer is a failure, not a slow machine.
const WAIT: Duration = Duration::from_secs(5);
/// A phone (the officers read their email on one) and a desktop window.
pub const PHONE: (u32, u32) = (390, 844);
pub const DESKTOP: (u32, u32) = (1280, 900);

fn variable(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run the browser tests through infra/local/test.sh")
    })
}

/// axe-core's script, read once per test process.
fn axe_source() -> &'static str {
    static AXE: OnceLock<String> = OnceLock::new();
    AXE.get_or_init(|| {
        let path = variable("LOKET_AXE_JS");
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
    })
}

/// A Chrome DevTools command through chromedriver's `goog/cdp/execute` endpoint.
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.cmd, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// One browser session of one test. Clones share the session.
#[derive(Clone)]
pub struct Browser {
    client: Client,
    base: String,
    /// The test's name (its thread's), for screenshot names.
    test: String,
    /// What the test is doing, for screenshot names (see [`Browser::step`]).
    step: Arc<Mutex<String>>,
}

impl Browser {
    /// Runs `steps` in a new browser session on `api`'s shard and closes the session
    /// afterwards, whatever happened. When `steps` panic, the page as it is then is saved
    /// as `$LOKET_SCREENSHOTS/<test>-<step>.png` first, and the panic goes on.
    pub async fn run<F, Fut>(api: &Api, steps: F)
    where
        F: FnOnce(Browser) -> Fut,
        Fut: Future<Output = ()>,
    {
        let started = std::time::Instant::now();
        let browser = Browser::open(api).await;
        let outcome = AssertUnwindSafe(steps(browser.clone()))
            .catch_unwind()
            .await;
        if outcome.is_err() {
            browser.save_screenshot().await;
        }
        browser.close().await;
        eprintln!("browser session: {:.1} s", started.elapsed().as_secs_f64());
        if let Err(panic) = outcome {
            std::panic::resume_unwind(panic);
        }
    }

    /// A new headless Chromium session whose relative URLs go to `api`'s shard, in a
    /// desktop-sized window. Prefer [`Browser::run`], which closes it and takes the
    /// screenshot of a failure: chromedriver keeps a session (and its Chromium) until
    /// it is closed.
    pub async fn open(api: &Api) -> Browser {
        let webdriver = variable("LOKET_WEBDRIVER_URL");
        let (width, height) = DESKTOP;
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--no-first-run", "--disable-extensions", "--lang=id-ID",
                    format!("--window-size={width},{height}"),
                    // Only this machine: no background services, no name lookups but
                    // localhost, and every other address through a proxy that refuses
                    // (loopback always goes direct).
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-domain-reliability", "--disable-breakpad", "--no-pings",
                    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
                    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
                    "--proxy-server=http://127.0.0.1:9",
                ],
            },
            // Bounded commands: a page that does not load, or a script that does not
            // finish, fails the test instead of hanging it.
            "timeouts": { "pageLoad": 15000, "script": 15000, "implicit": 0 },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(capabilities);
        let connect = builder.connect(&webdriver);
        let client = tokio::time::timeout(Duration::from_secs(30), connect)
            .await
            .unwrap_or_else(|_| panic!("no browser session from {webdriver} within 30 s"))
            .unwrap_or_else(|e| panic!("no browser session from {webdriver}: {e}"));
        let browser = Browser {
            client,
            base: api.base_url().trim_end_matches('/').to_string(),
            test: std::thread::current().name().unwrap_or("test").to_string(),
            step: Arc::new(Mutex::new("start".to_string())),
        };
        // The test's caller identity on every request the browser sends.
        let headers = json!({ "headers": {
            "x-forwarded-for": api.ip,
            "x-loket-clock-shift": api.clock_shift().to_string(),
        } });
        let identity = async {
            browser.cdp("Network.enable", json!({})).await?;
            browser.cdp("Network.setExtraHTTPHeaders", headers).await
        };
        if let Err(e) = identity.await {
            browser.close().await;
            panic!("setting the test's address on the browser's requests: {e}");
        }
        browser
    }

    async fn cdp(&self, cmd: &'static str, params: Value) -> Result<Value, String> {
        self.client
            .issue_cmd(Cdp { cmd, params })
            .await
            .map_err(|e| format!("{cmd}: {e}"))
    }

    /// Names what the test does next: a screenshot of a failure is named after it.
    pub fn step(&self, name: &str) {
        *self.step.lock().unwrap() = name.to_string();
    }

    /// Ends the session (and its Chromium).
    pub async fn close(self) {
        if let Err(e) = self.client.close().await {
            eprintln!("closing the browser session: {e}");
        }
    }

    /// Saves the page as `$LOKET_SCREENSHOTS/<test>-<step>.png` and says where; returns
    /// the file's path (none when no screenshot could be taken).
    pub async fn save_screenshot(&self) -> Option<PathBuf> {
        let step = self.step.lock().unwrap().clone();
        let safe = |s: &str| -> String {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        c
                    } else {
                        '-'
                    }
                })
                .take(100)
                .collect()
        };
        let dir = PathBuf::from(
            std::env::var("LOKET_SCREENSHOTS")
                .unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
        );
        let path = dir.join(format!("{}-{}.png", safe(&self.test), safe(&step)));
        let saved = match self.client.screenshot().await {
            Ok(png) => std::fs::create_dir_all(&dir)
                .and_then(|_| std::fs::write(&path, png))
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.to_string()),
        };
        match saved {
            Ok(()) => {
                let url = self.client.current_url().await.map(|u| u.to_string());
                eprintln!(
                    "screenshot of the failed step {step:?} ({}): {}",
                    url.unwrap_or_default(),
                    path.display()
                );
                Some(path)
            }
            Err(e) => {
                eprintln!("no screenshot of the failed step {step:?}: {e}");
                None
            }
        }
    }

    /// Opens `path` (e.g. `/task-links/…`) of the test's shard, and waits until it loaded.
    pub async fn goto(&self, path: &str) {
        self.step(&format!("goto {path}"));
        let url = format!("{}{path}", self.base);
        self.client
            .goto(&url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// Opens an absolute URL (a `data:` page of a harness test, a presigned download).
    pub async fn goto_url(&self, url: &str) {
        self.step("goto url");
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// The path of the page shown (without host and query).
    pub async fn current_path(&self) -> String {
        self.client
            .current_url()
            .await
            .expect("the browser has a URL")
            .path()
            .to_string()
    }

    /// Waits (up to a few seconds) until the page has an element matching `css`.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(Duration::from_millis(50))
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "no {css:?} on {} within {WAIT:?}: {e}\npage text:\n{}",
                self.current_path().await,
                self.page_text().await
            ),
        }
    }

    /// Whether the page has an element matching `css` now (no waiting).
    pub async fn has(&self, css: &str) -> bool {
        self.client.find(Locator::Css(css)).await.is_ok()
    }

    /// The visible text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.wait_for(css)
            .await
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css:?}: {e}"))
    }

    /// The visible text of the whole page.
    pub async fn page_text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Types `value` into the field matching `css`, replacing what it held.
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self.wait_for(css).await;
        field
            .clear()
            .await
            .unwrap_or_else(|e| panic!("clearing {css:?}: {e}"));
        field
            .send_keys(value)
            .await
            .unwrap_or_else(|e| panic!("typing into {css:?}: {e}"));
    }

    /// Clicks the element matching `css` (a link, a button).
    pub async fn click(&self, css: &str) {
        self.wait_for(css)
            .await
            .click()
            .await
            .unwrap_or_else(|e| panic!("clicking {css:?}: {e}"));
    }

    /// Chooses the option of value `value` in the `select` matching `css`.
    pub async fn select(&self, css: &str, value: &str) {
        self.wait_for(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choosing {value:?} in {css:?}: {e}"));
    }

    /// Submits the form matching `css` with its submit button, as a person would.
    pub async fn submit(&self, css: &str) {
        self.wait_for(css).await;
        self.client
            .form(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("form {css:?}: {e}"))
            .submit()
            .await
            .unwrap_or_else(|e| panic!("submitting {css:?} (a submit button?): {e}"));
    }

    /// Removes the elements matching `css` from the page, as a forged or stale form
    /// would lack them (e.g. a form's CSRF field).
    pub async fn remove(&self, css: &str) {
        self.wait_for(css).await;
        self.client
            .execute(
                "document.querySelectorAll(arguments[0]).forEach(e => e.remove());",
                vec![json!(css)],
            )
            .await
            .unwrap_or_else(|e| panic!("removing {css:?}: {e}"));
    }

    /// Resizes the window (width × height, CSS pixels).
    pub async fn resize(&self, (width, height): (u32, u32)) {
        self.client
            .set_window_size(width, height)
            .await
            .unwrap_or_else(|e| panic!("resizing the window to {width}×{height}: {e}"));
    }

    /// Runs axe-core on the page as shown and fails on any violation of impact
    /// `serious` or `critical`, listing each with its rule, impact and elements. Lesser
    /// ones are printed, not failed.
    pub async fn check_accessibility(&self, page: &str) {
        self.step(&format!("axe {page}"));
        let loaded = self
            .client
            .execute("return typeof window.axe === 'object';", vec![])
            .await
            .unwrap_or_else(|e| panic!("axe on {page}: {e}"));
        if loaded != Value::Bool(true) {
            self.client
                .execute(axe_source(), vec![])
                .await
                .unwrap_or_else(|e| panic!("injecting axe-core into {page}: {e}"));
        }
        let result = self
            .client
            .execute_async(
                r#"const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ["violations"] })
                    .then((r) => done({ violations: r.violations.map((v) => ({
                        id: v.id, impact: v.impact, help: v.help,
                        targets: v.nodes.map((n) => n.target.join(" ")),
                    })) }))
                    .catch((e) => done({ error: String(e) }));"#,
                vec![],
            )
            .await
            .unwrap_or_else(|e| panic!("running axe-core on {page}: {e}"));
        if let Some(error) = result.get("error") {
            panic!("axe-core failed on {page}: {error}");
        }
        let violations = result["violations"].as_array().cloned().unwrap_or_default();
        let describe = |v: &Value| {
            format!(
                "{} ({}): {} at {}",
                v["id"].as_str().unwrap_or("?"),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or_default(),
                v["targets"]
            )
        };
        let (blocking, lesser): (Vec<&Value>, Vec<&Value>) = violations
            .iter()
            .partition(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")));
        for v in &lesser {
            eprintln!("axe on {page}, not failing: {}", describe(v));
        }
        assert!(
            blocking.is_empty(),
            "axe-core: serious or critical accessibility violations on {page}:\n{}",
            blocking
                .iter()
                .map(|v| describe(v))
                .collect::<Vec<_>>()
                .join("\n")
        );
    }

    /// [`Browser::check_accessibility`] in a phone-sized and then a desktop-sized
    /// window (the window stays desktop-sized).
    pub async fn check_accessibility_at_both_sizes(&self, page: &str) {
        self.resize(PHONE).await;
        self.check_accessibility(&format!("{page} (ponsel {}×{})", PHONE.0, PHONE.1))
            .await;
        self.resize(DESKTOP).await;
        self.check_accessibility(&format!("{page} (desktop {}×{})", DESKTOP.0, DESKTOP.1))
            .await;
    }
}
