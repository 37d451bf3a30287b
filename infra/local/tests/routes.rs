//! The template, the handlers and the API description must describe the same API.

use loket_local::template::Template;
use loket_local::{event_use_cases, http_use_cases};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn template() -> Template {
    Template::load(&root().join("infra/template.yaml"), "t", "us-east-1").unwrap()
}

#[test]
fn every_route_in_the_template_has_a_handler_and_every_handler_a_route() {
    let t = template();
    let routed: BTreeSet<String> = t.http_routes().into_iter().map(|r| r.use_case).collect();
    let handled: BTreeSet<String> = http_use_cases()
        .iter()
        .map(|u| u.name.to_string())
        .collect();
    let unhandled: Vec<_> = routed.difference(&handled).collect();
    let unrouted: Vec<_> = handled.difference(&routed).collect();
    assert!(
        unhandled.is_empty(),
        "routes in infra/template.yaml without a handler: {unhandled:?}"
    );
    assert!(
        unrouted.is_empty(),
        "handlers without a route in infra/template.yaml: {unrouted:?}"
    );
    assert!(routed.len() >= 18);
}

#[test]
fn every_event_source_has_a_handler_and_every_event_handler_a_source() {
    let t = template();
    let sourced: BTreeSet<String> = t
        .stream_sources()
        .into_iter()
        .map(|s| s.use_case)
        .chain(t.schedules().into_iter().map(|s| s.use_case))
        .collect();
    let handled: BTreeSet<String> = event_use_cases()
        .iter()
        .map(|u| u.name.to_string())
        .collect();
    assert_eq!(sourced, handled);
}

#[test]
fn every_function_runs_exactly_one_named_use_case_and_routes_are_unique() {
    let t = template();
    let mut seen = BTreeSet::new();
    for (function, use_case) in t.use_cases() {
        assert!(
            seen.insert(use_case.clone()),
            "{use_case} is served by more than one function ({function})"
        );
    }
    let mut routes = BTreeSet::new();
    for r in t.http_routes() {
        assert!(
            routes.insert((r.method.clone(), r.path.clone())),
            "duplicate route {} {}",
            r.method,
            r.path
        );
    }
}

#[test]
fn the_openapi_description_covers_exactly_the_template_routes() {
    let raw = std::fs::read_to_string(root().join("docs/openapi.yaml"))
        .expect("docs/openapi.yaml exists");
    let spec: serde_yaml::Value = serde_yaml::from_str(&raw).unwrap();
    assert_eq!(spec["openapi"].as_str(), Some("3.1.0"));
    let mut described = BTreeSet::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        for (method, op) in item.as_mapping().unwrap() {
            let m = method.as_str().unwrap().to_uppercase();
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            described.insert((m, path.as_str().unwrap().to_string(), id));
        }
    }
    let routed: BTreeSet<(String, String, String)> = template()
        .http_routes()
        .into_iter()
        .map(|r| (r.method, r.path, r.use_case))
        .collect();
    assert_eq!(
        described, routed,
        "docs/openapi.yaml and infra/template.yaml disagree"
    );
}
