//! The sample events under `events/` are real shapes: API Gateway HTTP API v2 requests
//! parse into the requests our handlers read, and the stream sample passes (or not) the
//! template's outbox filter as Lambda would.

use lambda_http::RequestExt;
use loket_local::streams::matches;
use loket_local::template::Template;
use loket_shared::store::get_s;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join("events").join(name)).unwrap()
}

#[test]
fn api_gateway_samples_parse_into_handler_requests() {
    let req = lambda_http::request::from_str(&read("login.json")).unwrap();
    assert_eq!(loket_shared::http::source_ip(&req), "36.85.10.20");
    let body: serde_json::Value = loket_shared::http::body(&req).unwrap();
    assert_eq!(body["identifier"], "6472014502950001");

    let req = lambda_http::request::from_str(&read("permit-types.json")).unwrap();
    assert_eq!(
        loket_shared::http::path_param(&req, "code").unwrap(),
        "DPMPTSP"
    );
    assert!(req
        .query_string_parameters_ref()
        .is_none_or(|q| q.is_empty()));
}

#[test]
fn the_stream_sample_passes_the_templates_outbox_filter_only_for_outbox_inserts() {
    let t = Template::load(&root().join("infra/template.yaml"), "t", "us-east-1").unwrap();
    let source = t
        .stream_sources()
        .into_iter()
        .find(|s| s.use_case == "send_outbox_email")
        .expect("the outbox stream source");
    let event: serde_json::Value = serde_json::from_str(&read("outbox-stream.json")).unwrap();
    let records = event["Records"].as_array().unwrap();
    let passes = |r: &serde_json::Value| source.filters.iter().any(|f| matches(f, r));
    assert!(passes(&records[0]));
    assert!(!passes(&records[1]));
    // The handlers read it as the typed event of `aws_lambda_events`.
    let inserted = loket_shared::streams::inserted_items(event.clone()).unwrap();
    assert_eq!(get_s(&inserted[0].1, "to"), Some("warga@contoh.id"));
}
