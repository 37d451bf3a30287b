//! Decision links emailed to officers (`notify_task_assignees`). The link carries an
//! opaque random id, never the task token. `GET` shows the case and the choices and
//! changes nothing (mail scanners prefetch links); the decision is a `POST` by a
//! signed-in officer allowed to decide the task, exactly as from the inbox.

use crate::inbox;
use loket_shared::http::{authenticate, path_param, Request, Response};
use loket_shared::mail::html_escape as escape;
use loket_shared::tasks;
use loket_shared::{ApiError, ApiResult, App};
use std::sync::Arc;

fn html(status: u16, body: String) -> ApiResult<Response> {
    lambda_http::http::Response::builder()
        .status(status)
        .header("content-type", "text/html; charset=utf-8")
        .header("cache-control", "no-store")
        .header("referrer-policy", "no-referrer")
        .header("x-robots-tag", "noindex")
        .body(lambda_http::Body::Text(body))
        .map_err(ApiError::internal)
}

fn page(title: &str, content: &str) -> String {
    format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t}</title></head><body style=\"font-family:sans-serif;max-width:40em;margin:2em auto\">\
         <h1>{t}</h1>{content}</body></html>",
        t = escape(title)
    )
}

/// `GET /task-links/{link}`: the case and the allowed choices. Public (the link is the
/// secret), read-only.
pub async fn show_task_link(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let link = path_param(&req, "link")?;
    let task = match tasks::resolve_link(&app, &link).await {
        Ok(t) => t,
        Err(e) if e.status == 404 => {
            return html(
                404,
                page(
                    "Tautan tidak valid",
                    "<p>Tautan tidak valid atau sudah kedaluwarsa. Buka daftar tugas Anda di aplikasi.</p>",
                ),
            )
        }
        Err(e) => return Err(e),
    };
    let case = format!(
        "<dl><dt>Tahap</dt><dd>{}</dd><dt>Untuk</dt><dd>{}</dd><dt>Kategori</dt><dd>{}</dd>\
         <dt>Masuk sejak</dt><dd>{}</dd></dl>",
        escape(&task.stage_label),
        escape(&task.subject_name),
        escape(task.pkt.as_deref().unwrap_or("-")),
        escape(&task.created_at),
    );
    if !task.is_pending() {
        return html(
            200,
            page(
                "Tugas sudah diputuskan",
                &format!(
                    "{case}<p>Tugas ini sudah diputuskan. Tidak ada yang perlu dilakukan.</p>"
                ),
            ),
        );
    }
    let approve = crate::task_kind(&task.kind)
        .and_then(|k| (k.approve_label)(&task.stage))
        .unwrap_or("Setujui (Confirm)");
    // The decision itself is a POST by the signed-in officer (the web app sends it
    // with the officer's session to /task-links/{link}/decision).
    let choices = format!(
        "<p>Pilihan keputusan:</p><ul><li>{}</li><li>Tolak, dengan alasan (wajib)</li></ul>\
         <p>Untuk memutuskan, <a href=\"/masuk?kembali={}\">masuk sebagai petugas yang berwenang</a>; \
         Anda akan kembali ke tugas ini.</p>",
        escape(approve),
        escape(&format!("/task-links/{link}")),
    );
    html(
        200,
        page(
            &format!("Tugas: {}", task.stage_label),
            &format!("{case}{choices}"),
        ),
    )
}

/// `POST /task-links/{link}/decision`: the decision from an emailed link.
pub async fn decide_task_by_link(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req)?;
    let link = path_param(&req, "link")?;
    let task = tasks::resolve_link(&app, &link).await?;
    inbox::decide(&app, &caller, &task, &req).await
}
