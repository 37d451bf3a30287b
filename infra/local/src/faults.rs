//! Faults the tests ask the local stack for (`--test-support` only), to prove that a
//! failing dependency is survived: `POST /__local/faults` with
//! `{"operation": "StartExecution", "name_prefix": "<vendor id>", "times": 1}` makes the
//! next `times` calls of that operation whose execution name starts with the prefix
//! fail before they reach the emulator, as a throttled or unreachable Step Functions
//! would; `{"operation": "SendTaskSuccess", "name_prefix": "<task id>", "times": 2}`
//! does the same to the resume of a decided task. `{"operation": "LoseStreamRecord", "name_prefix": "<recipient>", "times": 1}`
//! loses the next stream records of outbox emails whose recipient starts with the
//! prefix before any consumer sees them, as a stream whose retries ran out would.
//! `GET /__local/faults` lists what is still armed.

use aws_sdk_sfn::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_sfn::config::{ConfigBag, Intercept};
use aws_sdk_sfn::error::BoxError;
use aws_sdk_sfn::operation::send_task_success::SendTaskSuccessInput;
use aws_sdk_sfn::operation::start_execution::StartExecutionInput;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Fault {
    /// `StartExecution` (matched on the execution's name), `SendTaskSuccess` (on the
    /// decided task's id) or `LoseStreamRecord` (on an outbox email's recipient).
    pub operation: String,
    pub name_prefix: String,
    /// How many more calls fail.
    pub times: u32,
}

/// The armed faults, shared by the server (arms them) and the SDK clients (trip them).
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

impl Faults {
    pub fn arm(&self, fault: Fault) -> Result<(), String> {
        if !["StartExecution", "SendTaskSuccess", "LoseStreamRecord"]
            .contains(&fault.operation.as_str())
        {
            return Err(format!("unsupported operation {}", fault.operation));
        }
        if fault.name_prefix.is_empty() || fault.times == 0 {
            return Err("name_prefix and times (> 0) are required".into());
        }
        self.0.lock().map_err(|e| e.to_string())?.push(fault);
        Ok(())
    }

    pub fn armed(&self) -> Vec<Fault> {
        self.0.lock().map(|f| f.clone()).unwrap_or_default()
    }

    /// Whether the stream record `r` is to be lost (an outbox email's INSERT whose
    /// recipient matches an armed `LoseStreamRecord`; counts it).
    pub fn loses(&self, r: &serde_json::Value) -> bool {
        let image = &r["dynamodb"]["NewImage"];
        let outbox = image["PK"]["S"]
            .as_str()
            .is_some_and(|pk| pk.starts_with(loket_shared::mail::OUTBOX_PREFIX));
        match image["to"]["S"].as_str() {
            Some(to) if outbox && r["eventName"] == "INSERT" => self.trip("LoseStreamRecord", to),
            _ => false,
        }
    }

    /// Whether a call of `operation` on `name` must fail (and counts it).
    fn trip(&self, operation: &str, name: &str) -> bool {
        let Ok(mut faults) = self.0.lock() else {
            return false;
        };
        let Some(i) = faults
            .iter()
            .position(|f| f.operation == operation && name.starts_with(&f.name_prefix))
        else {
            return false;
        };
        faults[i].times -= 1;
        if faults[i].times == 0 {
            faults.remove(i);
        }
        true
    }
}

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "LoketLocalFaults"
    }

    fn read_before_execution(
        &self,
        ctx: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(input) = ctx.input().downcast_ref::<StartExecutionInput>() {
            let name = input.name().unwrap_or_default();
            if self.trip("StartExecution", name) {
                tracing::warn!(execution = name, "fault injected: StartExecution refused");
                return Err(format!(
                    "loket-local: StartExecution of {name} refused (injected fault)"
                )
                .into());
            }
        }
        if let Some(input) = ctx.input().downcast_ref::<SendTaskSuccessInput>() {
            let output: serde_json::Value =
                serde_json::from_str(input.output().unwrap_or_default()).unwrap_or_default();
            let task = output["task_id"].as_str().unwrap_or_default();
            if !task.is_empty() && self.trip("SendTaskSuccess", task) {
                tracing::warn!(task_id = task, "fault injected: SendTaskSuccess refused");
                return Err(format!(
                    "loket-local: SendTaskSuccess of task {task} refused (injected fault)"
                )
                .into());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_trips_its_count_of_matching_calls_only() {
        let f = Faults::default();
        assert!(f
            .arm(Fault {
                operation: "StartExecution".into(),
                name_prefix: "v1-".into(),
                times: 2
            })
            .is_ok());
        assert!(!f.trip("StartExecution", "v2-1"));
        assert!(f.trip("StartExecution", "v1-1"));
        assert!(f.trip("StartExecution", "v1-1"));
        assert!(!f.trip("StartExecution", "v1-1"));
        assert!(f.armed().is_empty());
        assert!(f
            .arm(Fault {
                operation: "LoseStreamRecord".into(),
                name_prefix: "a@".into(),
                times: 1
            })
            .is_ok());
        let record = |to: &str| {
            serde_json::json!({ "eventName": "INSERT", "dynamodb": { "NewImage": {
                "PK": { "S": "OUTBOX#1" }, "to": { "S": to } } } })
        };
        assert!(!f.loses(&record("b@x")));
        assert!(f.loses(&record("a@x")));
        assert!(!f.loses(&record("a@x")));
        assert!(f
            .arm(Fault {
                operation: "SendTaskFailure".into(),
                name_prefix: "x".into(),
                times: 1
            })
            .is_err());
    }
}
