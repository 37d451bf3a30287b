//! Harness for the end-to-end tests: an HTTP client for the local stack and a reader of
//! the emails moto captured. The stack is started by `infra/local/test.sh`, which sets
//! `LOKET_API_URL` and `LOKET_MAIL_URL`; without them the tests fail and say so.
//!
//! Every test gets its own source address (sent as `X-Forwarded-For`, which the local
//! runner honours only with `--trust-forwarded-for`), its own emails and NIKs, so tests
//! run in parallel without sharing throttling counters or accounts.
//!
//! Browser tests drive headless Chromium through [`browser::Browser`].

pub mod browser;

use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

pub const DEMO_PASSWORD: &str = "Loket-Demo-2026";
/// The smallest file the checked upload takes as a PDF.
pub const PDF_BYTES: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
pub const CAPTCHA: &str = "lulus-captcha-uji";
pub const DEMO_ADMIN: &str = "admin@demo.loket.id";
pub const DEMO_APPLICANT: &str = "pemohon@demo.loket.id";
pub const DEMO_APPLICANT_NIK: &str = "6472014502950001";
/// A village of Palaran, Kota Samarinda (from idn-area-data).
pub const VILLAGE: [&str; 4] = ["64", "64.72", "64.72.01", "64.72.01.1001"];

static COUNTER: AtomicU32 = AtomicU32::new(1);

fn unique() -> u32 {
    COUNTER.fetch_add(1, Ordering::SeqCst) * 1000 + rand::random::<u32>() % 1000
}

/// A source address of the 10.0.0.0/8 range, sent as `X-Forwarded-For` only.
fn random_address() -> String {
    format!(
        "10.{}.{}.{}",
        rand::random::<u8>(),
        rand::random::<u8>(),
        1 + rand::random::<u8>() % 250
    )
}

/// The shard (of `shards`) the running test uses: a stable hash of its name (the test
/// harness names the test's thread after it), so every `Api` of one test sees the
/// same deployment.
fn this_tests_shard(shards: usize) -> usize {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    std::thread::current()
        .name()
        .unwrap_or_default()
        .hash(&mut h);
    (h.finish() % shards.max(1) as u64) as usize
}

/// A fresh email address for one test.
pub fn email(tag: &str) -> String {
    format!("{tag}.{}.{}@uji.loket.id", std::process::id(), unique())
}

/// A valid, fresh NIK of Palaran (647201) with the given birth date and gender; the
/// sequence part is random so runs in one table do not collide.
pub fn nik(day: u32, month: u32, yy: u32, female: bool) -> String {
    let d = if female { day + 40 } else { day };
    let seq = 1 + rand::random::<u32>() % 9998;
    format!("647201{d:02}{month:02}{yy:02}{seq:04}")
}

/// A valid NIK with a random birth date as well, for tests that do not care about it
/// (about 4 million possibilities, so concurrent tests practically never collide).
pub fn random_nik() -> String {
    let day = 1 + rand::random::<u32>() % 28;
    let month = 1 + rand::random::<u32>() % 12;
    let yy = 60 + rand::random::<u32>() % 40;
    nik(day, month, yy, rand::random::<bool>())
}

/// A complete vendor profile form ("Dataku > Profil") of a food business, with a NIB
/// (override fields to vary it).
pub fn vendor_profile_form(business_name: &str) -> Value {
    json!({
        "phone": "0812-5500-7788", "business_name": business_name,
        "business_category": "Makanan dan Minuman", "licence_type": "NIB",
        "licence_number": "9120001234567", "tax_status": "Non-PKP", "bank_name": "Bank Kaltimtara",
        "bank_account": "0012345678", "owner_name": "Sri Rahayu", "pkt": "Non-PKT",
        "address": "Jl. Pangeran Antasari No. 12", "province_code": VILLAGE[0],
        "regency_code": VILLAGE[1], "district_code": VILLAGE[2], "village_code": VILLAGE[3],
        "postal_code": "75251",
    })
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "unexpected reply: {}", self.body);
        &self.body
    }
    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) -> &Self {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "unexpected reply: {}",
            self.body
        );
        self
    }
}

#[derive(Debug, Clone)]
pub struct Email {
    pub subject: String,
    pub body: String,
}

impl Email {
    /// The first run of `n` digits after `marker`.
    pub fn digits_after(&self, marker: &str, n: usize) -> String {
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker:?} in {}", self.body))
            + marker.len();
        let digits: String = self.body[start..]
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(|c| c.is_ascii_digit())
            .collect();
        assert_eq!(
            digits.len(),
            n,
            "expected {n} digits after {marker:?} in {}",
            self.body
        );
        digits
    }

    /// The path of the first link of the email that contains `marker` (e.g.
    /// `/task-links/`), without the host.
    pub fn link_path(&self, marker: &str) -> String {
        let start = self
            .body
            .find(marker)
            .unwrap_or_else(|| panic!("no {marker} in {}", self.body));
        self.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c))
            .collect()
    }

    /// The value of `param` in the first link of the email.
    pub fn link_param(&self, param: &str) -> String {
        let key = format!("{param}=");
        let start = self
            .body
            .find(&key)
            .unwrap_or_else(|| panic!("no {key} in {}", self.body))
            + key.len();
        self.body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect()
    }
}

/// The e-Order administrators' organisation in the demo data.
pub const EORDER_ADMIN_ORG: &str = "141732";

/// Officers of one SKPD for a test (access tokens, and the PJLP's user id).
pub struct Officers {
    pub satpel: String,
    pub pjlp_id: String,
    pub pjlp: String,
    pub admin: String,
}

/// The smallest valid PNG (1×1 pixel).
pub const PNG: [u8; 67] = [
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

/// The emulator process of the stoppable deployment ([`Api::stoppable`]).
pub struct Emulator {
    pid: u32,
}

impl Emulator {
    /// Stops the emulator (SIGSTOP): it answers nothing, its executions stand still;
    /// connections are still accepted by the kernel, as with a stalled service.
    pub fn stop(&self) {
        self.signal("-STOP");
    }

    /// Starts it again (SIGCONT), with its state as it was.
    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, sig: &str) {
        let ok = std::process::Command::new("kill")
            .args([sig, &self.pid.to_string()])
            .status()
            .expect("kill runs")
            .success();
        assert!(ok, "kill {sig} {}", self.pid);
    }
}

impl Drop for Emulator {
    /// A failed test must not leave the emulator stopped.
    fn drop(&mut self) {
        let _ = std::process::Command::new("kill")
            .args(["-CONT", &self.pid.to_string()])
            .status();
    }
}

#[derive(Clone)]
pub struct Api {
    base: String,
    mail: String,
    http: reqwest::Client,
    /// This test's source address.
    pub ip: String,
    /// Seconds this view of the stack is ahead of the real clock (see [`Api::later`]).
    clock_shift: i64,
}

impl Default for Api {
    fn default() -> Self {
        Self::new()
    }
}

impl Api {
    pub fn new() -> Self {
        Self::at("LOKET_API_URL")
    }

    /// The second deployment of the test stack, configured for the JATHIL MART
    /// onboarding chain (same emulators, own tables).
    pub fn jathil() -> Self {
        Self::at("LOKET_JATHIL_API_URL")
    }

    /// The deployment with an emulator of its own, for the tests that would disturb
    /// every other test: the fault test stops its emulator, the deadline tests run the
    /// hourly job days ahead (which would remind, escalate and expire other tests'
    /// tasks). They run one at a time: test group `own-deployment` in
    /// `.config/nextest.toml`.
    pub fn own_deployment() -> Self {
        Self::at_with_mail("LOKET_FAULT_API_URL", "LOKET_FAULT_MAIL_URL")
    }

    /// The deployment whose emulator the fault tests stop and start again (its own
    /// moto, for every service, so that nothing else waits on it), and that emulator.
    pub fn stoppable() -> (Self, Emulator) {
        let api = Self::own_deployment();
        let pid = std::env::var("LOKET_FAULT_EMULATOR_PID")
            .expect(
                "LOKET_FAULT_EMULATOR_PID is not set: run the tests through infra/local/test.sh",
            )
            .parse()
            .expect("a process id");
        (api, Emulator { pid })
    }

    fn at(url_variable: &str) -> Self {
        Self::at_with_mail(url_variable, "LOKET_MAIL_URL")
    }

    /// `url_variable` and `LOKET_MAIL_URL` list one URL per shard of the test stack
    /// (comma-separated, in the same order): each shard is a deployment on emulators of
    /// its own, so the tests spread over several single-threaded emulators. A test
    /// always uses one shard, chosen by its name. The JATHIL deployment runs on the
    /// first shard's emulators.
    fn at_with_mail(url_variable: &str, mail_variable: &str) -> Self {
        let list = |name: &str| -> Vec<String> {
            std::env::var(name)
                .unwrap_or_else(|_| {
                    panic!(
                        "{name} is not set: run the end-to-end tests through infra/local/test.sh"
                    )
                })
                .split(',')
                .map(str::to_string)
                .collect()
        };
        let (bases, mails) = (list(url_variable), list(mail_variable));
        let shard = this_tests_shard(bases.len());
        loket_shared::init_tls();
        Self {
            base: bases[shard].clone(),
            mail: mails[shard.min(mails.len() - 1)].clone(),
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
            ip: random_address(),
            clock_shift: 0,
        }
    }

    /// The base URL of this test's shard of the stack (no trailing slash).
    /// Seconds this view of the stack is ahead of the real clock.
    pub fn clock_shift(&self) -> i64 {
        self.clock_shift
    }

    /// The same caller, `seconds` later: the test stack (`--test-support`) serves its
    /// requests with the clock moved forward, so a test sees a code expire or a cooldown
    /// pass without waiting it out. The rules and lifetimes are the production ones.
    pub fn later(&self, seconds: i64) -> Self {
        Self {
            base: self.base.clone(),
            mail: self.mail.clone(),
            http: self.http.clone(),
            ip: self.ip.clone(),
            clock_shift: self.clock_shift + seconds,
        }
    }

    /// The same stack seen from another source address.
    pub fn from_other_address(&self) -> Self {
        Self {
            ip: random_address(),
            ..self.later(0)
        }
    }

    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        self.call_with_headers(method, path, token, body, &[]).await
    }

    /// [`Api::call`] with further request headers (e.g. `Idempotency-Key`).
    pub async fn call_with_headers(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .http
            .request(m, format!("{}{}", self.base, path))
            .header("x-forwarded-for", &self.ip)
            .header("x-loket-clock-shift", self.clock_shift);
        for (name, value) in headers {
            rb = rb.header(*name, *value);
        }
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("the local stack answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body }
    }

    /// Posts a raw (possibly malformed) body.
    pub async fn http_raw_post(&self, path: &str, raw: &str) -> Reply {
        let resp = self
            .http
            .post(format!("{}{}", self.base, path))
            .header("x-forwarded-for", &self.ip)
            .header("x-loket-clock-shift", self.clock_shift)
            .header("content-type", "application/json")
            .body(raw.to_string())
            .send()
            .await
            .expect("the local stack answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.call("GET", path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call("POST", path, token, Some(body)).await
    }

    /// Signs in and returns the whole token reply.
    pub async fn login(&self, identifier: &str, password: &str) -> Reply {
        self.post(
            "/auth/login",
            None,
            json!({ "identifier": identifier, "password": password, "captcha_token": CAPTCHA }),
        )
        .await
    }

    /// Signs in and returns the access token, failing the test otherwise.
    pub async fn token(&self, identifier: &str, password: &str) -> String {
        let r = self.login(identifier, password).await;
        r.expect(200)["access_token"].as_str().unwrap().to_string()
    }

    /// Every email moto captured for `to`, oldest first.
    pub async fn emails(&self, to: &str) -> Vec<Email> {
        let data: Value = self
            .http
            .get(format!("{}/moto-api/data.json", self.mail))
            .send()
            .await
            .expect("moto answers")
            .json()
            .await
            .expect("moto data is JSON");
        data["ses"]["Message"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| {
                m["destinations"]["ToAddresses"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(to)))
            })
            .map(|m| Email {
                subject: m["subject"].as_str().unwrap_or_default().to_string(),
                body: m["body"].as_str().unwrap_or_default().to_string(),
            })
            .collect()
    }

    /// Waits (up to 60 s) for the `nth` (1-based) email to `to` whose subject contains
    /// `subject`: emails go out asynchronously, from the outbox through the stream, and
    /// with every test running at once on a small machine they can queue for a while.
    pub async fn wait_email(&self, to: &str, subject: &str, nth: usize) -> Email {
        for _ in 0..600 {
            let found: Vec<Email> = self
                .emails(to)
                .await
                .into_iter()
                .filter(|e| e.subject.contains(subject))
                .collect();
            if found.len() >= nth {
                return found[nth - 1].clone();
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("no email #{nth} with subject {subject:?} reached {to}");
    }

    /// Requests a registration code for `email` and reads it from the email.
    pub async fn registration_code(&self, email: &str) -> String {
        let before = self.emails(email).await.len();
        self.post("/auth/registration-code", None, json!({ "email": email }))
            .await
            .expect(202);
        self.wait_email(email, "Kode Verifikasi", before + 1)
            .await
            .digits_after("Kode verifikasi email Anda:", 6)
    }

    /// A complete, valid registration body (override fields with `extra`).
    pub fn registration(&self, nik: &str, email: &str, code: &str, extra: Value) -> Value {
        let female = nik[6..8].parse::<u32>().unwrap() > 40;
        let day = nik[6..8].parse::<u32>().unwrap() % 40;
        let birth = format!("19{}-{}-{day:02}", &nik[10..12], &nik[8..10]);
        let mut body = json!({
            "nik": nik, "npwp": "", "password": "Samarinda-Kota-7", "name": "Drs. Ahmad Fauzi, M.M.",
            "gender": if female { "P" } else { "L" }, "birth_date": birth, "education": "S1",
            "address": "Jl. Cipto Mangunkusumo No. 5", "province_code": VILLAGE[0], "regency_code": VILLAGE[1],
            "district_code": VILLAGE[2], "village_code": VILLAGE[3], "postal_code": "75251",
            "phone": "0812-5000-1234", "email": email, "email_code": code, "captcha_token": CAPTCHA,
        });
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    }

    /// Uploads `bytes` with a presigned POST (`{url, fields}`) as a browser would:
    /// every field, then the file last. Returns the storage's HTTP status.
    pub async fn upload(&self, upload: &Value, bytes: Vec<u8>) -> u16 {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in upload["fields"].as_object().expect("upload fields") {
            form = form.text(k.clone(), v.as_str().unwrap_or_default().to_string());
        }
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("berkas"),
        );
        self.http
            .post(upload["url"].as_str().expect("upload url"))
            .multipart(form)
            .send()
            .await
            .expect("the storage emulator answers")
            .status()
            .as_u16()
    }

    /// GETs an absolute URL (a presigned download) and returns its status and body.
    pub async fn fetch(&self, url: &str) -> (u16, Vec<u8>) {
        let resp = self.http.get(url).send().await.expect("the URL answers");
        let status = resp.status().as_u16();
        (status, resp.bytes().await.unwrap_or_default().to_vec())
    }

    /// Follows an activation link's `token`, setting `password`; returns the access
    /// token of the session it opens.
    async fn activate(&self, token: &str, password: &str) -> String {
        let r = self
            .post(
                "/accounts/activation",
                None,
                json!({ "token": token, "password": password, "password_confirmation": password }),
            )
            .await;
        r.expect(200)["session"]["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// A vendor self-registered with SKPD Pembina `skpd` and activated through the
    /// "Aktifkan akun Saya!" email; returns (email, access token).
    pub async fn new_vendor(&self, tag: &str, skpd: &str) -> (String, String) {
        let mail = email(tag);
        self.post(
            "/vendors/registrations",
            None,
            json!({ "name": "Sri Rahayu", "email": mail, "skpd_code": skpd, "captcha_token": CAPTCHA }),
        )
        .await
        .expect(201);
        let token = self
            .wait_email(&mail, "Aktivasi Akun UMKM Anda", 1)
            .await
            .link_param("token");
        let access = self.activate(&token, "Kerajinan-Rotan-7").await;
        (mail, access)
    }

    /// An officer created by the demo admin with `role` in `org`, activated through
    /// the invitation email; returns (user id, access token).
    pub async fn new_officer(&self, role: &str, org: &str) -> (String, String) {
        let (id, _, _, access) = self.create_officer(role, org).await;
        (id, access)
    }

    /// A new active officer: (id, email, password).
    pub async fn new_officer_login(&self, role: &str, org: &str) -> (String, String, String) {
        let (id, mail, password, _) = self.create_officer(role, org).await;
        (id, mail, password)
    }

    /// An officer created by the demo admin and activated through the invitation
    /// email: (id, email, password, access token).
    async fn create_officer(&self, role: &str, org: &str) -> (String, String, String, String) {
        let admin = self.token(DEMO_ADMIN, DEMO_PASSWORD).await;
        self.create_officer_as(&admin, role, org).await
    }

    /// Several new active officers at once, created by one sign-in of the demo admin
    /// (parallel sign-ins of one account count as a burst of attempts): for each
    /// (role, organisation), (id, email, password, access token).
    pub async fn new_officers(
        &self,
        wanted: &[(&str, &str)],
    ) -> Vec<(String, String, String, String)> {
        let admin = self.token(DEMO_ADMIN, DEMO_PASSWORD).await;
        futures::future::join_all(
            wanted
                .iter()
                .map(|(role, org)| self.create_officer_as(&admin, role, org)),
        )
        .await
    }

    async fn create_officer_as(
        &self,
        admin: &str,
        role: &str,
        org: &str,
    ) -> (String, String, String, String) {
        let admin = admin.to_string();
        let mail = email(role);
        let r = self
            .post(
                "/admin/accounts",
                Some(&admin),
                json!({ "name": "Petugas Uji", "email": mail, "role": role, "org": org }),
            )
            .await;
        let id = r.expect(201)["id"].as_str().unwrap().to_string();
        let token = self
            .wait_email(&mail, "Akun Petugas Loket Anda", 1)
            .await
            .link_param("token");
        let password = "Petugas-Uji-2026".to_string();
        let access = self.activate(&token, &password).await;
        (id, mail, password, access)
    }

    /// A new vendor of `skpd` whose complete profile is confirmed ("Confirm"): the
    /// onboarding chain starts. Returns (access token, business name).
    pub async fn submitted_vendor(
        &self,
        tag: &str,
        skpd: &str,
        business: &str,
    ) -> (String, String) {
        let (_, vendor) = self.new_vendor(tag, skpd).await;
        let business = format!("{business} {}", rand::random::<u32>());
        self.submit_vendor_profile(&vendor, &business).await;
        (vendor, business)
    }

    /// The vendor fills its profile ([`vendor_profile_form`]) and confirms it.
    pub async fn submit_vendor_profile(&self, vendor: &str, business: &str) {
        self.call(
            "PUT",
            "/vendor/profile",
            Some(vendor),
            Some(vendor_profile_form(business)),
        )
        .await
        .expect(200);
        self.post("/vendor/profile/submit", Some(vendor), json!({}))
            .await
            .expect(202);
    }

    /// The vendor uploads a document of `kind` (`licence`, `pirt`, `photo`) named
    /// `file_name`: presigned POST, upload to storage, confirm. Returns its id.
    pub async fn upload_vendor_document(
        &self,
        vendor: &str,
        kind: &str,
        file_name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> String {
        let started = self
            .post(
                "/vendor/documents",
                Some(vendor),
                json!({ "kind": kind, "content_type": content_type, "file_name": file_name }),
            )
            .await
            .expect(201)
            .clone();
        let status = self.upload(&started["upload"], bytes).await;
        assert!((200..300).contains(&status), "storage refused: {status}");
        let id = started["document"]["id"].as_str().unwrap().to_string();
        self.post(
            &format!("/vendor/documents/{id}/confirm"),
            Some(vendor),
            json!({}),
        )
        .await
        .expect(200);
        id
    }

    /// The vendor adds a photo (the smallest PNG) to its product: presigned POST,
    /// upload, confirm. Returns the photo's id.
    pub async fn add_product_photo(&self, vendor: &str, product: &str) -> String {
        let r = self
            .post(
                &format!("/vendor/products/{product}/photos"),
                Some(vendor),
                json!({ "content_type": "image/png" }),
            )
            .await;
        let started = r.expect(201).clone();
        let status = self.upload(&started["upload"], PNG.to_vec()).await;
        assert!((200..300).contains(&status), "upload: {status}");
        let id = started["photo"]["id"].as_str().unwrap().to_string();
        self.post(
            &format!("/vendor/products/{product}/photos/{id}/confirm"),
            Some(vendor),
            json!({}),
        )
        .await
        .expect(200);
        id
    }

    /// The decision link (`/task-links/…`) of the "Tugas Baru" email `officer` got for
    /// the task at `stage` (its label) about `subject`.
    pub async fn task_link(&self, officer: &str, stage: &str, subject: &str) -> String {
        self.wait_email(officer, &format!("Tugas Baru: {stage} - {subject}"), 1)
            .await
            .link_path("/task-links/")
    }

    /// The id of the account behind `token`.
    pub async fn user_id(&self, token: &str) -> String {
        self.get("/me", Some(token)).await.expect(200)["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// The base URL of this test's stack (its shard).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Registers a fresh applicant and returns (nik, email, password, access token).
    pub async fn new_applicant(&self, tag: &str) -> (String, String, String, String) {
        let email = email(tag);
        let nik = random_nik();
        let code = self.registration_code(&email).await;
        let r = self
            .post(
                "/auth/register",
                None,
                self.registration(&nik, &email, &code, json!({})),
            )
            .await;
        let token = r.expect(201)["session"]["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        (nik, email, "Samarinda-Kota-7".to_string(), token)
    }

    /// Waits (workflow executions run asynchronously) for the pending task of `kind`
    /// at `stage` about `subject_id` in the officer's inbox; returns the task id.
    pub async fn wait_task(
        &self,
        officer: &str,
        kind: &str,
        stage: &str,
        subject_id: &str,
    ) -> String {
        for _ in 0..360 {
            let r = self
                .get(&format!("/tasks?stage={stage}"), Some(officer))
                .await;
            if let Some(t) = r.expect(200)["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["subject_id"] == subject_id && t["kind"] == kind)
            {
                return t["id"].as_str().unwrap().to_string();
            }
            // Every poll is a few queries on the one (serial) emulator: not too often.
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("no {kind} {stage} task about {subject_id} reached the inbox");
    }

    /// A delivery address of `buyer` (an office in Samarinda); its id.
    pub async fn buyer_address(&self, buyer: &str) -> String {
        self.post(
            "/buyer/addresses",
            Some(buyer),
            json!({ "name": "Kantor", "kind": "Utama", "street": "Jl. Merdeka 1",
                    "province_code": "64", "regency_code": "64.72", "district_code": "64.72.01",
                    "postal_code": "75251", "latitude": -0.5, "longitude": 117.15 }),
        )
        .await
        .expect(201)["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `quantity` of `product` into `buyer`'s cart ("Pesan"); the draft order's id.
    pub async fn into_cart(&self, buyer: &str, product: &str, quantity: i64) -> String {
        let r = self
            .post(
                "/cart/items",
                Some(buyer),
                json!({ "product_id": product, "quantity": quantity }),
            )
            .await;
        assert!(r.status == 200 || r.status == 201, "{}", r.body);
        r.body["id"].as_str().unwrap().to_string()
    }

    /// Fills the order form of `buyer`'s draft `order`: `address`, three days ahead at
    /// 10:00, cash on delivery.
    pub async fn fill_order_form(&self, buyer: &str, order: &str, address: &str) {
        let day = time::OffsetDateTime::now_utc().date() + time::Duration::days(3);
        self.call(
            "PUT",
            &format!("/orders/{order}"),
            Some(buyer),
            Some(
                json!({ "address_id": address, "activity_date": day.to_string(),
                         "activity_time": "10:00", "activity_name": "Rapat Koordinasi",
                         "payment_method": "cod" }),
            ),
        )
        .await
        .expect(200);
    }

    /// "Konfirmasi Pesanan" of `buyer`'s filled draft `order` with `key` as its
    /// `Idempotency-Key`; the placed order.
    pub async fn place_order(&self, buyer: &str, order: &str, key: &str) -> Value {
        self.confirm_order(buyer, order, key)
            .await
            .expect(200)
            .clone()
    }

    /// `POST /orders/{order}/confirm` as `buyer` with `key` as its `Idempotency-Key`.
    pub async fn confirm_order(&self, buyer: &str, order: &str, key: &str) -> Reply {
        self.call_with_headers(
            "POST",
            &format!("/orders/{order}/confirm"),
            Some(buyer),
            Some(json!({})),
            &[("idempotency-key", key)],
        )
        .await
    }

    /// Uploads `bytes` as `content_type` for requirement `code` of `applicant`'s
    /// application `id`, and confirms it; the confirmation's reply.
    pub async fn attach_document(
        &self,
        applicant: &str,
        id: &str,
        code: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Reply {
        let created = self
            .post(
                &format!("/applications/{id}/attachments"),
                Some(applicant),
                json!({ "requirement_code": code, "file_name": format!("{code}.berkas"),
                        "content_type": content_type }),
            )
            .await;
        let upload = created.expect(201)["upload"].clone();
        assert_eq!(self.upload(&upload, bytes.to_vec()).await, 204);
        self.post(
            &format!("/applications/{id}/attachments/{code}/confirm"),
            Some(applicant),
            json!({}),
        )
        .await
    }

    /// A submitted application of `applicant` for an SIPA (DPMPTSP), as an individual,
    /// in Samarinda, every mandatory document a PDF; returns (id, resi).
    pub async fn submitted_application(&self, applicant: &str) -> (String, String) {
        self.submitted_application_of(applicant, "SIPA").await
    }

    /// A new draft application of `applicant` for permit type `permit_type` of DPMPTSP
    /// (a new permit): the draft as `POST /applications` answers it.
    pub async fn started_application(&self, applicant: &str, permit_type: &str) -> Value {
        self.post(
            "/applications",
            Some(applicant),
            json!({ "agency_code": "DPMPTSP", "permit_type_code": permit_type, "kind": "new" }),
        )
        .await
        .expect(201)
        .clone()
    }

    /// As [`Api::submitted_application`], of permit type `permit_type` of DPMPTSP.
    pub async fn submitted_application_of(
        &self,
        applicant: &str,
        permit_type: &str,
    ) -> (String, String) {
        let started = self.started_application(applicant, permit_type).await;
        let id = started["id"].as_str().unwrap().to_string();
        self.call(
            "PUT",
            &format!("/applications/{id}"),
            Some(applicant),
            Some(json!({ "individual": true, "declaration": true,
                "location": { "address": "Jl. Juanda No. 8", "province_code": "64",
                    "regency_code": "64.72", "district_code": "64.72.01",
                    "village_code": "64.72.01.1001", "latitude": -0.4948, "longitude": 117.1436 } })),
        )
        .await
        .expect(200);
        for r in started["requirements"].as_array().unwrap() {
            if r["mandatory"] == true {
                let code = r["code"].as_str().unwrap();
                self.attach_document(applicant, &id, code, "application/pdf", PDF_BYTES)
                    .await
                    .expect(200);
            }
        }
        let submitted = self
            .post(
                &format!("/applications/{id}/submit"),
                Some(applicant),
                json!({}),
            )
            .await;
        let resi = submitted.expect(200)["resi"].as_str().unwrap().to_string();
        (id, resi)
    }

    /// The admins' holiday calendar of the years around `day`, as the deadline job
    /// reads it.
    pub async fn holiday_calendar(
        &self,
        day: time::Date,
    ) -> std::collections::BTreeSet<time::Date> {
        let mut days = std::collections::BTreeSet::new();
        for year in [day.year() - 1, day.year(), day.year() + 1] {
            let r = self.get(&format!("/holidays?year={year}"), None).await;
            for h in r.expect(200)["items"].as_array().unwrap() {
                let d = h["date"].as_str().unwrap();
                let format = time::macros::format_description!("[year]-[month]-[day]");
                days.insert(time::Date::parse(d, &format).unwrap());
            }
        }
        days
    }

    /// An application of `applicant` taken to its signed permit by new officers of
    /// DPMPTSP (front office, verifier, agency head): (id, resi), once `Selesai`.
    pub async fn completed_application(&self, applicant: &str) -> (String, String) {
        let officers = self
            .new_officers(&[
                ("helpdesk", "DPMPTSP"),
                ("verifier", "DPMPTSP"),
                ("agency_head", "DPMPTSP"),
            ])
            .await;
        let (id, resi) = self.submitted_application(applicant).await;
        for (officer, stage) in officers
            .iter()
            .zip(["front_office", "verification", "signing"])
        {
            let task = self
                .wait_task(&officer.3, "permit_application", stage, &id)
                .await;
            self.decide(&officer.3, &task, json!({ "decision": "approve" }))
                .await
                .expect(200);
        }
        for _ in 0..120 {
            let a = self
                .get(&format!("/applications/{id}"), Some(applicant))
                .await;
            if a.expect(200)["status_code"] == "completed" {
                return (id, resi);
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("application {id} was never completed");
    }

    /// Fires the hourly deadline job as its schedule would on `day`, 10:00 WIB; what it
    /// did.
    pub async fn run_deadline_job_on(&self, day: time::Date) -> Value {
        self.post(
            "/__local/events/enforce_task_deadlines",
            None,
            json!({ "time": format!("{day}T03:00:00Z") }),
        )
        .await
        .expect(200)
        .clone()
    }

    /// Decides a task from the inbox.
    pub async fn decide(&self, officer: &str, task: &str, body: Value) -> Reply {
        self.post(&format!("/tasks/{task}/decision"), Some(officer), body)
            .await
    }

    /// A satpel and a PJLP of `skpd` and an e-Order administrator, new for the test.
    pub async fn officers(&self, skpd: &str) -> Officers {
        let (_, satpel) = self.new_officer("satpel", skpd).await;
        let (pjlp_id, pjlp) = self.new_officer("pjlp", skpd).await;
        let (_, admin) = self.new_officer("eorder_admin", EORDER_ADMIN_ORG).await;
        Officers {
            satpel,
            pjlp_id,
            pjlp,
            admin,
        }
    }

    /// A vendor of `skpd` named `business`, self-registered and activated through its
    /// email, whose registration the test stack then makes "Terdaftar" with `pjlp_id` as
    /// its PJLP and `products` (the seed's product forms) published, with the code the
    /// demo data uses (`POST /__local/seed/registered-vendor`): for tests whose subject
    /// is not the onboarding chain, which has its own end-to-end test. Returns (vendor
    /// id, email, access token, product ids newest first).
    pub async fn seeded_vendor(
        &self,
        tag: &str,
        skpd: &str,
        business: &str,
        pjlp_id: &str,
        products: Value,
    ) -> (String, String, String, Vec<String>) {
        let (mail, token) = self.new_vendor(tag, skpd).await;
        let vendor_id = self.get("/me", Some(&token)).await.expect(200)["id"]
            .as_str()
            .unwrap()
            .to_string();
        let seeded = self
            .post(
                "/__local/seed/registered-vendor",
                None,
                json!({
                    "vendor_id": vendor_id, "pjlp_id": pjlp_id, "business_name": business,
                    "owner_name": "Sri Rahayu", "phone": "0812-5500-7788", "products": products,
                    "address": { "street": "Jl. Pangeran Antasari No. 12",
                                 "village_code": VILLAGE[3], "postal_code": "75251" },
                }),
            )
            .await;
        let ids = seeded.expect(201)["products"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap().to_string())
            .collect();
        let p = self.get("/vendor/profile", Some(&token)).await;
        assert_eq!(p.expect(200)["status"], "Terdaftar");
        (vendor_id, mail, token, ids)
    }
}

/// The text of the QR code in a PDF made by `loket_shared::pdf::render` (the first, if
/// several), or `None` when there is none or it does not decode: read as a camera
/// would, from the picture drawn, so a test checks what a phone would scan.
///
/// The renderer draws each QR as filled rectangles, one per horizontal run of dark
/// modules, in a marked-content section `/QR BMC … EMC` of an uncompressed content
/// stream; only the `x y w h re` operators inside it are read. Their unit (modules,
/// under the section's `cm`, or points) does not matter: a module's size is the
/// smallest rectangle height, and every rectangle is placed on the grid it makes. The
/// grid is rasterized at 4 px per module with a 4-module white quiet zone and handed
/// to `rqrr`.
pub fn qr_in_pdf(pdf: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(pdf);
    let start = text.find("/QR BMC")?;
    let section = &text[start..start + text[start..].find("EMC")?];
    let mut operands: Vec<f64> = Vec::new();
    let mut rects: Vec<[f64; 4]> = Vec::new();
    for token in section.split_ascii_whitespace() {
        match token.parse::<f64>() {
            Ok(n) => operands.push(n),
            Err(_) => {
                if token == "re" && operands.len() >= 4 {
                    let r = &operands[operands.len() - 4..];
                    // A negative width or height draws from the other corner.
                    let (x, w) = if r[2] < 0.0 {
                        (r[0] + r[2], -r[2])
                    } else {
                        (r[0], r[2])
                    };
                    let (y, h) = if r[3] < 0.0 {
                        (r[1] + r[3], -r[3])
                    } else {
                        (r[1], r[3])
                    };
                    rects.push([x, y, w, h]);
                }
                operands.clear();
            }
        }
    }
    let module = rects
        .iter()
        .map(|r| r[3])
        .filter(|&h| h > 0.0)
        .reduce(f64::min)?;
    let left = rects.iter().map(|r| r[0]).reduce(f64::min)?;
    let bottom = rects.iter().map(|r| r[1]).reduce(f64::min)?;
    let right = rects.iter().map(|r| r[0] + r[2]).reduce(f64::max)?;
    let top = rects.iter().map(|r| r[1] + r[3]).reduce(f64::max)?;
    let cells = |length: f64| (length / module).round() as usize;
    let (width, height) = (cells(right - left), cells(top - bottom));
    if width == 0 || width != height {
        return None;
    }
    // Rows top down, as in an image; the PDF's y axis points up.
    let mut grid = vec![vec![false; width]; width];
    for [x, y, w, h] in rects {
        let (col, row) = (cells(x - left), cells(y - bottom));
        for r in row..(row + cells(h)).min(width) {
            let cols = col.min(width)..(col + cells(w)).min(width);
            grid[width - 1 - r][cols].fill(true);
        }
    }
    const QUIET: usize = 4;
    const SCALE: usize = 4;
    let side = (width + 2 * QUIET) * SCALE;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |px, py| {
        let col = (px / SCALE).checked_sub(QUIET);
        let row = (py / SCALE).checked_sub(QUIET);
        match (row.and_then(|r| grid.get(r)), col) {
            (Some(modules), Some(c)) if modules.get(c) == Some(&true) => 0,
            _ => 255,
        }
    });
    let grids = image.detect_grids();
    grids.first()?.decode().ok().map(|(_, payload)| payload)
}

/// The first day `n` working days after `from` (weekends and `calendar` do not count).
pub fn working_day(
    from: time::Date,
    n: i64,
    calendar: &std::collections::BTreeSet<time::Date>,
) -> time::Date {
    let mut day = from;
    while loket_shared::rules::workdays::working_days_between(from, day, calendar) < n {
        day += time::Duration::days(1);
    }
    day
}

#[cfg(test)]
mod qr_in_pdf_tests {
    use super::qr_in_pdf;
    use loket_shared::pdf::{render, Line};

    #[test]
    fn reads_back_the_qr_code_that_render_draws() {
        let payload = "https://loket.example.go.id/verifikasi/01JABCDEFGHJKMNPQRSTVWXYZ0";
        let pdf = render(
            "Izin",
            &[
                Line::Title("IZIN".into()),
                Line::Field("Nomor".into(), "IZN/2026/0001".into()),
                Line::Qr {
                    payload: payload.into(),
                    caption: "Pindai untuk memverifikasi".into(),
                },
            ],
        );
        assert_eq!(qr_in_pdf(&pdf).as_deref(), Some(payload));
        // Moved to a second page, it still reads.
        let mut long: Vec<Line> = (0..41).map(|i| Line::Text(format!("Baris {i}"))).collect();
        long.push(Line::Qr {
            payload: payload.into(),
            caption: "Pindai".into(),
        });
        assert_eq!(qr_in_pdf(&render("Izin", &long)).as_deref(), Some(payload));
        assert_eq!(
            qr_in_pdf(&render("Izin", &[Line::Text("Tanpa kode".into())])),
            None
        );
    }
}
