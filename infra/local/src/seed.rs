//! Demo seed: regions from the `idn-area-data` npm package (data © its contributors,
//! ODbL), organisations, permit types, one account per role, and a registered vendor
//! with published products (`seed/demo.json`).

use loket_identity::account::{self, Account, AccountStatus, Address};
use loket_reference::organisations::{OrgKind, Organisation};
use loket_reference::regions::{self, Region};
use loket_shared::auth::Role;
use loket_shared::rules::person::{Education, Gender};
use loket_shared::store::{to_item, Tx, TxError};
use loket_shared::{crypto, App};
use serde::Deserialize;
use std::path::Path;

type Result<T> = std::result::Result<T, String>;

/// Splits one CSV line, honouring double quotes.
pub fn csv_fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn read_csv(path: &Path) -> Result<Vec<Vec<String>>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: {e} (run infra/local/setup.sh to install idn-area-data)",
            path.display()
        )
    })?;
    Ok(text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(csv_fields)
        .collect())
}

fn with_parent(rows: Vec<Vec<String>>) -> Vec<(Region, String)> {
    rows.into_iter()
        .filter(|r| r.len() >= 3)
        .map(|r| {
            (
                Region {
                    code: r[0].clone(),
                    name: r[2].clone(),
                },
                r[1].clone(),
            )
        })
        .collect()
}

/// Loads the regions once per table (skipped when the province list exists).
pub async fn regions(app: &App, data_dir: &Path) -> Result<usize> {
    if app
        .store
        .get(&loket_shared::schema::region(regions::ROOT), "CHILDREN")
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(0);
    }
    let provinces: Vec<Region> = read_csv(&data_dir.join("provinces.csv"))?
        .into_iter()
        .filter(|r| r.len() >= 2)
        .map(|r| Region {
            code: r[0].clone(),
            name: r[1].clone(),
        })
        .collect();
    let regencies = with_parent(read_csv(&data_dir.join("regencies.csv"))?);
    let districts = with_parent(read_csv(&data_dir.join("districts.csv"))?);
    let villages = with_parent(read_csv(&data_dir.join("villages.csv"))?);
    let items = regions::seed_items(&provinces, &regencies, &districts, &villages)
        .map_err(|e| e.to_string())?;
    let n = items.len();
    // Four writers at once: the emulator answers each batch in ~15 ms.
    let chunks: Vec<Vec<_>> = items
        .chunks(n.div_ceil(4).max(1))
        .map(|c| c.to_vec())
        .collect();
    let mut tasks = Vec::new();
    for chunk in chunks {
        let store = app.store.clone();
        tasks.push(tokio::spawn(async move { store.put_many(chunk).await }));
    }
    for t in tasks {
        t.await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    Ok(n)
}

#[derive(Deserialize)]
pub struct Demo {
    pub password: String,
    pub organisations: Vec<DemoOrg>,
    pub permit_types: Vec<DemoPermit>,
    pub accounts: Vec<DemoAccount>,
    pub catalog: DemoCatalog,
    #[serde(default)]
    pub waiting_vendor: Option<WaitingVendor>,
    /// Survey IKM responses of completed applications (the IKM report has data).
    #[serde(default)]
    pub surveys: Vec<DemoSurvey>,
}

/// A survey of a (demo) completed application, `days_ago` days before the stack starts.
#[derive(Deserialize)]
pub struct DemoSurvey {
    pub agency: String,
    pub permit_type: String,
    pub days_ago: i64,
    pub scores: [u8; 9],
    #[serde(default)]
    pub suggestion: Option<String>,
}

/// A demo vendor whose data is confirmed through the API when the stack starts, so the
/// demo satpel has a task waiting (see [`open_demo_task`]).
#[derive(Deserialize)]
pub struct WaitingVendor {
    pub email: String,
    /// The profile form, as `PUT /vendor/profile` takes it.
    pub profile: serde_json::Value,
}

/// A registered vendor and its published products.
#[derive(Deserialize)]
pub struct DemoCatalog {
    pub vendor_email: String,
    pub pjlp_email: String,
    pub business_name: String,
    pub owner_name: String,
    pub address: DemoAddress,
    pub products: Vec<DemoProduct>,
}

#[derive(Deserialize, Clone)]
pub struct DemoProduct {
    pub name: String,
    pub price: i64,
    pub category: String,
    pub availability: String,
    pub min_order: u32,
    pub max_order: u32,
    pub description: String,
}

#[derive(Deserialize)]
pub struct DemoOrg {
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
}

#[derive(Deserialize)]
pub struct DemoPermit {
    pub agency: String,
    pub code: String,
    #[serde(flatten)]
    pub form: loket_reference::permits::PermitTypeForm,
}

#[derive(Deserialize, Clone)]
pub struct DemoAddress {
    pub street: String,
    pub village_code: String,
    pub postal_code: String,
}

#[derive(Deserialize)]
pub struct DemoAccount {
    pub role: Role,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub org: Option<String>,
    #[serde(default)]
    pub nrk: Option<String>,
    #[serde(default)]
    pub nik: Option<String>,
    #[serde(default)]
    pub gender: Option<Gender>,
    #[serde(default)]
    pub birth_date: Option<String>,
    #[serde(default)]
    pub education: Option<Education>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<DemoAddress>,
}

pub fn load_demo(path: &Path) -> Result<Demo> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// Writes organisations, permit types and the demo accounts (idempotent).
pub async fn demo(app: &App, demo: &Demo) -> Result<()> {
    let mut items = Vec::new();
    for o in &demo.organisations {
        items.push(
            to_item(&Organisation::new(&o.code, &o.name, o.kind)).map_err(|e| e.to_string())?,
        );
    }
    for p in &demo.permit_types {
        let agency = demo
            .organisations
            .iter()
            .find(|o| o.code == p.agency)
            .ok_or_else(|| format!("permit type {}: no agency {}", p.code, p.agency))?;
        let permit = p
            .form
            .check(&p.agency, &agency.name, &p.code)
            .map_err(|e| format!("permit type {}: {}", p.code, e.message))?;
        items.push(to_item(&permit).map_err(|e| e.to_string())?);
    }
    let now = app.clock.epoch();
    for (n, d) in demo.surveys.iter().enumerate() {
        let at = now - d.days_ago * 24 * 3600;
        let date = loket_shared::clock::office_iso_date(at, app.cfg.office_zone.1);
        let application = format!("demo-survey-{n}");
        let survey = loket_licensing::survey::Survey {
            pk: loket_shared::schema::application(&application),
            sk: loket_shared::schema::SURVEY_SK.into(),
            gsi1pk: loket_shared::schema::ikm(&d.agency, &d.permit_type),
            gsi1sk: format!("{date}#{application}"),
            application_id: application,
            applicant_id: "demo".into(),
            agency_code: d.agency.clone(),
            permit_type_code: d.permit_type.clone(),
            scores: d.scores.to_vec(),
            suggestion: d.suggestion.clone(),
            date,
            created_at: at,
        };
        items.push(to_item(&survey).map_err(|e| e.to_string())?);
    }
    app.store.put_many(items).await.map_err(|e| e.to_string())?;

    let hash = crypto::hash_password(&demo.password)
        .await
        .map_err(|e| e.to_string())?;
    let now = app.clock.epoch();
    for d in &demo.accounts {
        let id = app.ids.id();
        let mut acc = Account::new(
            &id,
            &d.name,
            &d.email,
            vec![d.role],
            AccountStatus::Active,
            now,
        );
        acc.org = d.org.clone();
        acc.nrk = d.nrk.clone();
        acc.gender = d.gender;
        acc.birth_date = d.birth_date.clone();
        acc.education = d.education;
        acc.phone = d.phone.clone();
        acc.password_hash = Some(hash.clone());
        if let Some(nik) = &d.nik {
            acc.nik_sealed = Some(app.sealer.seal(nik).map_err(|e| e.to_string())?);
            acc.nik_masked = Some(loket_shared::rules::nik::mask_nik(nik));
        }
        if let Some(a) = &d.address {
            let region = region_of(app, a, &d.email).await?;
            acc.address = Some(Address {
                street: a.street.clone(),
                region,
                postal_code: a.postal_code.clone(),
            });
        }
        acc.index_under_org();
        let table = app.store.table();
        let mut tx = Tx::new();
        tx.put_new(table, acc.to_item().map_err(|e| e.to_string())?);
        tx.guard(table, account::email_guard(&d.email), &acc.pk);
        if let Some(nik) = &d.nik {
            tx.guard(table, account::nik_guard(app, nik), &acc.pk);
        }
        if let Some(nrk) = &d.nrk {
            tx.guard(table, account::nrk_guard(nrk), &acc.pk);
        }
        match app.store.transact(tx).await {
            Ok(()) | Err(TxError::Condition(_)) => {} // already seeded
            Err(e) => return Err(loket_shared::ApiError::from(e).to_string()),
        }
    }
    catalog(app, &demo.catalog).await
}

async fn region_of(app: &App, a: &DemoAddress, whose: &str) -> Result<regions::RegionPath> {
    let parts: Vec<&str> = a.village_code.split('.').collect();
    if parts.len() != 4 {
        return Err(format!(
            "demo village code {} is not 4 levels",
            a.village_code
        ));
    }
    regions::check_address(
        &app.store,
        parts[0],
        &parts[..2].join("."),
        &parts[..3].join("."),
        &a.village_code,
    )
    .await
    .map_err(|e| format!("demo address of {whose}: {}", e.message))
}

/// The user id behind a seeded email.
async fn user_id(app: &App, email: &str) -> Result<String> {
    let guard = app
        .store
        .get(&account::email_guard(email), "GUARD")
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("demo account {email} is missing"))?;
    let owner = loket_shared::store::get_s(&guard, "owner").unwrap_or_default();
    Ok(owner.trim_start_matches("USER#").to_string())
}

/// The demo's registered vendor and its products.
async fn catalog(app: &App, c: &DemoCatalog) -> Result<()> {
    let vendor = RegisteredVendor {
        vendor_id: user_id(app, &c.vendor_email).await?,
        pjlp_id: user_id(app, &c.pjlp_email).await?,
        business_name: c.business_name.clone(),
        owner_name: c.owner_name.clone(),
        phone: None,
        address: c.address.clone(),
        products: c.products.clone(),
    };
    registered_vendor(app, &vendor, "demo").await.map(|_| ())
}

/// A vendor account's registration made "Terdaftar", with published products.
#[derive(Deserialize)]
pub struct RegisteredVendor {
    pub vendor_id: String,
    /// The vendor's PJLP (who checks its products).
    pub pjlp_id: String,
    pub business_name: String,
    pub owner_name: String,
    /// The business phone; the account's phone when absent.
    #[serde(default)]
    pub phone: Option<String>,
    pub address: DemoAddress,
    #[serde(default)]
    pub products: Vec<DemoProduct>,
}

/// Writes the vendor's profile as the end of the onboarding chain leaves it
/// ("Terdaftar") and its products, published with the same code as the satpel's
/// approval (`Listing::of` and its index items). Product ids are `<id_prefix>-<n>`.
/// Used for the demo data and, on the test stack, for tests whose subject is not the
/// onboarding itself (`POST /__local/seed/registered-vendor`): the onboarding chain has
/// its own end-to-end test. Returns the product ids, newest first.
pub async fn registered_vendor(
    app: &App,
    v: &RegisteredVendor,
    id_prefix: &str,
) -> Result<Vec<String>> {
    use loket_catalog::index::Listing;
    use loket_catalog::product::{Product, ProductInput, ProductStatus};
    use loket_vendors::chain::Stage;
    use loket_vendors::profile::{BusinessAddress, Pkt, VendorProfile};

    let account = app
        .store
        .get(
            &loket_shared::schema::user(&v.vendor_id),
            loket_shared::schema::ACCOUNT_SK,
        )
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("vendor account {} is missing", v.vendor_id))?;
    let text = |k: &str| {
        loket_shared::store::get_s(&account, k)
            .unwrap_or_default()
            .to_string()
    };
    let now = app.clock.epoch();
    let mut p = VendorProfile::new(&v.vendor_id, &text("org"), &text("email"), now);
    p.stage = Stage::Registered;
    p.business_name = Some(v.business_name.clone());
    p.owner_name = Some(v.owner_name.clone());
    p.phone = match &v.phone {
        Some(phone) => Some(
            loket_shared::rules::contact::normalize_phone(phone)
                .map_err(|e| format!("phone: {}", e.message))?,
        ),
        None => Some(text("phone")).filter(|s| !s.is_empty()),
    };
    p.business_category = Some("Makanan dan Minuman".into());
    p.pkt = Some(Pkt::NonPkt);
    p.pjlp_id = Some(v.pjlp_id.clone());
    p.address = Some(BusinessAddress {
        street: v.address.street.clone(),
        region: region_of(app, &v.address, &v.vendor_id).await?,
        postal_code: v.address.postal_code.clone(),
    });
    p.version = 1;
    let org = loket_reference::organisations::find(&app.store, &p.skpd)
        .await
        .map_err(|e| e.to_string())?
        .map(|o| o.name)
        .unwrap_or_default();
    let card = loket_catalog::listing::card_of(&p, org);
    let mut items = vec![to_item(&p).map_err(|e| e.to_string())?];
    let mut ids = Vec::new();
    for (i, d) in v.products.iter().enumerate() {
        let id = format!("{id_prefix}-{}", i + 1);
        let mut product = Product::new(&id, &v.vendor_id, &p.skpd, now - i as i64);
        let form: ProductInput = serde_json::from_value(serde_json::json!({
            "name": d.name, "price": d.price, "category": d.category,
            "availability": d.availability, "min_order": d.min_order,
            "max_order": d.max_order, "description": d.description,
        }))
        .map_err(|e| e.to_string())?;
        form.apply(&mut product)
            .map_err(|e| format!("product {}: {}", d.name, e.message))?;
        product.status = ProductStatus::Published;
        product.published_at = Some(now - i as i64);
        product.version = 1;
        let listing = Listing::of(&product, &card, None, now - i as i64);
        items.push(to_item(&product).map_err(|e| e.to_string())?);
        items.extend(listing.index_items());
        items.push(to_item(&listing).map_err(|e| e.to_string())?);
        ids.push(id);
    }
    app.store.put_many(items).await.map_err(|e| e.to_string())?;
    Ok(ids)
}

/// Confirms the waiting demo vendor's data through the running API (sign in,
/// `PUT /vendor/profile`, `POST /vendor/profile/submit`), as the vendor would: the
/// onboarding workflow then opens the satpel's task and emails its link. Returns the
/// task's page (`/tugas/{id}`), once the demo satpel's inbox has it.
pub async fn open_demo_task(base: &str, demo: &Demo, satpel: &str) -> Result<String> {
    let Some(w) = &demo.waiting_vendor else {
        return Err("the demo has no waiting_vendor".into());
    };
    let http = reqwest::Client::new();
    let call = |method: reqwest::Method,
                path: &str,
                token: Option<&str>,
                body: Option<serde_json::Value>| {
        let path = path.to_string();
        let mut rb = http.request(method, format!("{base}{path}"));
        if let Some(t) = token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        async move {
            let r = rb.send().await.map_err(|e| format!("{path}: {e}"))?;
            let status = r.status().as_u16();
            let v: serde_json::Value = r.json().await.unwrap_or_default();
            if status >= 300 {
                return Err(format!("{path}: {status} {v}"));
            }
            Ok::<_, String>(v)
        }
    };
    let sign_in = |who: &str| {
        call(
            reqwest::Method::POST,
            "/auth/login",
            None,
            Some(serde_json::json!({
                "identifier": who, "password": demo.password,
                "captcha_token": loket_shared::captcha::TEST_TOKEN,
            })),
        )
    };
    let token = |v: serde_json::Value| v["access_token"].as_str().unwrap_or_default().to_string();
    let vendor = token(sign_in(&w.email).await?);
    let vendor_id = call(reqwest::Method::GET, "/me", Some(&vendor), None).await?["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    call(
        reqwest::Method::PUT,
        "/vendor/profile",
        Some(&vendor),
        Some(w.profile.clone()),
    )
    .await?;
    call(
        reqwest::Method::POST,
        "/vendor/profile/submit",
        Some(&vendor),
        Some(serde_json::json!({})),
    )
    .await?;
    let satpel = token(sign_in(satpel).await?);
    for _ in 0..240 {
        let inbox = call(
            reqwest::Method::GET,
            "/tasks?stage=assign_pjlp",
            Some(&satpel),
            None,
        )
        .await?;
        if let Some(t) = inbox["items"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["subject_id"] == vendor_id.as_str())
        {
            return Ok(format!(
                "{base}/tugas/{}",
                t["id"].as_str().unwrap_or_default()
            ));
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    Err("the satpel's task did not open within a minute".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_honour_quotes() {
        assert_eq!(
            csv_fields("12.07.28.1007,12.07.28,\"Lubuk Pakam I,II\""),
            vec!["12.07.28.1007", "12.07.28", "Lubuk Pakam I,II"]
        );
        assert_eq!(csv_fields("a,\"b \"\"c\"\"\",d"), vec!["a", "b \"c\"", "d"]);
    }

    #[test]
    fn demo_file_parses_and_has_one_account_per_role() {
        let demo =
            load_demo(&Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/demo.json")).unwrap();
        for role in Role::ALL {
            assert!(
                demo.accounts.iter().any(|a| a.role == role),
                "no demo account for {role:?}"
            );
        }
        loket_shared::rules::password::check_password(&demo.password).unwrap();
    }
}
