//! The satisfaction survey and the IKM index (seed 004 "Survey IKM"; PermenPAN-RB
//! 14/2017). When an application is `Selesai` its applicant is invited (email and
//! inbox) to rate the service on nine elements, each 1 to 4, with suggestions; one
//! survey per completed application ("Survey tidak bisa diisi" before, §4.1 G).
//!
//! The index of a service (a permit type) over a period: each element's mean over the
//! respondents, the equally weighted mean of the nine (each weighs 1/9) × 25, and its
//! grade — A (Sangat Baik) 88.31–100, B (Baik) 76.61–88.30, C (Kurang Baik)
//! 65.00–76.60, D (Tidak Baik) 25.00–64.99. [`ikm`] is that computation, pure.
//!
//! Storage: the survey under its application (`APPLICATION#<id>` / `SURVEY`, so a
//! second one fails its condition), in its service's list on GSI1
//! `IKM#<agency>#<permit type>` by date, which the report reads per period.

use crate::application::{Application, ApplicationStatus};
use loket_shared::auth::Role;
use loket_shared::http::{
    authenticate, body, json, path_param, query_param, required, Request, Response,
};
use loket_shared::schema::{self, GSI1};
use loket_shared::store::{from_item, to_item, Query, Tx, TxError};
use loket_shared::{clock, ApiError, ApiResult, App};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The nine elements, in the regulation's order: (code, label).
pub const ELEMENTS: [(&str, &str); 9] = [
    ("requirements", "Persyaratan"),
    ("procedure", "Sistem, Mekanisme, dan Prosedur"),
    ("time", "Waktu Penyelesaian"),
    ("cost", "Biaya/Tarif"),
    ("product", "Produk Spesifikasi Jenis Pelayanan"),
    ("competence", "Kompetensi Pelaksana"),
    ("behaviour", "Perilaku Pelaksana"),
    ("complaints", "Penanganan Pengaduan, Saran dan Masukan"),
    ("facilities", "Sarana dan Prasarana"),
];

/// A completed application's survey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Survey {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    /// `IKM#<agency>#<permit type>`.
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    /// `<yyyy-mm-dd>#<application>`.
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub application_id: String,
    pub applicant_id: String,
    pub agency_code: String,
    pub permit_type_code: String,
    /// The nine scores, each 1 to 4, in [`ELEMENTS`]' order.
    pub scores: Vec<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// The day it was filled in (the offices' zone), `yyyy-mm-dd`.
    pub date: String,
    pub created_at: i64,
}

impl Survey {
    pub fn new(
        a: &Application,
        scores: [u8; 9],
        suggestion: Option<String>,
        date: &str,
        now: i64,
    ) -> Self {
        Self {
            pk: schema::application(&a.id),
            sk: schema::SURVEY_SK.into(),
            gsi1pk: schema::ikm(&a.agency_code, &a.permit_type_code),
            gsi1sk: format!("{date}#{}", a.id),
            application_id: a.id.clone(),
            applicant_id: a.applicant_id.clone(),
            agency_code: a.agency_code.clone(),
            permit_type_code: a.permit_type_code.clone(),
            scores: scores.to_vec(),
            suggestion,
            date: date.into(),
            created_at: now,
        }
    }
}

/// The IKM of a set of responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ikm {
    pub respondents: usize,
    /// Each element's mean score (1 to 4), rounded to 3 decimals.
    pub elements: Vec<ElementMean>,
    /// The index (25 to 100), rounded to 2 decimals.
    pub index: f64,
    pub grade: char,
    /// What the grade means ("Sangat Baik" … "Tidak Baik").
    pub performance: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ElementMean {
    pub code: &'static str,
    pub label: &'static str,
    pub mean: f64,
}

fn round(x: f64, decimals: i32) -> f64 {
    let f = 10f64.powi(decimals);
    (x * f).round() / f
}

/// The grade of an index (already rounded to 2 decimals).
pub fn grade(index: f64) -> (char, &'static str) {
    if index >= 88.31 {
        ('A', "Sangat Baik")
    } else if index >= 76.61 {
        ('B', "Baik")
    } else if index >= 65.00 {
        ('C', "Kurang Baik")
    } else {
        ('D', "Tidak Baik")
    }
}

/// The IKM of `responses` (each nine scores of 1 to 4); `None` without respondents.
pub fn ikm(responses: &[Vec<u8>]) -> Option<Ikm> {
    let n = responses.len();
    if n == 0 {
        return None;
    }
    let means: Vec<f64> = (0..ELEMENTS.len())
        .map(|e| {
            responses
                .iter()
                .map(|r| f64::from(*r.get(e).unwrap_or(&0)))
                .sum::<f64>()
                / n as f64
        })
        .collect();
    let weighted: f64 = means.iter().map(|m| m / ELEMENTS.len() as f64).sum();
    let index = round(weighted * 25.0, 2);
    let (grade, performance) = grade(index);
    Some(Ikm {
        respondents: n,
        elements: ELEMENTS
            .iter()
            .zip(&means)
            .map(|((code, label), mean)| ElementMean {
                code,
                label,
                mean: round(*mean, 3),
            })
            .collect(),
        index,
        grade,
        performance,
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SurveyInput {
    resi: Option<String>,
    requirements: Option<u8>,
    procedure: Option<u8>,
    time: Option<u8>,
    cost: Option<u8>,
    product: Option<u8>,
    competence: Option<u8>,
    behaviour: Option<u8>,
    complaints: Option<u8>,
    facilities: Option<u8>,
    suggestion: Option<String>,
}

impl SurveyInput {
    /// The nine scores, each checked to be 1 to 4.
    fn scores(&self) -> ApiResult<[u8; 9]> {
        let given = [
            self.requirements,
            self.procedure,
            self.time,
            self.cost,
            self.product,
            self.competence,
            self.behaviour,
            self.complaints,
            self.facilities,
        ];
        let mut out = [0u8; 9];
        for (i, (score, (code, label))) in given.iter().zip(ELEMENTS).enumerate() {
            match score {
                Some(s @ 1..=4) => out[i] = *s,
                _ => {
                    return Err(ApiError::invalid(
                        "score_invalid",
                        format!("Penilaian \"{label}\" wajib diisi dengan nilai 1 sampai 4"),
                        code,
                    ))
                }
            }
        }
        Ok(out)
    }
}

/// `POST /surveys` (seed 004 "Survey IKM": the resi, then the form): the signed-in
/// applicant rates one of its completed applications, once.
pub async fn submit_survey(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant])?;
    let input: SurveyInput = body(&req)?;
    let resi = required(&input.resi, "resi", "No Resi", 20)?.to_uppercase();
    let scores = input.scores()?;
    let suggestion = loket_shared::http::optional(&input.suggestion, "suggestion", "Saran", 2000)?;
    let not_found = || ApiError::not_found("resi_not_found", "Nomor resi tidak ditemukan");
    let guard = app
        .store
        .get(&schema::resi(&resi), schema::RESI_SK)
        .await?
        .ok_or_else(not_found)?;
    let id = loket_shared::store::get_s(&guard, "application_id").unwrap_or_default();
    let a = crate::wizard::load(&app, id).await?.ok_or_else(not_found)?;
    if a.applicant_id != caller.user_id {
        return Err(ApiError::forbidden());
    }
    if a.status != ApplicationStatus::Completed {
        return Err(ApiError::conflict(
            "survey_not_available",
            "Survey tidak bisa diisi: hanya permohonan yang sudah selesai yang dapat disurvei",
        ));
    }
    let now = app.clock.epoch();
    let date = clock::office_iso_date(now, app.cfg.office_zone.1);
    let survey = Survey::new(&a, scores, suggestion, &date, now);
    let mut tx = Tx::new();
    tx.put_new(app.store.table(), to_item(&survey)?);
    match app.store.transact(tx).await {
        Ok(()) => {}
        Err(TxError::Condition(_)) => {
            return Err(ApiError::conflict(
                "survey_already_filled",
                "Survey untuk permohonan ini sudah diisi",
            ))
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(application_id = %a.id, "survey filled");
    json(
        201,
        &serde_json::json!({ "message": "Survey berhasil dikirim", "resi": resi, "date": date }),
    )
}

/// The responses of one service between two days (inclusive, `yyyy-mm-dd`).
async fn responses(
    app: &App,
    agency: &str,
    permit_type: &str,
    from: &str,
    to: &str,
) -> ApiResult<Vec<Vec<u8>>> {
    let q = Query::partition(schema::ikm(agency, permit_type))
        .on_index(GSI1)
        .sk_between(GSI1.sk, format!("{from}#"), format!("{to}#~"));
    app.store
        .query_all(&q)
        .await?
        .into_iter()
        .map(|i| from_item::<Survey>(i).map(|s| s.scores))
        .collect()
}

fn day(value: Option<String>, field: &'static str, default: &str) -> ApiResult<String> {
    let v = value.unwrap_or_else(|| default.to_string());
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(&v, &format)
        .map(|_| v.clone())
        .map_err(|_| ApiError::invalid("date_invalid", "Tanggal harus berformat YYYY-MM-DD", field))
}

/// The report of an agency over a period: each permit type's IKM (with its element
/// means) and the agency's over all its respondents.
async fn report(app: &App, agency: &str, from: &str, to: &str) -> ApiResult<serde_json::Value> {
    let org = loket_reference::organisations::find(&app.store, agency)
        .await?
        .ok_or_else(|| ApiError::not_found("agency_not_found", "Instansi tidak ditemukan"))?;
    let types = loket_reference::permits::of_agency(&app.store, agency).await?;
    let mut services = Vec::new();
    let mut all = Vec::new();
    for t in types {
        let r = responses(app, agency, &t.code, from, to).await?;
        services.push(serde_json::json!({
            "permit_type": { "code": t.code, "name": t.name },
            "ikm": ikm(&r),
        }));
        all.extend(r);
    }
    Ok(serde_json::json!({
        "agency": { "code": org.code, "name": org.name },
        "from": from, "to": to, "services": services, "ikm": ikm(&all),
    }))
}

/// `GET /ikm?agency=&from=&to=` (the agency's officers, the administrator): the IKM
/// of each of its services and of the agency over the period (default: this year).
pub async fn ikm_report(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let agency = required(&query_param(&req, "agency"), "agency", "Instansi", 40)?;
    let officer = [Role::Helpdesk, Role::Verifier, Role::AgencyHead]
        .into_iter()
        .any(|r| caller.require_role_in(r, &agency).is_ok());
    if !officer {
        caller.require_any(&[Role::Admin])?;
    }
    let year = app.clock.now().year();
    let from = day(query_param(&req, "from"), "from", &format!("{year}-01-01"))?;
    let to = day(query_param(&req, "to"), "to", &format!("{year}-12-31"))?;
    json(200, &report(&app, &agency, &from, &to).await?)
}

/// `GET /agencies/{code}/ikm` (public): the same report over the last 12 months —
/// indexes, grades and respondents, nothing about a respondent.
pub async fn public_ikm(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let agency = path_param(&req, "code")?;
    if agency.len() > 40 {
        return Err(ApiError::not_found(
            "agency_not_found",
            "Instansi tidak ditemukan",
        ));
    }
    let now = app.clock.epoch();
    let offset = app.cfg.office_zone.1;
    let to = clock::office_iso_date(now, offset);
    let from = clock::office_iso_date(now - 365 * 24 * 3600, offset);
    json(200, &report(&app, &agency, &from, &to).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_index_is_the_mean_of_the_element_means_times_25_with_its_grade() {
        // Three respondents, computed by hand:
        // element means 3.667, 3, 3.333, 4, 3, 3.667, 4, 2.667, 3.333 → sum 30.667,
        // / 9 = 3.4074 → × 25 = 85.185… → 85.19, grade B (Baik).
        let r = vec![
            vec![4, 3, 3, 4, 3, 4, 4, 2, 3],
            vec![3, 3, 4, 4, 3, 3, 4, 3, 3],
            vec![4, 3, 3, 4, 3, 4, 4, 3, 4],
        ];
        let i = ikm(&r).unwrap();
        assert_eq!(i.respondents, 3);
        let means: Vec<f64> = i.elements.iter().map(|e| e.mean).collect();
        assert_eq!(
            means,
            [3.667, 3.0, 3.333, 4.0, 3.0, 3.667, 4.0, 2.667, 3.333]
        );
        assert_eq!(i.index, 85.19);
        assert_eq!((i.grade, i.performance), ('B', "Baik"));
        assert_eq!(ikm(&[]), None);
    }

    #[test]
    fn grades_follow_the_regulation_bounds() {
        assert_eq!(grade(100.0).0, 'A');
        assert_eq!(grade(88.31).0, 'A');
        assert_eq!(grade(88.30).0, 'B');
        assert_eq!(grade(76.61).0, 'B');
        assert_eq!(grade(76.60).0, 'C');
        assert_eq!(grade(65.00).0, 'C');
        assert_eq!(grade(64.99).0, 'D');
        assert_eq!(grade(25.0).0, 'D');
        let all_four = ikm(&[vec![4; 9]]).unwrap();
        assert_eq!((all_four.index, all_four.grade), (100.0, 'A'));
        let all_one = ikm(&[vec![1; 9]]).unwrap();
        assert_eq!((all_one.index, all_one.grade), (25.0, 'D'));
    }
}
