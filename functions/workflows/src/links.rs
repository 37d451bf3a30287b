//! Decision links emailed to officers (`notify_task_assignees`). The link carries an
//! opaque random id, never the task token. `GET /task-links/{link}` changes nothing
//! (mail scanners prefetch links): signed out it shows the task and a sign-in link that
//! comes back here; signed in as an officer allowed to decide, the whole case and a
//! form with exactly the stage's choices. The decision is a `POST` (the page's form, or
//! the API's `POST /task-links/{link}/decision`), through the same use case as the
//! inbox (`inbox::decide_with`).

use crate::inbox;
use loket_identity::directory;
use loket_identity::pages::viewer;
use loket_shared::approval::{
    ApproveField, ApproveInput, CaseFile, CorrectionForm, FieldKind, FormField, TaskKind,
};
use loket_shared::files;
use loket_shared::http::{authenticate, path_param, Request, Response};
use loket_shared::tasks::{self, Task};
use loket_shared::web::{self, Viewer};
use loket_shared::{ApiError, ApiResult, App};
use maud::{html, Markup};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

fn kind_of(task: &Task) -> ApiResult<TaskKind> {
    crate::task_kind(&task.kind)
        .ok_or_else(|| ApiError::internal(format!("task kind {} is not declared", task.kind)))
}

/// The task's summary: stage, subject, category, since when (in the office's zone).
fn summary(app: &App, task: &Task) -> Markup {
    let (zone, offset) = app.cfg.office_zone;
    html! {
        dl {
            dt { "Tahap" } dd { (task.stage_label) }
            dt { "Untuk" } dd { (task.subject_name) }
            dt { "Kategori" } dd { (task.pkt.as_deref().unwrap_or("-")) }
            dt { "Masuk sejak" } dd { (web::local_time(&task.created_at, offset, zone)) }
        }
    }
}

fn link_gone() -> Markup {
    web::layout(
        "Tautan tidak valid",
        None,
        html! {
            (web::notice("error", "Tautan tidak valid atau sudah kedaluwarsa."))
            p { a href="/tugas" { "Buka daftar tugas Anda" } }
        },
    )
}

/// The task a page is about: by emailed link (`/task-links/{link}`) or, for a
/// signed-in officer coming from the list, by id (`/tugas/{id}`). With the page's path.
async fn task_of_page(app: &App, req: &Request) -> ApiResult<Option<(Task, String, bool)>> {
    if let Ok(link) = path_param(req, "link") {
        return match tasks::resolve_link(app, &link).await {
            Ok(t) => Ok(Some((t, format!("/task-links/{link}"), true))),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e),
        };
    }
    let id = path_param(req, "id")?;
    if id.is_empty() || id.len() > 64 {
        return Ok(None);
    }
    Ok(tasks::load(app, &id)
        .await?
        .map(|t| (t, format!("/tugas/{id}"), false)))
}

/// `GET /task-links/{link}` and `GET /tugas/{id}`.
pub async fn show_task_link(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let Some((task, here, by_link)) = task_of_page(&app, &req).await? else {
        return web::page(404, link_gone(), &[]);
    };
    let (seed, set) = web::csrf_seed(&req, &app);
    let cookies: Vec<String> = set.into_iter().collect();
    let csrf = web::csrf_token(&app, &seed);
    let Some((caller, name)) = viewer(&app, &req).await? else {
        if !by_link {
            return web::redirect(&format!("/masuk?kembali={here}"), &cookies);
        }
        return web::page(200, signed_out(&app, &task, &here), &cookies);
    };
    let me = Viewer {
        name: &name,
        csrf: &csrf,
    };
    if let Err(e) = task.authorize(&caller) {
        return web::error_page(
            &ApiError {
                message: "Tugas ini bukan untuk akun Anda: hanya petugas dengan peran dan organisasi tugas ini yang dapat memutuskannya.".into(),
                ..e
            },
            Some(&me),
        );
    }
    if !task.is_pending() {
        return decided_page(&app, &task, &tasks::not_pending(&task), Some(&me));
    }
    let body = decision_page(&app, &task, &me, &here, None).await?;
    web::page(200, body, &cookies)
}

fn signed_out(app: &App, task: &Task, here: &str) -> Markup {
    let approve = kind_of(task)
        .ok()
        .and_then(|k| (k.approve_label)(&task.stage))
        .unwrap_or("Setujui (Confirm)");
    let title = if task.is_pending() {
        format!("Tugas: {}", task.stage_label)
    } else {
        "Tugas sudah diputuskan".to_string()
    };
    web::layout(
        &title,
        None,
        html! {
            (summary(app, task))
            @if task.is_pending() {
                p { "Pilihan keputusan:" }
                ul { li { (approve) } li { "Tolak, dengan alasan (wajib)" } }
                p {
                    "Untuk memutuskan, "
                    a href=(format!("/masuk?kembali={here}")) { "masuk sebagai petugas yang berwenang" }
                    "; Anda akan kembali ke tugas ini."
                }
            } @else {
                p { "Tugas ini sudah diputuskan. Tidak ada yang perlu dilakukan." }
            }
        },
    )
}

fn decided_page(
    app: &App,
    task: &Task,
    why: &ApiError,
    me: Option<&Viewer<'_>>,
) -> ApiResult<Response> {
    let title = if task.status == "expired" {
        "Tugas sudah kedaluwarsa"
    } else {
        "Tugas sudah diputuskan"
    };
    web::page(
        409,
        web::layout(
            title,
            me,
            html! {
                (summary(app, task))
                (web::notice("info", &why.message))
                p { a href="/tugas" { "Kembali ke daftar tugas" } }
            },
        ),
        &[],
    )
}

/// A timeline action as people read it.
fn action_label(action: &str) -> &str {
    match action {
        "created" => "Dibuat",
        "revised" => "Direvisi",
        "submitted" => "Diajukan",
        "corrected" => "Diperbaiki",
        "approved" => "Disetujui",
        "rejected" => "Ditolak",
        "revision_requested" => "Dikembalikan untuk revisi",
        "resubmitted" => "Dikirim ulang",
        "expired" => "Kedaluwarsa",
        "issued" => "Izin diterbitkan",
        other => other,
    }
}

/// The case's files, each a link to the task's file route (checked again on opening).
fn case_files(task: &Task, files: &[CaseFile]) -> Markup {
    html! {
        h2 { "Berkas" }
        @if files.is_empty() {
            p { "Tidak ada berkas." }
        } @else {
            ul class="files" {
                @for f in files {
                    li {
                        a href=(format!("/tugas/{}/berkas/{}", task.id, f.id)) { (f.label) }
                        @if let Some(name) = &f.name { " — " (name) }
                        " (" (f.content_type)
                        @if let Some(size) = f.size { ", " (web::file_size(size)) }
                        ")"
                    }
                }
            }
        }
    }
}

/// `GET /tugas/{id}/berkas/{file}`: one file of the task's case, for an officer who
/// may decide the task: a short-lived download (303 to a presigned GET), so the page's
/// links keep working however long it stays open.
pub async fn download_task_file(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let here = format!("/tugas/{}", path_param(&req, "id")?);
    let file = path_param(&req, "file")?;
    let open = match open_task_for_page(&app, &req, &here, Open::AnyStatus).await? {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let (task, me) = (&open.task, open.viewer());
    let case = (kind_of(task)?.case)(&app, task).await?;
    let Some(f) = case.view.files.iter().find(|f| f.id == file) else {
        return web::error_page(
            &ApiError::not_found("file_not_found", "Berkas tidak ditemukan"),
            Some(&me),
        );
    };
    let url = files::presigned_get(&app, &f.key, FILE_LINK_SECONDS).await?;
    web::download(&url)
}

/// How long the download a file link answers with stays valid.
const FILE_LINK_SECONDS: u64 = 5 * 60;

/// The whole case and the stage's choices.
async fn decision_page(
    app: &App,
    task: &Task,
    me: &Viewer<'_>,
    here: &str,
    error: Option<&str>,
) -> ApiResult<Markup> {
    let kind = kind_of(task)?;
    let case = (kind.case)(app, task).await?;
    let (zone, offset) = app.cfg.office_zone;
    let approve = (kind.approve_label)(&task.stage).unwrap_or("Setujui (Confirm)");
    let fields = (kind.approve_fields)(&task.stage);
    let rejectable = (kind.rejectable)(&task.stage);
    let revisable = (kind.revisable)(&task.stage);
    let pick = match (kind.approve_pick)(&task.stage) {
        Some(p) => {
            let people = directory::officers(app, &task.organisation, p.role, 200).await?;
            Some((p, people))
        }
        None => None,
    };
    Ok(web::layout(
        &format!("Tugas: {}", task.stage_label),
        Some(me),
        html! {
            @if let Some(e) = error { (web::notice("error", e)) }
            (summary(app, task))
            h2 { "Data yang diperiksa" }
            @if !case.view.changes.is_empty() {
                h2 { "Perubahan dari versi yang tayang" }
                table {
                    thead { tr { th scope="col" { "Data" } th scope="col" { "Tayang" } th scope="col" { "Diajukan" } } }
                    tbody {
                        @for c in &case.view.changes {
                            tr { th scope="row" { (c.label) } td { del { (c.before) } } td { ins { (c.after) } } }
                        }
                    }
                }
            }
            dl {
                @for (label, value) in &case.view.lines {
                    dt { (label) } dd { (value) }
                }
            }
            (case_files(task, &case.view.files))
            h2 { "Riwayat" }
            ul class="timeline" {
                @for e in &case.timeline {
                    li {
                        (web::local_time(&e["at"].to_string(), offset, zone)) " — "
                        (action_label(e["action"].as_str().unwrap_or_default())) " oleh "
                        (e["actor_role"].as_str().unwrap_or_default()) ": "
                        (e["status"].as_str().unwrap_or_default()) " → "
                        (e["status_after"].as_str().unwrap_or_default())
                        @if let Some(note) = e["note"].as_str() { " (" (note) ")" }
                    }
                }
            }
            h2 { "Keputusan" }
            @if (kind.corrects)(&task.stage) {
                p {
                    "Ada data yang perlu diperbaiki? "
                    a href=(format!("/tugas/{}/ubah", task.id)) { "Ubah data (Edit)" }
                    " sebelum memutuskan."
                }
            }
            form class="decide" method="post" action=(here) {
                input type="hidden" name="csrf" value=(me.csrf);
                input type="hidden" name="decision" value="approve";
                @if let Some((p, people)) = &pick {
                    div {
                        label for=(p.field) { (p.label) }
                        select id=(p.field) name=(p.field) required {
                            option value="" { "Pilih " (p.label) }
                            @for person in people {
                                option value=(person.id) { (person.name) }
                            }
                        }
                    }
                }
                @for f in fields { (approve_input(f)) }
                button type="submit" { (approve) }
            }
            @if revisable {
                form class="decide" method="post" action=(here) {
                    input type="hidden" name="csrf" value=(me.csrf);
                    input type="hidden" name="decision" value="revise";
                    div {
                        label for="revise-note" { "Catatan revisi untuk pemohon (wajib)" }
                        textarea id="revise-note" name="note" required maxlength="1000" {}
                    }
                    button type="submit" class="revise" { "Kembalikan untuk Revisi" }
                }
            }
            @if rejectable {
                form class="decide" method="post" action=(here) {
                    input type="hidden" name="csrf" value=(me.csrf);
                    input type="hidden" name="decision" value="reject";
                    div {
                        label for="note" { "Alasan penolakan (wajib)" }
                        textarea id="note" name="note" required maxlength="1000" {}
                    }
                    button type="submit" class="reject" { "Tolak" }
                }
            }
        },
    ))
}

/// One input of the approve form (ids prefixed: the reject form has its own `note`).
fn approve_input(f: &ApproveField) -> Markup {
    let id = format!("approve-{}", f.field);
    html! {
        @match f.input {
            ApproveInput::Confirm => div class="check" {
                input type="checkbox" id=(id) name=(f.field) value="true" required;
                label for=(id) { (f.label) }
            },
            ApproveInput::Stars => div {
                label for=(id) { (f.label) }
                select id=(id) name=(f.field) required {
                    option value="" { "Pilih penilaian" }
                    @for n in (1..=5).rev() { option value=(n) { (n) " bintang" } }
                }
            },
            ApproveInput::Text { max } => div {
                label for=(id) { (f.label) }
                input type="text" id=(id) name=(f.field) required maxlength=(max);
            },
            ApproveInput::Note { max } => div {
                label for=(id) { (f.label) }
                textarea id=(id) name=(f.field) maxlength=(max) {}
            },
            ApproveInput::Paragraph { max } => div {
                label for=(id) { (f.label) }
                textarea id=(id) name=(f.field) required maxlength=(max) {}
            },
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct DecisionForm {
    csrf: Option<String>,
    decision: Option<String>,
    note: Option<String>,
    pjlp_id: Option<String>,
    /// The stage's approve fields ([`ApproveField`]).
    #[serde(flatten)]
    fields: HashMap<String, String>,
}

/// The decision's body from the page's form: the stage's approve fields as the API
/// takes them (a ticked statement is `true`, stars a number).
fn decision_input(f: &DecisionForm, fields: &[ApproveField]) -> serde_json::Value {
    let mut input = serde_json::json!({ "decision": f.decision, "note": f.note });
    if let Some(p) = f.pjlp_id.as_deref().filter(|p| !p.is_empty()) {
        input["pjlp_id"] = p.into();
    }
    if f.decision.as_deref() != Some("approve") {
        return input;
    }
    for af in fields.iter().filter(|af| af.field != "note") {
        let value = f.fields.get(af.field).map(|v| v.trim());
        input[af.field] = match (af.input, value) {
            (ApproveInput::Confirm, v) => v.is_some_and(|v| v == "true").into(),
            (ApproveInput::Stars, Some(v)) => v
                .parse::<i64>()
                .map_or_else(|_| v.into(), serde_json::Value::from),
            (_, Some(v)) if !v.is_empty() => v.into(),
            _ => serde_json::Value::Null,
        };
    }
    input
}

/// `POST /task-links/{link}` and `POST /tugas/{id}`: the page's decision form.
pub async fn decide_task_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let f: DecisionForm = match web::posted(&app, &req) {
        Ok(f) => f,
        Err(e) => return web::error_page(&e, None),
    };
    let Some((task, here, _)) = task_of_page(&app, &req).await? else {
        return web::page(404, link_gone(), &[]);
    };
    let Some((caller, name)) = viewer(&app, &req).await? else {
        return web::redirect(&format!("/masuk?kembali={here}"), &[]);
    };
    let csrf = f.csrf.clone().unwrap_or_default();
    let me = Viewer {
        name: &name,
        csrf: &csrf,
    };
    let input = decision_input(&f, (kind_of(&task)?.approve_fields)(&task.stage));
    match inbox::decide_with(&app, &caller, &task, &input).await {
        Ok(output) => {
            let outcome = match output["decision"].as_str() {
                Some("approve") => "Keputusan berhasil disimpan: disetujui.",
                Some("revise") => "Keputusan berhasil disimpan: dikembalikan untuk revisi.",
                _ => "Keputusan berhasil disimpan: ditolak.",
            };
            web::page(
                200,
                web::layout(
                    "Keputusan tersimpan",
                    Some(&me),
                    html! {
                        (web::notice("ok", outcome))
                        (summary(&app, &task))
                        p { a href="/tugas" { "Kembali ke daftar tugas" } }
                    },
                ),
                &[],
            )
        }
        Err(e) if e.status == 409 => decided_page(&app, &task, &e, Some(&me)),
        Err(e) if e.status == 400 || e.status == 422 => {
            let body = decision_page(&app, &task, &me, &here, Some(&e.message)).await?;
            web::page(e.status, body, &[])
        }
        Err(e) if e.status < 500 => web::error_page(&e, Some(&me)),
        Err(e) => Err(e),
    }
}

/// `POST /task-links/{link}/decision`: the decision from an emailed link (API).
pub async fn decide_task_by_link(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let caller = authenticate(&app, &req).await?;
    let link = path_param(&req, "link")?;
    let task = tasks::resolve_link(&app, &link).await?;
    inbox::decide(&app, &caller, &task, &req).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct InboxFilter {
    stage: Option<String>,
    pkt: Option<String>,
}

/// `GET /tugas?stage=&pkt=`: the officer's open tasks, oldest first, with the working
/// days each has been open (overdue ones marked) and filters; each opens its page.
pub async fn task_list_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let (seed, set) = web::csrf_seed(&req, &app);
    let cookies: Vec<String> = set.into_iter().collect();
    let csrf = web::csrf_token(&app, &seed);
    let Some((caller, name)) = viewer(&app, &req).await? else {
        return web::redirect("/masuk?kembali=/tugas", &cookies);
    };
    let me = Viewer {
        name: &name,
        csrf: &csrf,
    };
    let filter = InboxFilter {
        stage: loket_shared::http::query_param(&req, "stage"),
        pkt: loket_shared::http::query_param(&req, "pkt"),
    };
    let items = match inbox::pending_tasks(
        &app,
        &caller,
        filter.stage.as_deref(),
        filter.pkt.as_deref(),
    )
    .await
    {
        Ok(items) => items,
        Err(e) if e.status < 500 => return web::error_page(&e, Some(&me)),
        Err(e) => return Err(e),
    };
    let (zone, offset) = app.cfg.office_zone;
    let now = app.clock.now();
    let today = loket_shared::rules::workdays::wib_date(now);
    let calendar =
        loket_reference::holidays::load(&app.store, &[today.year() - 1, today.year()]).await?;
    let overdue_after = app.cfg.onboarding.remind_after_working_days;
    let stages: Vec<(&'static str, &'static str)> = crate::task_kinds()
        .iter()
        .flat_map(|k| (k.stages)())
        .map(|s| (s.code, s.label))
        .collect();
    let rows: Vec<(Task, i64)> = items
        .into_iter()
        .map(|t| {
            let opened = time::OffsetDateTime::parse(
                &t.created_at,
                &time::format_description::well_known::Rfc3339,
            )
            .map(loket_shared::rules::workdays::wib_date)
            .unwrap_or(today);
            let days =
                loket_shared::rules::workdays::working_days_between(opened, today, &calendar);
            (t, days)
        })
        .collect();
    let body = web::layout(
        "Daftar tugas",
        Some(&me),
        html! {
            form class="stack" method="get" action="/tugas" {
                div {
                    label for="stage" { "Tahap" }
                    select id="stage" name="stage" {
                        option value="" { "Semua tahap" }
                        @for (code, label) in &stages {
                            option value=(code) selected[filter.stage.as_deref() == Some(*code)] { (label) }
                        }
                    }
                }
                div {
                    label for="pkt" { "Kategori" }
                    select id="pkt" name="pkt" {
                        option value="" { "PKT dan Non-PKT" }
                        option value="PKT" selected[filter.pkt.as_deref() == Some("PKT")] { "PKT" }
                        option value="Non-PKT" selected[filter.pkt.as_deref() == Some("Non-PKT")] { "Non-PKT" }
                    }
                }
                button type="submit" { "Tampilkan" }
            }
            @if rows.is_empty() {
                (web::notice("info", "Tidak ada tugas yang menunggu keputusan Anda."))
            } @else {
                table {
                    caption class="hint" { (rows.len()) " tugas, terlama di atas" }
                    thead { tr { th scope="col" { "Tugas" } th scope="col" { "Tahap" } th scope="col" { "Masuk" } th scope="col" { "Hari kerja" } } }
                    tbody {
                        @for (t, days) in &rows {
                            tr {
                                td { a href=(format!("/tugas/{}", t.id)) { (t.subject_name) } @if let Some(k) = &t.pkt { " (" (k) ")" } }
                                td { (t.stage_label) }
                                td { (web::local_time(&t.created_at, offset, zone)) }
                                td {
                                    @if *days >= overdue_after {
                                        span class="overdue" { (days) " hari — terlambat" }
                                    } @else {
                                        (days) " hari"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    );
    web::page(200, body, &cookies)
}

/// Which tasks a page of `/tugas/{id}/…` opens.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    /// Only an open task (forms that change the subject).
    Pending,
    /// Decided ones too (reading the case's files).
    AnyStatus,
}

/// The officer's task for a page of `/tugas/{id}/…`, or the page that says why not:
/// signed out (to the sign-in page, back to `here`), unknown, someone else's, decided.
async fn open_task_for_page(
    app: &App,
    req: &Request,
    here: &str,
    open: Open,
) -> ApiResult<Result<OpenTask, Response>> {
    let id = path_param(req, "id")?;
    let Some((caller, name)) = viewer(app, req).await? else {
        return Ok(Err(web::redirect(&format!("/masuk?kembali={here}"), &[])?));
    };
    let task = if id.is_empty() || id.len() > 64 {
        None
    } else {
        tasks::load(app, &id).await?
    };
    let Some(task) = task else {
        return Ok(Err(web::page(404, link_gone(), &[])?));
    };
    let (seed, set) = web::csrf_seed(req, app);
    let csrf = web::csrf_token(app, &seed);
    let me = Viewer {
        name: &name,
        csrf: &csrf,
    };
    if let Err(e) = task.authorize(&caller) {
        return Ok(Err(web::error_page(&e, Some(&me))?));
    }
    if open == Open::Pending && !task.is_pending() {
        return Ok(Err(decided_page(
            app,
            &task,
            &tasks::not_pending(&task),
            Some(&me),
        )?));
    }
    Ok(Ok(OpenTask {
        task,
        caller,
        name,
        csrf,
        cookies: set.into_iter().collect(),
    }))
}

/// A task a page may show, with the signed-in officer and the page's CSRF token (and
/// the cookie that seeds it, when the browser had none yet).
struct OpenTask {
    task: Task,
    caller: loket_shared::auth::Caller,
    name: String,
    csrf: String,
    cookies: Vec<String>,
}

impl OpenTask {
    fn viewer(&self) -> Viewer<'_> {
        Viewer {
            name: &self.name,
            csrf: &self.csrf,
        }
    }
}

/// The correction form ("Edit") with the subject's values, or the posted ones again.
fn correction_page(
    task: &Task,
    me: &Viewer<'_>,
    form: &CorrectionForm,
    posted: Option<&HashMap<String, String>>,
    error: Option<&str>,
) -> Markup {
    let here = format!("/tugas/{}/ubah", task.id);
    let value = |f: &FormField| -> String {
        posted
            .and_then(|p| p.get(f.name).cloned())
            .unwrap_or_else(|| f.value.clone())
    };
    web::layout(
        &format!("Ubah data: {}", task.subject_name),
        Some(me),
        html! {
            @if let Some(e) = error { (web::notice("error", e)) }
            p class="hint" { "Perubahan tercatat di riwayat atas nama Anda. Setelah menyimpan, putuskan tugasnya." }
            form class="stack" method="post" action=(here) {
                input type="hidden" name="csrf" value=(me.csrf);
                input type="hidden" name="version" value=(form.version);
                @for f in &form.fields {
                    div {
                        label for=(f.name) { (f.label) }
                        @match &f.kind {
                            FieldKind::Text(max) => {
                                input type="text" id=(f.name) name=(f.name) value=(value(f)) maxlength=(max);
                            }
                            FieldKind::LongText(max) => {
                                textarea id=(f.name) name=(f.name) maxlength=(max) rows="4" { (value(f)) }
                            }
                            FieldKind::Number => {
                                input type="text" inputmode="numeric" id=(f.name) name=(f.name) value=(value(f));
                            }
                            FieldKind::Choice(options) => {
                                select id=(f.name) name=(f.name) {
                                    option value="" { "Pilih " (f.label) }
                                    @for (v, label) in options {
                                        option value=(v) selected[*v == value(f)] { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
                button type="submit" { "Simpan perubahan" }
            }
            p { a href=(format!("/tugas/{}", task.id)) { "Kembali ke tugas tanpa mengubah" } }
        },
    )
}

/// `GET /tugas/{id}/ubah`: the correction form of the task's subject, for the officer
/// who may correct it at this stage (the engine's `correctable`).
pub async fn show_correction_form(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let here = format!("/tugas/{}/ubah", path_param(&req, "id")?);
    let open = match open_task_for_page(&app, &req, &here, Open::Pending).await? {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let (task, me) = (&open.task, open.viewer());
    let kind = kind_of(task)?;
    match (kind.correction_form)(&app, task, &open.caller).await {
        Ok(form) => web::page(
            200,
            correction_page(task, &me, &form, None, None),
            &open.cookies,
        ),
        Err(e) if e.status < 500 => web::error_page(&e, Some(&me)),
        Err(e) => Err(e),
    }
}

/// `POST /tugas/{id}/ubah`: the correction, through the engine's `correct` (the same
/// use case as the API's `PUT`); a refused value shows the form again with the message.
pub async fn correct_from_task_page(app: Arc<App>, req: Request) -> ApiResult<Response> {
    let posted: HashMap<String, String> = match web::posted(&app, &req) {
        Ok(f) => f,
        Err(e) => return web::error_page(&e, None),
    };
    let here = format!("/tugas/{}/ubah", path_param(&req, "id")?);
    let open = match open_task_for_page(&app, &req, &here, Open::Pending).await? {
        Ok(t) => t,
        Err(page) => return Ok(page),
    };
    let (task, caller, me) = (&open.task, &open.caller, open.viewer());
    let kind = kind_of(task)?;
    let form = match (kind.correction_form)(&app, task, caller).await {
        Ok(form) => form,
        Err(e) if e.status < 500 => return web::error_page(&e, Some(&me)),
        Err(e) => return Err(e),
    };
    let mut input = form.kept.clone();
    for f in &form.fields {
        match posted.get(f.name).map(|v| v.trim()) {
            // An unchosen choice is "not filled", as in the API.
            Some("") if matches!(f.kind, FieldKind::Choice(_)) => {}
            Some(v) => {
                input.insert(f.name.into(), v.into());
            }
            None => {}
        }
    }
    if let Some(v) = posted.get("version").and_then(|v| v.parse::<i64>().ok()) {
        input.insert("version".into(), v.into());
    }
    match (kind.correct)(&app, task, caller, &serde_json::Value::Object(input)).await {
        Ok(()) => web::page(
            200,
            web::layout(
                "Data tersimpan",
                Some(&me),
                html! {
                    (web::notice("ok", "Perubahan data berhasil disimpan."))
                    (summary(&app, task))
                    p { a href=(format!("/tugas/{}", task.id)) { "Kembali ke tugas untuk memutuskan" } }
                },
            ),
            &[],
        ),
        Err(e) if e.status == 400 || e.status == 422 => web::page(
            e.status,
            correction_page(task, &me, &form, Some(&posted), Some(&e.message)),
            &[],
        ),
        Err(e) if e.status < 500 => web::error_page(&e, Some(&me)),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod decision_form_tests {
    use super::*;

    #[test]
    fn the_approve_form_becomes_the_decision_body_the_api_takes() {
        const FIELDS: &[ApproveField] = &[
            ApproveField {
                field: "quantity_ok",
                label: "Jumlah",
                input: ApproveInput::Confirm,
            },
            ApproveField {
                field: "condition_ok",
                label: "Kondisi",
                input: ApproveInput::Confirm,
            },
            ApproveField {
                field: "rating",
                label: "Bintang",
                input: ApproveInput::Stars,
            },
            ApproveField {
                field: "transfer_reference",
                label: "Referensi",
                input: ApproveInput::Text { max: 100 },
            },
        ];
        let form: DecisionForm = serde_urlencoded::from_str(
            "csrf=x&decision=approve&note=Baik&quantity_ok=true&rating=4&transfer_reference=+TRF-1+",
        )
        .unwrap();
        let input = decision_input(&form, FIELDS);
        assert_eq!(
            input,
            serde_json::json!({ "decision": "approve", "note": "Baik", "quantity_ok": true,
                                "condition_ok": false, "rating": 4, "transfer_reference": "TRF-1" })
        );
        // A rejection carries only its reason.
        let form: DecisionForm =
            serde_urlencoded::from_str("decision=reject&note=Salah&quantity_ok=true").unwrap();
        assert_eq!(
            decision_input(&form, FIELDS),
            serde_json::json!({ "decision": "reject", "note": "Salah" })
        );
    }
}
