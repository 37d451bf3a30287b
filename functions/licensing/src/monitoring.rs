//! Public monitoring by resi (seed 004 §3.3, §4.1 D): without signing in, a resi shows
//! the application's date, the applicant's name masked (`Sit* Ami***`), the permit
//! type, its status and description, its timeline and a rejection's note. A resi is
//! guessable (16.7 million values): every address is limited to 120 lookups an hour,
//! and after 3 misses in an hour it must pass the captcha. A miss answers "Nomor resi
//! tidak ditemukan". The JSON route and the HTML page are one use case each over the
//! same lookup.

use crate::application::{is_resi, Application, ApplicationStatus};
use crate::wizard::load;
use loket_shared::http::{json, query_param, source_ip, Request, Response};
use loket_shared::ratelimit::{self, Limit};
use loket_shared::schema;
use loket_shared::store::get_s;
use loket_shared::web;
use loket_shared::{ApiError, ApiResult, App};
use maud::html;
use std::sync::Arc;

/// Lookups per address and hour.
const LOOKUPS: Limit = Limit {
    max: 120,
    window: 3600,
};
/// Misses per address and hour after which the captcha is required.
const MISSES_BEFORE_CAPTCHA: i64 = 3;

/// A name as the public sees it: each word keeps its first three characters, the
/// letters and digits after them become `*` ("Siti Rahmawati" → "Sit* Rah******").
pub fn mask_name(name: &str) -> String {
    name.split(' ')
        .map(|word| {
            word.chars()
                .enumerate()
                .map(|(i, c)| {
                    if i >= 3 && c.is_alphanumeric() {
                        '*'
                    } else {
                        c
                    }
                })
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn description(a: &Application) -> &'static str {
    match a.status {
        ApplicationStatus::Draft => "Permohonan belum dikirim",
        ApplicationStatus::Submitted => {
            "Permohonan diterima dan sedang diperiksa kelengkapannya oleh petugas"
        }
        ApplicationStatus::Verification => "Berkas sedang diverifikasi oleh verifikator",
        ApplicationStatus::Revision => "Permohonan dikembalikan kepada pemohon untuk direvisi",
        ApplicationStatus::Signing => "Permohonan menunggu penandatanganan pimpinan",
        ApplicationStatus::Issuing => "Izin telah ditandatangani dan sedang diterbitkan",
        ApplicationStatus::Completed => "Izin telah terbit",
        ApplicationStatus::Rejected => "Permohonan ditolak",
        ApplicationStatus::Lapsed => {
            "Revisi tidak dikirim ulang dalam batas waktu; permohonan kedaluwarsa"
        }
    }
}

/// The public timeline: when each stage was reached (no officer, no note).
async fn public_timeline(app: &App, a: &Application) -> ApiResult<Vec<serde_json::Value>> {
    Ok(crate::wizard::timeline(app, a)
        .await?
        .into_iter()
        .map(|e| {
            serde_json::json!({
                "at": e["at"], "status": e["status_after"], "action": e["action"],
            })
        })
        .collect())
}

/// What the public may read of an application.
pub fn public_view(a: &Application, timeline: Vec<serde_json::Value>) -> serde_json::Value {
    serde_json::json!({
        "resi": a.resi, "date": a.submitted_at, "applicant": mask_name(&a.applicant.name),
        "permit_type": a.permit_name, "agency": a.agency_name, "kind": a.kind.label(),
        "status": a.status.label(), "status_code": a.status, "description": description(a),
        "timeline": timeline, "rejection_note": a.rejection_reason,
    })
}

fn not_found() -> ApiError {
    ApiError::not_found("resi_not_found", "Nomor resi tidak ditemukan")
}

/// Whether the address has missed often enough to need the captcha.
async fn captcha_needed(app: &App, ip: &str) -> ApiResult<bool> {
    let misses = ratelimit::current(
        &app.store,
        &format!("tracking-miss#{ip}"),
        LOOKUPS.window,
        app.clock.epoch(),
    )
    .await?;
    Ok(misses >= MISSES_BEFORE_CAPTCHA)
}

/// The application behind `resi`, within the address's limits.
async fn lookup(app: &App, req: &Request, resi: &str) -> ApiResult<Application> {
    let ip = source_ip(req);
    let now = app.clock.epoch();
    ratelimit::hit(&app.store, &format!("tracking-ip#{ip}"), LOOKUPS, now).await?;
    if captcha_needed(app, &ip).await? {
        app.captcha
            .require(query_param(req, "captcha_token").as_deref(), &ip)
            .await?;
    }
    let resi = resi.trim().to_uppercase();
    let found = if is_resi(&resi) {
        match app.store.get(&schema::resi(&resi), schema::RESI_SK).await? {
            Some(guard) => load(app, get_s(&guard, "application_id").unwrap_or_default()).await?,
            None => None,
        }
    } else {
        None
    };
    match found.filter(|a| a.status != ApplicationStatus::Draft) {
        Some(a) => Ok(a),
        None => {
            // A miss: counted (never refused here; the lookups' limit refuses).
            let misses = Limit {
                max: i64::MAX,
                window: LOOKUPS.window,
            };
            ratelimit::hit(&app.store, &format!("tracking-miss#{ip}"), misses, now).await?;
            Err(not_found())
        }
    }
}

/// `GET /tracking?resi=` (public, JSON; `captcha_token` after 3 misses).
pub async fn track_application(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let resi = query_param(&req, "resi").unwrap_or_default();
    if resi.chars().count() > 20 {
        return Err(not_found());
    }
    let a = lookup(&app, &req, &resi).await?;
    let timeline = public_timeline(&app, &a).await?;
    json(200, &public_view(&a, timeline))
}

/// `GET /monitoring` (public page): the form, and with `?resi=` the application.
pub async fn monitoring_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let ip = source_ip(&req);
    let resi = query_param(&req, "resi").filter(|r| !r.is_empty() && r.chars().count() <= 20);
    let result = match &resi {
        Some(r) => Some(match lookup(&app, &req, r).await {
            Ok(a) => {
                let timeline = public_timeline(&app, &a).await?;
                Ok((a, timeline))
            }
            Err(e) => Err(e),
        }),
        None => None,
    };
    let needs_captcha = captcha_needed(&app, &ip).await?;
    let (zone, offset) = app.cfg.office_zone;
    let status = match &result {
        Some(Err(e)) if e.status == 429 || e.status >= 500 => e.status,
        _ => 200,
    };
    let markup = web::layout(
        "Monitoring Permohonan",
        None,
        html! {
            p { "Masukkan nomor resi permohonan Anda (contoh: 6F632D) untuk melihat statusnya." }
            form method="get" action="/monitoring" class="stack" {
                div {
                    label for="resi" { "No Resi" }
                    input type="text" id="resi" name="resi" required maxlength="20"
                        autocomplete="off" value=(resi.clone().unwrap_or_default());
                }
                @if needs_captcha {
                    div {
                        label for="captcha_token" { "Captcha (wajib setelah beberapa kali nomor resi tidak ditemukan)" }
                        input type="text" id="captcha_token" name="captcha_token" required;
                    }
                }
                button type="submit" { "Cari" }
            }
            @match &result {
                Some(Err(e)) => { (web::notice("error", &e.message)) }
                Some(Ok((a, timeline))) => {
                    h2 { "Permohonan " (a.resi.clone().unwrap_or_default()) }
                    dl {
                        dt { "Tanggal" } dd { (web::local_time(&a.submitted_at.unwrap_or_default().to_string(), offset, zone)) }
                        dt { "Nama Pemohon" } dd { (mask_name(&a.applicant.name)) }
                        dt { "Jenis Izin" } dd { (a.permit_name) }
                        dt { "Dinas/Badan" } dd { (a.agency_name) }
                        dt { "Status" } dd { (a.status.label()) }
                        dt { "Keterangan" } dd { (description(a)) }
                        @if let Some(r) = &a.rejection_reason {
                            dt { "Alasan Penolakan" } dd { (r) }
                        }
                    }
                    h2 { "Riwayat" }
                    ul class="timeline" {
                        @for e in timeline {
                            li { (web::local_time(&e["at"].to_string(), offset, zone)) " — " (e["status"].as_str().unwrap_or_default()) }
                        }
                    }
                }
                None => {}
            }
        },
    );
    web::page(status, markup, &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_masked_after_three_characters_of_each_word() {
        assert_eq!(mask_name("Siti Rahmawati"), "Sit* Rah******");
        assert_eq!(mask_name("Siti Aminah, S.E."), "Sit* Ami***, S.E.");
        assert_eq!(mask_name("Jo Li"), "Jo Li");
    }
}
