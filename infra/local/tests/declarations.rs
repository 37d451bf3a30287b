//! Each use case is declared once, in its context's `lib.rs` (`use_case!`,
//! `event_use_case!`: name, route, needs). The templates and the API description must
//! say the same: every function of the nested stacks runs a use case declared by its
//! stack's context, its route (method, path, path parameters) is the declared one, its
//! policy grants exactly the declared needs, and `docs/openapi.yaml` has one operation
//! per HTTP use case, `operationId` = the use case's name, with the same path
//! parameters. A failure names the use case.

use loket_local::template::{Function, Template};
use loket_local::{contexts, Context};
use loket_shared::http::path_params;
use loket_shared::needs::{granted, Need};
use serde_yaml::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn template() -> Template {
    Template::load(&root().join("infra/template.yaml"), "t", "us-east-1").unwrap()
}

/// A use case as declared: its context, route (HTTP ones) and needs.
struct Declared {
    context: &'static str,
    route: Option<(&'static str, &'static str)>,
    needs: &'static [Need],
}

fn declared() -> BTreeMap<&'static str, Declared> {
    let mut out = BTreeMap::new();
    for Context { name, http, events } in contexts() {
        for u in http {
            let d = Declared {
                context: name,
                route: Some((u.method, u.path)),
                needs: u.needs,
            };
            assert!(
                out.insert(u.name, d).is_none(),
                "{} is declared twice",
                u.name
            );
        }
        for u in events {
            let d = Declared {
                context: name,
                route: None,
                needs: u.needs,
            };
            assert!(
                out.insert(u.name, d).is_none(),
                "{} is declared twice",
                u.name
            );
        }
    }
    out
}

fn failures(problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n  {}",
        problems.len(),
        problems.join("\n  ")
    );
}

fn resolve(t: &Template, intrinsic: &str) -> String {
    let v: Value = serde_yaml::from_str(intrinsic).unwrap();
    t.resolve(&v)
        .unwrap_or_else(|| panic!("{intrinsic} does not resolve in infra/template.yaml"))
}

/// The resources a declaration can name, resolved as the template's are, with a label
/// for messages.
struct Resources {
    table: String,
    uploads: String,
    mail: String,
    secret: String,
    signing_key: String,
    labels: BTreeMap<String, String>,
}

impl Resources {
    fn of(t: &Template) -> Self {
        let r = Self {
            table: resolve(t, "!GetAtt Table.Arn"),
            uploads: resolve(t, "!GetAtt Uploads.Arn"),
            mail: resolve(
                t,
                "!Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${MailDomain}",
            ),
            secret: resolve(t, "!Ref AppSecretArn"),
            signing_key: resolve(t, "!GetAtt PermitSigningKey.Arn"),
            labels: BTreeMap::new(),
        };
        let mut labels = BTreeMap::from([
            (r.table.clone(), "the table".to_string()),
            (format!("{}/index/*", r.table), "the table's indexes".into()),
            (r.mail.clone(), "the mail identity".into()),
            (r.secret.clone(), "the app secret".into()),
            (r.signing_key.clone(), "the permit signing key".into()),
        ]);
        for id in t.logical_ids_of("AWS::Serverless::StateMachine") {
            labels.insert(resolve(t, &format!("!Ref {id}")), id);
        }
        Self { labels, ..r }
    }

    fn label(&self, resource: &str) -> String {
        if let Some(l) = self.labels.get(resource) {
            return l.clone();
        }
        match resource.strip_prefix(&format!("{}/", self.uploads)) {
            Some(objects) => format!("uploads {objects}"),
            None => resource.to_string(),
        }
    }

    /// The (action, resource) pairs a use case's needs grant.
    fn grants(&self, t: &Template, needs: &[Need]) -> BTreeSet<(String, String)> {
        let mut out = BTreeSet::new();
        for need in granted(needs) {
            let resources = match need {
                Need::Table(_) => vec![self.table.clone()],
                Need::Indexes(_) => vec![format!("{}/index/*", self.table)],
                Need::Uploads(prefix, _) => vec![format!("{}/{prefix}*", self.uploads)],
                Need::StateMachines(_, machines) => machines
                    .iter()
                    .map(|m| {
                        assert_eq!(
                            t.resource(m)
                                .and_then(|r| Template::field(r, "Type"))
                                .and_then(|v| v.as_str()),
                            Some("AWS::Serverless::StateMachine"),
                            "{m} is declared as a state machine but infra/template.yaml has none by that name"
                        );
                        resolve(t, &format!("!Ref {m}"))
                    })
                    .collect(),
                Need::Mail(_) => vec![self.mail.clone()],
                Need::SigningKey(_) => vec![self.signing_key.clone()],
                Need::AppSecret(_) => vec![self.secret.clone()],
            };
            for action in need.actions() {
                for r in &resources {
                    out.insert((action.to_string(), r.clone()));
                }
            }
        }
        out
    }

    fn show(&self, pairs: &BTreeSet<&(String, String)>) -> String {
        pairs
            .iter()
            .map(|(a, r)| format!("{a} on {}", self.label(r)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[test]
fn every_function_runs_a_use_case_declared_by_its_stacks_context() {
    let t = template();
    let declared = declared();
    let mut problems = Vec::new();
    let mut served = BTreeMap::new();
    for f in t.functions() {
        let Function {
            stack,
            logical_id,
            use_case,
            binary,
            ..
        } = &f;
        let Some(uc) = use_case else {
            problems.push(format!("{stack} {logical_id}: no LOKET_USE_CASE"));
            continue;
        };
        let Some(d) = declared.get(uc.as_str()) else {
            problems.push(format!(
                "{uc} ({stack} {logical_id}): no context declares it (use_case! or event_use_case!)"
            ));
            continue;
        };
        if stack != d.context {
            problems.push(format!(
                "{uc}: its function is in stack {stack}, but context {} declares it (infra/stacks/{}.yaml)",
                d.context, d.context
            ));
        }
        if binary.as_deref() != Some(d.context) {
            problems.push(format!(
                "{uc}: its function runs binary {binary:?}, but context {} declares it",
                d.context
            ));
        }
        if let Some(other) = served.insert(uc.clone(), logical_id.clone()) {
            problems.push(format!(
                "{uc}: served by two functions, {other} and {logical_id}"
            ));
        }
    }
    for name in declared.keys() {
        if !served.contains_key(*name) {
            problems.push(format!("{name}: declared, but no function runs it"));
        }
    }
    failures(problems);
}

#[test]
fn every_use_case_declares_the_table() {
    // The DynamoDB client is the one `App` always builds (sessions, rate limits…).
    let mut problems = Vec::new();
    for (name, d) in declared() {
        if !d.needs.iter().any(|n| matches!(n, Need::Table(_))) {
            problems.push(format!("{name}: declares no Table need"));
        }
    }
    failures(problems);
}

#[test]
fn routes_are_the_declared_method_path_and_path_parameters() {
    let t = template();
    let declared = declared();
    let mut problems = Vec::new();
    let mut routed = BTreeSet::new();
    for r in t.http_routes() {
        let uc = r.use_case.as_str();
        let Some(d) = declared.get(uc) else {
            continue; // the function check names it
        };
        let Some((method, path)) = d.route else {
            problems.push(format!(
                "{uc}: an event use case, but the template routes {} {} to it",
                r.method, r.path
            ));
            continue;
        };
        if !routed.insert(uc.to_string()) {
            problems.push(format!(
                "{uc}: more than one route ({} {})",
                r.method, r.path
            ));
        }
        if r.method != method {
            problems.push(format!(
                "{uc}: the template's method is {}, the declaration's {method}",
                r.method
            ));
        }
        if path_params(&r.path) != path_params(path) {
            problems.push(format!(
                "{uc}: path parameters {:?} in the template ({}), {:?} declared ({path})",
                path_params(&r.path),
                r.path,
                path_params(path)
            ));
        } else if r.path != path {
            problems.push(format!(
                "{uc}: the template's path is {}, the declaration's {path}",
                r.path
            ));
        }
    }
    for (name, d) in &declared {
        if let Some((method, path)) = d.route {
            if !routed.contains(*name) {
                problems.push(format!("{name}: declared {method} {path}, but no route"));
            }
        }
    }
    failures(problems);
}

#[test]
fn every_route_reaches_its_function_once_deployed() {
    failures(template().route_problems());
}

#[test]
fn policies_grant_exactly_the_declared_needs() {
    let t = template();
    let resources = Resources::of(&t);
    let declared = declared();
    let mut problems = Vec::new();
    for f in t.functions() {
        let Some(d) = f.use_case.as_deref().and_then(|uc| declared.get(uc)) else {
            continue; // the function check names it
        };
        let uc = f.use_case.as_deref().unwrap_or_default();
        let wanted = resources.grants(&t, d.needs);
        let granted: BTreeSet<(String, String)> = f.grants.iter().cloned().collect();
        let missing: BTreeSet<_> = wanted.difference(&granted).collect();
        let extra: BTreeSet<_> = granted.difference(&wanted).collect();
        if !missing.is_empty() {
            problems.push(format!(
                "{uc}: declared but not granted by {}: {}",
                f.logical_id,
                resources.show(&missing)
            ));
        }
        if !extra.is_empty() {
            problems.push(format!(
                "{uc}: granted by {} but not declared: {}",
                f.logical_id,
                resources.show(&extra)
            ));
        }
    }
    failures(problems);
}

/// The OpenAPI description's operations: (method, path) → (operationId, path
/// parameters), parameters of the path item and of the operation, `$ref`s followed.
fn openapi_operations() -> BTreeMap<(String, String), (String, Vec<String>)> {
    let raw = std::fs::read_to_string(root().join("docs/openapi.yaml")).unwrap();
    let spec: Value = serde_yaml::from_str(&raw).unwrap();
    let deref = |p: &Value| -> Value {
        match p["$ref"].as_str() {
            Some(r) => {
                let mut v = &spec;
                for part in r.trim_start_matches("#/").split('/') {
                    v = &v[part];
                }
                v.clone()
            }
            None => p.clone(),
        }
    };
    let path_params_of = |params: &Value| -> Vec<String> {
        params
            .as_sequence()
            .map(|s| {
                s.iter()
                    .map(deref)
                    .filter(|p| p["in"].as_str() == Some("path"))
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = BTreeMap::new();
    for (path, item) in spec["paths"].as_mapping().expect("paths") {
        let path = path.as_str().unwrap().to_string();
        let shared = path_params_of(&item["parameters"]);
        for (method, op) in item.as_mapping().unwrap() {
            let m = method.as_str().unwrap().to_uppercase();
            if !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.as_str()) {
                continue;
            }
            let mut params = shared.clone();
            params.extend(path_params_of(&op["parameters"]));
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            out.insert((m, path.clone()), (id, params));
        }
    }
    out
}

#[test]
fn the_openapi_operations_are_the_declared_use_cases_with_their_path_parameters() {
    let declared = declared();
    let mut problems = Vec::new();
    let operations = openapi_operations();
    let mut described = BTreeSet::new();
    for ((method, path), (id, params)) in &operations {
        let Some(d) = declared.get(id.as_str()) else {
            problems.push(format!(
                "docs/openapi.yaml {method} {path}: operationId {id:?} is no declared use case"
            ));
            continue;
        };
        described.insert(id.as_str());
        if d.route != Some((method.as_str(), path.as_str())) {
            problems.push(format!(
                "{id}: docs/openapi.yaml says {method} {path}, the declaration {:?}",
                d.route
            ));
        }
        let mut wanted: Vec<&str> = path_params(path);
        let mut listed: Vec<&str> = params.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        listed.sort_unstable();
        if wanted != listed {
            problems.push(format!(
                "{id}: docs/openapi.yaml {method} {path} lists path parameters {listed:?} (in: path), the path has {wanted:?}"
            ));
        }
    }
    for (name, d) in &declared {
        if let Some((method, path)) = d.route {
            if !described.contains(*name) {
                problems.push(format!(
                    "{name}: declared {method} {path}, but docs/openapi.yaml has no operation {name}"
                ));
            }
        }
    }
    failures(problems);
}

#[test]
fn the_root_nests_every_context_stack_and_they_share_one_environment() {
    let t = template();
    let nested: BTreeSet<String> = t.stacks().into_iter().skip(1).map(|(n, _)| n).collect();
    let files: BTreeSet<String> = std::fs::read_dir(root().join("infra/stacks"))
        .unwrap()
        .filter_map(|e| {
            let p = e.ok()?.path();
            (p.extension()? == "yaml").then(|| p.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    assert_eq!(
        nested, files,
        "infra/template.yaml must nest every infra/stacks/*.yaml, once"
    );
    let names: BTreeSet<String> = contexts().iter().map(|c| c.name.to_string()).collect();
    assert_eq!(nested, names, "one stack per bounded context");
    let first = t.stack_globals_environment("identity");
    assert!(first.iter().any(|(k, _)| k == "LOKET_TABLE"));
    for name in &nested {
        assert_eq!(
            t.stack_globals_environment(name),
            first,
            "infra/stacks/{name}.yaml's Globals environment differs from identity's"
        );
    }
}
