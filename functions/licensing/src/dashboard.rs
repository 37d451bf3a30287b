//! The applicant's dashboard (seed 004 §3.1): one call with the profile's summary,
//! the applications counted per status, the latest ones ("Berkas Permohonan Saya"),
//! the unread inbox messages and the unread chat messages.

use crate::application::{Application, ApplicationStatus};
use loket_identity::directory;
use loket_shared::auth::Role;
use loket_shared::http::{authenticate, json, Request, Response};
use loket_shared::schema::{self, GSI1};
use loket_shared::store::{from_item, Query};
use loket_shared::{ApiError, ApiResult, App};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How many of the latest applications the dashboard lists.
const LATEST: usize = 5;

/// `GET /dashboard` (an applicant).
pub async fn dashboard(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    caller.require_any(&[Role::Applicant])?;
    let profile = directory::applicant_profile(&app, &caller.user_id)
        .await?
        .ok_or_else(ApiError::forbidden)?;
    // Newest first: the applicant's whole list (a person has a handful).
    let q = Query::partition(schema::applicant_applications(&caller.user_id))
        .on_index(GSI1)
        .backwards();
    let applications = app
        .store
        .query_all(&q)
        .await?
        .into_iter()
        .map(from_item::<Application>)
        .collect::<ApiResult<Vec<_>>>()?;
    let mut counts: BTreeMap<&str, usize> = [
        "Draf",
        "Dalam Proses",
        "Revisi",
        "Ditolak",
        "Selesai",
        "Kedaluwarsa",
    ]
    .into_iter()
    .map(|s| (s, 0))
    .collect();
    for a in &applications {
        *counts.entry(a.status.label()).or_default() += 1;
    }
    let latest: Vec<_> = applications
        .iter()
        .take(LATEST)
        .map(|a| {
            serde_json::json!({
                "id": a.id, "resi": a.resi, "permit_type": a.permit_name,
                "agency": a.agency_name, "status": a.status.label(), "status_code": a.status,
                "created_at": a.created_at,
                "survey_open": a.status == ApplicationStatus::Completed,
            })
        })
        .collect();
    json(
        200,
        &serde_json::json!({
            "profile": {
                "name": profile.name, "nik_masked": profile.nik_masked,
                "email": profile.email, "phone": profile.phone,
            },
            "applications": { "total": applications.len(), "by_status": counts },
            "latest": latest,
            "inbox_unread": loket_notifications::inbox::unread(&app, &caller.user_id).await?,
            "chat_unread": loket_shared::conversations::unread_total(&app, &caller.user_id).await?,
        }),
    )
}
