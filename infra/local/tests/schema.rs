//! The table's schema is written down once and the code keeps to it: every key prefix
//! the code or a state machine writes is in `docs/ACCESS_PATTERNS.md`, and every human
//! task a state machine opens says what the engine's stage declarations say (kind,
//! stage, label, deciding role) and carries every field a task is read with.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "target" && n != "tests") {
                files_under(&p, ext, out);
            }
        } else if p.extension().is_some_and(|e| e == ext) {
            out.push(p);
        }
    }
}

/// `ABC#` prefixes in `text`: an upper-case word right after a quote (Rust string
/// literals, ASL `States.Format('…')` and `"S": "…"` values) and ending in `#`.
fn key_prefixes(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes = text.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'"' && b != b'\'' {
            continue;
        }
        let word: String = text[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_')
            .collect();
        if word.len() >= 2
            && word.starts_with(|c: char| c.is_ascii_uppercase())
            && text[i + 1 + word.len()..].starts_with('#')
        {
            out.insert(format!("{word}#"));
        }
    }
    out
}

#[test]
fn every_key_prefix_in_the_code_is_in_the_access_patterns() {
    let doc = std::fs::read_to_string(root().join("docs/ACCESS_PATTERNS.md")).unwrap();
    let mut files = Vec::new();
    for dir in ["shared/src", "functions", "infra/local/src"] {
        files_under(&root().join(dir), "rs", &mut files);
    }
    files_under(&root().join("statemachines"), "json", &mut files);
    let mut missing = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for prefix in key_prefixes(&text) {
            if !doc.contains(&format!("`{prefix}")) && !doc.contains(&prefix) {
                missing.push(format!("{prefix} ({})", f.display()));
            }
            seen.insert(prefix);
        }
    }
    assert!(
        missing.is_empty(),
        "key prefixes not in docs/ACCESS_PATTERNS.md: {missing:?}"
    );
    // The scan sees the kinds it must (a scan that finds nothing proves nothing).
    for kind in [
        "USER#",
        "TASK#",
        "OUTBOX#",
        "WORKFLOWSTART#",
        "CATALOG#",
        "AUDIT#",
    ] {
        assert!(seen.contains(kind), "{kind} not found in the code");
    }
}

#[test]
fn the_prefix_scan_reads_literals_and_asl_formats() {
    let found =
        key_prefixes(r#"format!("USER#{id}") "ACCOUNT" "S.$": "States.Format('TASK#{}', $.id)" "#);
    assert_eq!(
        found,
        BTreeSet::from(["USER#".to_string(), "TASK#".to_string()])
    );
}

/// The fields `loket_shared::tasks::Task::from_item` and the inbox read.
const TASK_FIELDS: [&str; 16] = [
    "PK",
    "SK",
    "GSI1PK",
    "GSI1SK",
    "GSI2PK",
    "GSI2SK",
    "id",
    "kind",
    "stage",
    "stage_label",
    "role",
    "organisation",
    "subject_id",
    "subject_name",
    "status",
    "token",
];

#[test]
fn every_task_a_state_machine_opens_is_a_declared_stage_of_a_declared_kind() {
    let kinds = loket_workflows::task_kinds();
    let mut asl = Vec::new();
    files_under(&root().join("statemachines"), "json", &mut asl);
    let mut opened = 0;
    for f in &asl {
        let def: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
        for (name, state) in def["States"].as_object().unwrap() {
            if state["Resource"] != "arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken" {
                continue;
            }
            opened += 1;
            let at = format!("{} state {name}", f.display());
            let item = &state["Parameters"]["Item"];
            for field in TASK_FIELDS.iter().chain(&["created_at"]) {
                assert!(item.get(*field).is_some(), "{at}: the task has no {field}");
            }
            let fixed = |field: &str| {
                item[field]["S"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{at}: {field} must be a fixed string"))
                    .to_string()
            };
            let kind = kinds
                .iter()
                .find(|k| k.kind == fixed("kind"))
                .unwrap_or_else(|| panic!("{at}: task kind {} is not declared", fixed("kind")));
            let stage = (kind.stages)()
                .into_iter()
                .find(|s| s.code == fixed("stage"))
                .unwrap_or_else(|| panic!("{at}: {} has no stage {}", kind.kind, fixed("stage")));
            assert_eq!(fixed("stage_label"), stage.label, "{at}: stage_label");
            assert_eq!(
                Some(fixed("role").as_str()),
                stage.decider.map(|r| r.as_str()),
                "{at}: role"
            );
            assert_eq!(fixed("status"), "pending", "{at}: status");
        }
    }
    assert!(opened >= 8, "only {opened} task states found");
}

#[test]
fn the_templates_indexes_are_the_schemas() {
    let raw = std::fs::read_to_string(root().join("infra/template.yaml")).unwrap();
    let t: serde_yaml::Value = serde_yaml::from_str(&raw).unwrap();
    let declared: BTreeSet<(String, String, String)> = t["Resources"]["Table"]["Properties"]
        ["GlobalSecondaryIndexes"]
        .as_sequence()
        .expect("the table has indexes")
        .iter()
        .map(|ix| {
            let part = |kind: &str| {
                ix["KeySchema"]
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .find(|k| k["KeyType"] == kind)
                    .and_then(|k| k["AttributeName"].as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            (
                ix["IndexName"].as_str().unwrap().to_string(),
                part("HASH"),
                part("RANGE"),
            )
        })
        .collect();
    let schema: BTreeSet<(String, String, String)> = loket_shared::schema::INDEXES
        .iter()
        .map(|i| (i.name.to_string(), i.pk.to_string(), i.sk.to_string()))
        .collect();
    assert_eq!(
        declared, schema,
        "infra/template.yaml and shared/src/schema.rs"
    );
}
