//! Deadlines in working days, end to end: the admins' holiday calendar, and the
//! scheduled reminder job (fired with the schedule's event time, days ahead) reminding
//! the officers of a task open too long and escalating to the organisation's satpel and
//! main administrator — weekends and holidays not counted, each only once.

use loket_e2e::{vendor_profile_form, Api, DEMO_ADMIN, DEMO_PASSWORD};
use loket_shared::rules::workdays::{is_working_day, wib_date, working_days_between};
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Duration;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// A vendor of SKPD 141201 that confirmed its profile; returns the business name and
/// the opening time of its first task (Penunjukan Pembina).
async fn vendor_waiting_for_satpel(api: &Api) -> (String, OffsetDateTime) {
    let (_, vendor) = api.new_vendor("umkm-tunggu", "141201").await;
    let business = format!("Batik Tulis Samarinda {}", rand::random::<u32>());
    let mut form = vendor_profile_form(&business);
    form["business_category"] = json!("Kerajinan");
    form["licence_type"] = json!("IUMK");
    form["licence_number"] = json!("503/123/IUMK/2026");
    form["pkt"] = json!("PKT");
    let saved = api
        .call("PUT", "/vendor/profile", Some(&vendor), Some(form))
        .await;
    let vendor_id = saved.expect(200)["vendor_id"].as_str().unwrap().to_string();
    api.post("/vendor/profile/submit", Some(&vendor), json!({}))
        .await
        .expect(202);
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    for _ in 0..300 {
        let r = api
            .get("/tasks?stage=assign_pjlp&pkt=PKT", Some(&satpel))
            .await;
        if let Some(t) = r.expect(200)["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["subject_id"] == vendor_id.as_str())
        {
            let opened = OffsetDateTime::parse(t["created_at"].as_str().unwrap(), &Rfc3339)
                .expect("an RFC 3339 opening time");
            return (business, opened);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the task did not reach the satpel's inbox");
}

async fn count(api: &Api, to: &str, subject: &str) -> usize {
    api.emails(to)
        .await
        .iter()
        .filter(|e| e.subject.contains(subject))
        .count()
}

#[tokio::test]
async fn the_reminder_job_counts_working_days_skipping_weekends_and_holidays() {
    let api = Api::own_deployment();
    let admin = api.token(DEMO_ADMIN, DEMO_PASSWORD).await;
    let (business, opened) = vendor_waiting_for_satpel(&api).await;
    let opened_on = wib_date(opened);

    // The holiday: the first working day after the task was opened.
    let mut holiday = opened_on + time::Duration::days(1);
    while !is_working_day(holiday, &BTreeSet::new()) {
        holiday += time::Duration::days(1);
    }
    let satpel = api.token("satpel@demo.loket.id", DEMO_PASSWORD).await;
    api.call(
        "PUT",
        &format!("/admin/holidays/{holiday}"),
        Some(&satpel),
        Some(json!({ "name": "Libur Uji" })),
    )
    .await
    .expect_error(403, "forbidden");
    api.call(
        "PUT",
        "/admin/holidays/2026-13-01",
        Some(&admin),
        Some(json!({ "name": "Libur Uji" })),
    )
    .await
    .expect_error(400, "date_invalid");
    api.call(
        "PUT",
        &format!("/admin/holidays/{holiday}"),
        Some(&admin),
        Some(json!({ "name": "Libur Uji" })),
    )
    .await
    .expect(200);
    let listed = api
        .get(&format!("/holidays?year={}", holiday.year()), None)
        .await;
    assert!(listed.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["date"] == holiday.to_string() && h["name"] == "Libur Uji"));
    let calendar = BTreeSet::from([holiday]);

    // The day that would be the third working day without the holiday is only the
    // second with it: no reminder yet (the threshold is 3 working days).
    let mut day = opened_on;
    while working_days_between(opened_on, day, &BTreeSet::new()) < 3 {
        day += time::Duration::days(1);
    }
    assert_eq!(working_days_between(opened_on, day, &calendar), 2);
    let reminder = format!("Pengingat Tugas: Penunjukan Pembina - {business}");
    let escalation = format!("Eskalasi Tugas: Penunjukan Pembina - {business}");
    api.run_deadline_job_on(day).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(count(&api, "satpel@demo.loket.id", &reminder).await, 0);

    // The next working day it is the third: the satpel is reminded, once.
    day += time::Duration::days(1);
    while !is_working_day(day, &calendar) {
        day += time::Duration::days(1);
    }
    api.run_deadline_job_on(day).await;
    let mail = api.wait_email("satpel@demo.loket.id", &reminder, 1).await;
    assert!(mail.body.contains("3 hari kerja"), "{}", mail.body);
    api.run_deadline_job_on(day).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(count(&api, "satpel@demo.loket.id", &reminder).await, 1);
    assert_eq!(
        count(&api, "admin.utama@demo.loket.id", &escalation).await,
        0
    );

    // At five working days the satpel and the main administrator of the SKPD are told.
    while working_days_between(opened_on, day, &calendar) < 5 {
        day += time::Duration::days(1);
    }
    api.run_deadline_job_on(day).await;
    let mail = api
        .wait_email("admin.utama@demo.loket.id", &escalation, 1)
        .await;
    assert!(mail.body.contains("5 hari kerja"), "{}", mail.body);
    api.wait_email("satpel@demo.loket.id", &escalation, 1).await;

    api.call(
        "DELETE",
        &format!("/admin/holidays/{holiday}"),
        Some(&admin),
        None,
    )
    .await
    .expect(200);
    let listed = api
        .get(&format!("/holidays?year={}", holiday.year()), None)
        .await;
    assert!(listed.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|h| h["date"] != holiday.to_string()));
}
