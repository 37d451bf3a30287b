//! The pages behind the emailed task links, over HTTP as a browser sends it (forms,
//! cookies, redirects): a satpel opens the link from the captured email signed out,
//! signs in through `/masuk` and is sent back, sees the case and exactly the stage's
//! choices, assigns a PJLP from the list; a form without its CSRF token is refused, a
//! second decision gets "sudah diputuskan", another organisation's officer the refusal
//! page, and signing out ends the browser session. (The browser tests drive the same
//! pages in Chromium.)

use loket_e2e::{Api, CAPTCHA};
use reqwest::header::{HeaderMap, COOKIE, LOCATION, SET_COOKIE};
use serde_json::json;

const SKPD: &str = "141201";

/// A browser without JavaScript: keeps cookies by name, never follows redirects.
struct Page {
    http: reqwest::Client,
    base: String,
    ip: String,
    cookies: Vec<(String, String)>,
}

struct Answer {
    status: u16,
    headers: HeaderMap,
    body: String,
}

impl Page {
    fn new(api: &Api) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            base: api.base_url().to_string(),
            ip: format!("10.9.{}.{}", rand::random::<u8>(), rand::random::<u8>()),
            cookies: Vec::new(),
        }
    }

    fn keep(&mut self, headers: &HeaderMap) {
        for c in headers.get_all(SET_COOKIE) {
            let c = c.to_str().unwrap();
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != k);
            if !c.contains("Max-Age=0") {
                self.cookies.push((k.to_string(), v.to_string()));
            }
        }
    }

    async fn send(&mut self, method: &str, path: &str, form: Option<&[(&str, &str)]>) -> Answer {
        let mut rb = self
            .http
            .request(method.parse().unwrap(), format!("{}{}", self.base, path))
            .header("x-forwarded-for", &self.ip);
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            rb = rb.header(COOKIE, jar.join("; "));
        }
        if let Some(f) = form {
            rb = rb.form(f);
        }
        let r = rb.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let body = r.text().await.unwrap();
        self.keep(&headers);
        Answer {
            status,
            headers,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, None).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send("POST", path, Some(form)).await
    }

    /// Signs in through `/masuk?kembali=<back>` and follows the redirect's location.
    async fn sign_in(&mut self, who: &str, password: &str, back: &str) -> String {
        let form = self.get(&format!("/masuk?kembali={back}")).await;
        assert_eq!(form.status, 200, "{}", form.body);
        let csrf = hidden(&form.body, "csrf");
        let r = self
            .post(
                "/masuk",
                &[
                    ("csrf", &csrf),
                    ("kembali", back),
                    ("identifier", who),
                    ("password", password),
                    ("captcha_token", CAPTCHA),
                ],
            )
            .await;
        assert_eq!(r.status, 303, "{}", r.body);
        r.headers[LOCATION].to_str().unwrap().to_string()
    }
}

/// The value of the hidden input `name` of a page.
fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

#[tokio::test]
async fn a_satpel_signs_in_from_the_task_link_and_assigns_a_pjlp_on_the_page() {
    let api = Api::new();
    let (_, satpel_mail, password) = api.new_officer_login("satpel", SKPD).await;
    let (pjlp_id, _, _) = api.new_officer_login("pjlp", SKPD).await;
    let (_, stranger_mail, stranger_pw) = api.new_officer_login("satpel", "141105").await;
    let (vendor, business) = api
        .submitted_vendor("umkm-halaman", SKPD, "Amplang Halaman")
        .await;
    let link = api
        .task_link(&satpel_mail, "Penunjukan Pembina", &business)
        .await;

    // Signed out: the task, and a sign-in link that comes back here.
    let mut browser = Page::new(&api);
    let page = browser.get(&link).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains(&business) && page.body.contains("Penunjukan Pembina"));
    assert!(
        page.body.contains(&format!("/masuk?kembali={link}")),
        "{}",
        page.body
    );
    let csp = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    // No raw UTC timestamp: the office's zone.
    assert!(
        page.body.contains(" WIB<") || page.body.contains(" WIB"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("T0") || !page.body.contains("Z<"));

    // A sign-in form posted without its CSRF token is refused.
    let forged = browser
        .post(
            "/masuk",
            &[
                ("identifier", satpel_mail.as_str()),
                ("password", password.as_str()),
                ("captcha_token", CAPTCHA),
            ],
        )
        .await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    // A wrong password: the form again with the API's generic message.
    let form = browser.get(&format!("/masuk?kembali={link}")).await;
    let csrf = hidden(&form.body, "csrf");
    let wrong = browser
        .post(
            "/masuk",
            &[
                ("csrf", csrf.as_str()),
                ("kembali", link.as_str()),
                ("identifier", satpel_mail.as_str()),
                ("password", "Salah-Sekali-1"),
                ("captcha_token", CAPTCHA),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(
        wrong.body.contains("NIK/Email atau password salah"),
        "{}",
        wrong.body
    );

    // Signed in, back to the task: the case and exactly the stage's choices.
    let back = browser.sign_in(&satpel_mail, &password, &link).await;
    assert_eq!(back, link);
    let session = browser
        .cookies
        .iter()
        .find(|(k, _)| k.ends_with("loket_session"))
        .expect("a session cookie");
    assert!(!session.1.is_empty());
    let page = browser.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Data yang diperiksa") && page.body.contains(&business));
    assert!(page.body.contains("name=\"pjlp_id\""), "{}", page.body);
    assert!(
        page.body.contains(&format!("value=\"{pjlp_id}\"")),
        "the PJLP is offered"
    );
    assert!(page.body.contains("Alasan penolakan"));
    // The timeline: the vendor's confirmation.
    assert!(
        page.body.contains("Riwayat") && page.body.contains("Diajukan oleh vendor"),
        "{}",
        page.body
    );
    let csrf = hidden(&page.body, "csrf");

    // The decision form without its token is refused and decides nothing.
    let forged = browser
        .post(
            &link,
            &[("decision", "approve"), ("pjlp_id", pjlp_id.as_str())],
        )
        .await;
    assert_eq!(forged.status, 403);
    // Approving without choosing the PJLP: the form again with the rule's message.
    let missing = browser
        .post(
            &link,
            &[
                ("csrf", csrf.as_str()),
                ("decision", "approve"),
                ("pjlp_id", ""),
            ],
        )
        .await;
    assert_eq!(missing.status, 400, "{}", missing.body);
    assert!(missing.body.contains("PJLP Pendamping wajib dipilih"));
    let done = browser
        .post(
            &link,
            &[
                ("csrf", csrf.as_str()),
                ("decision", "approve"),
                ("pjlp_id", pjlp_id.as_str()),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Keputusan berhasil disimpan"));
    let vendor_status = api.get("/vendor/profile", Some(&vendor)).await;
    assert_eq!(vendor_status.expect(200)["status"], "Pengecekan PJLP");
    // A second decision: "sudah diputuskan", changing nothing.
    let again = browser
        .post(
            &link,
            &[
                ("csrf", csrf.as_str()),
                ("decision", "reject"),
                ("note", "Terlambat"),
            ],
        )
        .await;
    assert_eq!(again.status, 409);
    assert!(again.body.contains("sudah diputuskan"), "{}", again.body);

    // Another organisation's satpel gets the refusal page.
    let mut stranger = Page::new(&api);
    stranger.sign_in(&stranger_mail, &stranger_pw, &link).await;
    let refused = stranger.get(&link).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert!(refused.body.contains("bukan untuk akun Anda"));

    // Signing out ends the session: the old cookie is signed out.
    let kept = browser.cookies.clone();
    let page = browser.get("/masuk").await; // signed in: 303 to /tugas
    assert_eq!(page.status, 303);
    let task_page = browser.get(&link).await;
    let csrf = hidden(&task_page.body, "csrf");
    let out = browser.post("/keluar", &[("csrf", csrf.as_str())]).await;
    assert_eq!(out.status, 303);
    browser.cookies = kept;
    let after = browser.get(&link).await;
    // The signed-out view (of the decided task): no signed-in header, no sign-out form.
    assert_eq!(after.status, 200, "{}", after.body);
    assert!(
        after.body.contains("Tugas sudah diputuskan"),
        "{}",
        after.body
    );
    assert!(!after.body.contains("action=\"/keluar\""), "{}", after.body);
}

#[tokio::test]
async fn the_sign_in_page_returns_only_to_local_paths_and_the_stylesheet_is_served() {
    let api = Api::new();
    let (_, mail, password) = api.new_officer_login("satpel", SKPD).await;
    let mut browser = Page::new(&api);
    let back = browser.sign_in(&mail, &password, "//evil.example/x").await;
    assert_eq!(back, "/tugas");
    let css = browser.get("/static/loket.css").await;
    assert_eq!(css.status, 200);
    assert!(css.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    // An unknown inbox filter is a 400, not an empty list.
    let token = api.token(&mail, &password).await;
    api.get("/tasks?pkt=Non%20PKT", Some(&token))
        .await
        .expect_error(400, "pkt_invalid");
    api.get("/tasks?stage=nope", Some(&token))
        .await
        .expect_error(400, "stage_invalid");
}

#[tokio::test]
async fn the_activation_link_opens_a_page_that_sets_the_password_once() {
    let api = Api::new();
    let mail = loket_e2e::email("umkm-aktivasi");
    api.post(
        "/vendors/registrations",
        None,
        json!({ "name": "Sri Rahayu", "email": mail, "skpd_code": SKPD, "captcha_token": CAPTCHA }),
    )
    .await
    .expect(201);
    let invite = api.wait_email(&mail, "Aktivasi Akun UMKM Anda", 1).await;
    let path = format!("/aktivasi?token={}", invite.link_param("token"));
    assert!(invite.body.contains(&path), "{}", invite.body);
    let token = invite.link_param("token");

    let mut browser = Page::new(&api);
    let page = browser.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(page.body.contains(&mail) && page.body.contains("Sri Rahayu"));
    assert!(
        page.body.contains("huruf kapital"),
        "the password rules are explained"
    );
    let csrf = hidden(&page.body, "csrf");

    let forged = browser
        .post(
            "/aktivasi",
            &[
                ("token", token.as_str()),
                ("password", "Kerajinan-Rotan-7"),
                ("password_confirmation", "Kerajinan-Rotan-7"),
            ],
        )
        .await;
    assert_eq!(forged.status, 403);
    let mismatch = browser
        .post(
            "/aktivasi",
            &[
                ("csrf", csrf.as_str()),
                ("token", token.as_str()),
                ("name", "Sri Rahayu Lestari"),
                ("password", "Kerajinan-Rotan-7"),
                ("password_confirmation", "Kerajinan-Rotan-8"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 400, "{}", mismatch.body);
    assert!(mismatch.body.contains("Konfirmasi password tidak sama"));
    let done = browser
        .post(
            "/aktivasi",
            &[
                ("csrf", csrf.as_str()),
                ("token", token.as_str()),
                ("name", "Sri Rahayu Lestari"),
                ("password", "Kerajinan-Rotan-7"),
                ("password_confirmation", "Kerajinan-Rotan-7"),
            ],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Akun Anda telah aktif"));
    // The vendor signs in with the new password; the name it completed is kept.
    let access = api.token(&mail, "Kerajinan-Rotan-7").await;
    let me = api.get("/me", Some(&access)).await;
    assert_eq!(me.expect(200)["name"], "Sri Rahayu Lestari");
    // A used link gets a clear page, not a JSON 404.
    let used = browser.get(&path).await;
    assert_eq!(used.status, 404);
    assert!(
        used.body.contains("sudah dipakai atau sudah kedaluwarsa"),
        "{}",
        used.body
    );
}

/// Every link of every email template opens a page (200, or the sign-in page), never
/// a JSON 404: the vendor's and the officer's activation links, the task link.
#[tokio::test]
async fn every_emailed_link_opens_a_page() {
    let api = Api::new();
    let vendor_mail = loket_e2e::email("umkm-tautan");
    api.post(
        "/vendors/registrations",
        None,
        json!({ "name": "Sri Rahayu", "email": vendor_mail, "skpd_code": SKPD, "captcha_token": CAPTCHA }),
    )
    .await
    .expect(201);
    let admin = api
        .token(loket_e2e::DEMO_ADMIN, loket_e2e::DEMO_PASSWORD)
        .await;
    let officer_mail = loket_e2e::email("satpel");
    api.post(
        "/admin/accounts",
        Some(&admin),
        json!({ "name": "Petugas Tautan", "email": officer_mail, "role": "satpel", "org": SKPD }),
    )
    .await
    .expect(201);
    let mut links = vec![
        format!(
            "/aktivasi?token={}",
            api.wait_email(&vendor_mail, "Aktivasi Akun UMKM Anda", 1)
                .await
                .link_param("token")
        ),
        format!(
            "/aktivasi?token={}",
            api.wait_email(&officer_mail, "Akun Petugas Loket Anda", 1)
                .await
                .link_param("token")
        ),
    ];
    let (_, satpel_mail, _) = api.new_officer_login("satpel", SKPD).await;
    let (_, business) = api
        .submitted_vendor("umkm-tautan-tugas", SKPD, "Tautan Tugas")
        .await;
    links.push(
        api.task_link(&satpel_mail, "Penunjukan Pembina", &business)
            .await,
    );
    let mut browser = Page::new(&api);
    for link in &links {
        let page = browser.get(link).await;
        assert_eq!(page.status, 200, "{link}: {}", page.body);
        let kind = page.headers["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with("text/html"), "{link}: {kind}");
        assert!(page.body.contains("<main>"), "{link}");
    }
}

/// The case's documents: listed on the task page with their names, each link checked
/// again when opened (signed out → sign-in page, another organisation → 403, unknown
/// file → 404) and answered with a short-lived download of the same bytes.
#[tokio::test]
async fn the_task_page_lists_the_vendors_documents_and_opens_them_for_the_deciding_officer() {
    let api = Api::new();
    let (_, satpel_mail, password) = api.new_officer_login("satpel", SKPD).await;
    let (_, stranger_mail, stranger_pw) = api.new_officer_login("satpel", "141105").await;
    let (_, vendor) = api.new_vendor("umkm-berkas-halaman", SKPD).await;
    let vendor_id = api.user_id(&vendor).await;
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n".to_vec();
    let doc = api
        .upload_vendor_document(
            &vendor,
            "licence",
            "nib-amplang.pdf",
            "application/pdf",
            pdf.clone(),
        )
        .await;
    let business = format!("Amplang Berkas {}", rand::random::<u32>());
    api.submit_vendor_profile(&vendor, &business).await;
    let satpel = api.token(&satpel_mail, &password).await;
    let task = api
        .wait_task(&satpel, "vendor_onboarding", "assign_pjlp", &vendor_id)
        .await;
    let here = format!("/tugas/{task}");
    let file = format!("{here}/berkas/{doc}");

    let mut page = Page::new(&api);
    let r = page.get(&file).await;
    assert_eq!(r.status, 303);
    assert_eq!(
        r.headers[LOCATION],
        format!("/masuk?kembali={here}").as_str()
    );
    assert_eq!(page.sign_in(&satpel_mail, &password, &here).await, here);
    let case = page.get(&here).await;
    assert_eq!(case.status, 200, "{}", case.body);
    assert!(case.body.contains("Izin Usaha"), "{}", case.body);
    assert!(case.body.contains("nib-amplang.pdf"), "{}", case.body);
    assert!(
        case.body.contains(&format!("href=\"{file}\"")),
        "{}",
        case.body
    );
    assert!(
        !case.body.contains("vendors/"),
        "the storage key stays private"
    );

    let r = page.get(&file).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let download = r.headers[LOCATION].to_str().unwrap().to_string();
    assert!(download.contains("X-Amz-Signature"), "{download}");
    assert_eq!(api.fetch(&download).await, (200, pdf));
    assert_eq!(page.get(&format!("{here}/berkas/nope")).await.status, 404);

    let mut stranger = Page::new(&api);
    stranger.sign_in(&stranger_mail, &stranger_pw, &here).await;
    let r = stranger.get(&file).await;
    assert_eq!(r.status, 403, "{}", r.body);
    assert!(!r.headers.contains_key(LOCATION));
}

async fn post_form(page: &mut Page, path: &str, fields: Vec<(&'static str, String)>) -> Answer {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    page.post(path, &pairs).await
}

/// "Edit" from the task page: the assigned PJLP's form holds the vendor's values; a
/// refused value shows the form again with the message; a saved correction keeps what
/// the form does not offer (the region) and is on the timeline; a stale form is a
/// conflict; the satpel (who decides other stages) gets no form.
#[tokio::test]
async fn the_pjlp_corrects_the_vendors_data_from_the_task_page() {
    let api = Api::new();
    let (_, satpel_mail, satpel_pw) = api.new_officer_login("satpel", SKPD).await;
    let (pjlp_id, pjlp_mail, pjlp_pw) = api.new_officer_login("pjlp", SKPD).await;
    let (vendor, business) = api
        .submitted_vendor("umkm-ubah-halaman", SKPD, "Amplang Ubah")
        .await;
    let vendor_id = api.user_id(&vendor).await;
    let satpel = api.token(&satpel_mail, &satpel_pw).await;
    let task = api
        .wait_task(&satpel, "vendor_onboarding", "assign_pjlp", &vendor_id)
        .await;
    let mut satpel_page = Page::new(&api);
    satpel_page
        .sign_in(&satpel_mail, &satpel_pw, &format!("/tugas/{task}"))
        .await;
    assert!(!satpel_page
        .get(&format!("/tugas/{task}"))
        .await
        .body
        .contains("/ubah"));
    let r = satpel_page.get(&format!("/tugas/{task}/ubah")).await;
    assert_eq!(r.status, 403, "{}", r.body);
    api.decide(
        &satpel,
        &task,
        json!({ "decision": "approve", "pjlp_id": pjlp_id }),
    )
    .await
    .expect(200);

    let pjlp = api.token(&pjlp_mail, &pjlp_pw).await;
    let task = api
        .wait_task(&pjlp, "vendor_onboarding", "pjlp_check", &vendor_id)
        .await;
    let edit = format!("/tugas/{task}/ubah");
    let mut page = Page::new(&api);
    page.sign_in(&pjlp_mail, &pjlp_pw, &format!("/tugas/{task}"))
        .await;
    assert!(page
        .get(&format!("/tugas/{task}"))
        .await
        .body
        .contains(&format!("href=\"{edit}\"")));
    let form = page.get(&edit).await;
    assert_eq!(form.status, 200, "{}", form.body);
    assert!(form.body.contains(&business), "{}", form.body);
    let csrf = hidden(&form.body, "csrf");
    let version = hidden(&form.body, "version");
    let fields = |phone: &'static str, version: String| {
        vec![
            ("csrf", csrf.clone()),
            ("version", version),
            ("business_name", business.clone()),
            ("owner_name", "Sri Rahayu".into()),
            ("phone", phone.into()),
            ("business_category", "Makanan dan Minuman".into()),
            ("licence_type", "NIB".into()),
            ("licence_number", "9120001234567".into()),
            ("tax_status", "Non-PKP".into()),
            ("bank_name", "Bank Kaltimtara".into()),
            ("bank_account", "0012345678".into()),
            ("pkt", "PKT".into()),
            ("pirt_number", "".into()),
            ("address", "Jl. Pangeran Antasari No. 14".into()),
            ("postal_code", "75251".into()),
        ]
    };
    let refused = post_form(&mut page, &edit, fields("12", version.clone())).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("notice error"), "{}", refused.body);
    assert!(
        refused.body.contains("value=\"12\""),
        "the form keeps what was typed"
    );
    let no_csrf: Vec<(&'static str, String)> = fields("0813-4700-1122", version.clone())
        .into_iter()
        .filter(|(k, _)| *k != "csrf")
        .collect();
    assert_eq!(post_form(&mut page, &edit, no_csrf).await.status, 403);

    let saved = post_form(&mut page, &edit, fields("0813-4700-1122", version.clone())).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(saved.body.contains("Perubahan data berhasil disimpan"));
    let stale = post_form(&mut page, &edit, fields("0813-4700-3344", version)).await;
    assert_eq!(stale.status, 409, "{}", stale.body);

    let p = api.get("/vendor/profile", Some(&vendor)).await;
    let p = p.expect(200);
    assert_eq!(p["phone"], "081347001122");
    assert_eq!(p["pkt"], "PKT");
    assert_eq!(p["address"]["street"], "Jl. Pangeran Antasari No. 14");
    assert_eq!(p["address"]["village_code"], loket_e2e::VILLAGE[3]);
    let corrected = p["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "corrected" && e["actor_role"] == "pjlp");
    assert!(corrected, "{}", p["timeline"]);
}
