//! Reads `infra/template.yaml`: the one description of the table, bucket, email identity,
//! state machines, routes and event sources. Intrinsic functions are resolved to the
//! local stack's names (`<prefix>-<LogicalId>`) and ARNs.

use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
pub struct HttpRoute {
    pub method: String,
    pub path: String,
    pub use_case: String,
    pub function: String,
}

#[derive(Debug, Clone)]
pub struct StreamSource {
    pub use_case: String,
    pub function: String,
    pub batch_size: usize,
    /// Retries of a failed record (`MaximumRetryAttempts`); `None` is Lambda's default
    /// (-1): until it succeeds.
    pub max_retries: Option<u32>,
    /// Lambda event filter patterns (JSON); a record passes when any matches.
    pub filters: Vec<serde_json::Value>,
}

#[derive(Debug, Clone)]
pub struct Schedule {
    pub use_case: String,
    pub function: String,
    /// `rate(N minutes|hours|days)` as seconds; `None` for cron expressions (fired on demand).
    pub every_seconds: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct StateMachineDef {
    pub logical_id: String,
    pub definition_path: PathBuf,
    pub substitutions: BTreeMap<String, String>,
}

pub struct Template {
    root: Value,
    dir: PathBuf,
    prefix: String,
    region: String,
    account: String,
}

fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_mapping()?.get(Value::String(key.into()))
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

impl Template {
    pub fn load(path: &Path, prefix: &str, region: &str) -> Result<Self, String> {
        let raw = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let root: Value =
            serde_yaml::from_str(&raw).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self {
            root,
            dir: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
            prefix: prefix.to_string(),
            region: region.to_string(),
            account: "123456789012".into(),
        })
    }

    fn resources(&self) -> Vec<(String, &Value)> {
        get(&self.root, "Resources")
            .and_then(|r| r.as_mapping())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v)))
                    .collect()
            })
            .unwrap_or_default()
    }

    fn resource_type(v: &Value) -> &str {
        get(v, "Type").and_then(|t| t.as_str()).unwrap_or_default()
    }

    pub fn logical_ids_of(&self, ty: &str) -> Vec<String> {
        self.resources()
            .into_iter()
            .filter(|(_, v)| Self::resource_type(v) == ty)
            .map(|(k, _)| k)
            .collect()
    }

    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        get(get(&self.root, "Resources")?, logical_id)
    }

    /// The local physical name of a resource.
    pub fn local_name(&self, logical_id: &str) -> String {
        format!("{}-{}", self.prefix, logical_id.to_lowercase())
    }

    fn parameter_default(&self, name: &str) -> Option<String> {
        get(get(get(&self.root, "Parameters")?, name)?, "Default").and_then(text)
    }

    /// Resolves `!Ref`, `!GetAtt` and `!Sub` to local values; plain strings pass through.
    pub fn resolve(&self, v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Tagged(t) => {
                let tag = t.tag.to_string();
                let inner = &t.value;
                match tag.trim_start_matches('!') {
                    "Ref" => self.resolve_ref(inner.as_str()?),
                    "GetAtt" => self.resolve_getatt(inner.as_str()?),
                    "Sub" => self.resolve_sub(inner.as_str()?),
                    _ => None,
                }
            }
            Value::Mapping(m) => {
                let (k, inner) = m.iter().next()?;
                match k.as_str()? {
                    "Ref" => self.resolve_ref(inner.as_str()?),
                    "Fn::GetAtt" => match inner {
                        Value::Sequence(s) => self.resolve_getatt(&format!(
                            "{}.{}",
                            s.first()?.as_str()?,
                            s.get(1)?.as_str()?
                        )),
                        other => self.resolve_getatt(other.as_str()?),
                    },
                    "Fn::Sub" => self.resolve_sub(inner.as_str()?),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn resolve_ref(&self, name: &str) -> Option<String> {
        match name {
            "AWS::Region" => return Some(self.region.clone()),
            "AWS::AccountId" => return Some(self.account.clone()),
            "AWS::Partition" => return Some("aws".into()),
            "AWS::StackName" => return Some(self.prefix.clone()),
            "AWS::URLSuffix" => return Some("amazonaws.com".into()),
            _ => {}
        }
        if let Some(res) = self.resource(name) {
            // As in CloudFormation, a state machine's Ref is its ARN.
            if Self::resource_type(res) == "AWS::Serverless::StateMachine" {
                return self.resolve_getatt(&format!("{name}.Arn"));
            }
            return Some(self.local_name(name));
        }
        self.parameter_default(name)
    }

    fn resolve_getatt(&self, path: &str) -> Option<String> {
        let (id, attr) = path.split_once('.')?;
        let res = self.resource(id)?;
        let name = self.local_name(id);
        let (r, a) = (&self.region, &self.account);
        Some(match (Self::resource_type(res), attr) {
            ("AWS::DynamoDB::Table", "Arn") => format!("arn:aws:dynamodb:{r}:{a}:table/{name}"),
            ("AWS::DynamoDB::Table", "StreamArn") => {
                format!("arn:aws:dynamodb:{r}:{a}:table/{name}/stream/local")
            }
            ("AWS::S3::Bucket", "Arn") => format!("arn:aws:s3:::{name}"),
            ("AWS::Serverless::StateMachine", "Arn") => {
                format!("arn:aws:states:{r}:{a}:stateMachine:{name}")
            }
            ("AWS::Serverless::StateMachine", "Name") => name,
            _ => return None,
        })
    }

    fn resolve_sub(&self, s: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}')? + start;
            let name = &rest[start + 2..end];
            let value = if name.contains('.') {
                self.resolve_getatt(name)?
            } else {
                self.resolve_ref(name)?
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    fn functions(&self) -> Vec<(String, &Value)> {
        self.resources()
            .into_iter()
            .filter(|(_, v)| Self::resource_type(v) == "AWS::Serverless::Function")
            .collect()
    }

    fn use_case_of(&self, f: &Value) -> Option<String> {
        let vars = get(get(get(f, "Properties")?, "Environment")?, "Variables")?;
        get(vars, "LOKET_USE_CASE").and_then(text)
    }

    fn events_of<'a>(&self, f: &'a Value) -> Vec<(&'a str, &'a Value)> {
        get(f, "Properties")
            .and_then(|p| get(p, "Events"))
            .and_then(|e| e.as_mapping())
            .map(|m| {
                m.values()
                    .filter_map(|ev| Some((get(ev, "Type")?.as_str()?, get(ev, "Properties")?)))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// `Globals.Function.Environment.Variables`, resolved to local values.
    pub fn globals_environment(&self) -> Vec<(String, String)> {
        let vars = get(&self.root, "Globals")
            .and_then(|g| get(g, "Function"))
            .and_then(|f| get(f, "Environment"))
            .and_then(|e| get(e, "Variables"))
            .and_then(|v| v.as_mapping());
        vars.map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), self.resolve(v)?)))
                .collect()
        })
        .unwrap_or_default()
    }

    /// Every function's `LOKET_USE_CASE` (for the route coverage test).
    pub fn use_cases(&self) -> Vec<(String, String)> {
        self.functions()
            .into_iter()
            .filter_map(|(id, f)| Some((id, self.use_case_of(f)?)))
            .collect()
    }

    pub fn http_routes(&self) -> Vec<HttpRoute> {
        let mut out = Vec::new();
        for (id, f) in self.functions() {
            let Some(uc) = self.use_case_of(f) else {
                continue;
            };
            for (ty, props) in self.events_of(f) {
                if ty != "HttpApi" {
                    continue;
                }
                let (Some(method), Some(path)) = (
                    get(props, "Method").and_then(text),
                    get(props, "Path").and_then(text),
                ) else {
                    continue;
                };
                out.push(HttpRoute {
                    method: method.to_uppercase(),
                    path,
                    use_case: uc.clone(),
                    function: id.clone(),
                });
            }
        }
        out
    }

    pub fn stream_sources(&self) -> Vec<StreamSource> {
        let mut out = Vec::new();
        for (id, f) in self.functions() {
            let Some(uc) = self.use_case_of(f) else {
                continue;
            };
            for (ty, props) in self.events_of(f) {
                if ty != "DynamoDB" {
                    continue;
                }
                let filters = get(props, "FilterCriteria")
                    .and_then(|fc| get(fc, "Filters"))
                    .and_then(|f| f.as_sequence())
                    .map(|seq| {
                        seq.iter()
                            .filter_map(|f| get(f, "Pattern").and_then(|p| p.as_str()))
                            .filter_map(|p| serde_json::from_str(p).ok())
                            .collect()
                    })
                    .unwrap_or_default();
                out.push(StreamSource {
                    use_case: uc.clone(),
                    function: id.clone(),
                    batch_size: get(props, "BatchSize")
                        .and_then(|b| b.as_u64())
                        .unwrap_or(100) as usize,
                    max_retries: get(props, "MaximumRetryAttempts")
                        .and_then(|r| r.as_i64())
                        .and_then(|r| u32::try_from(r).ok()),
                    filters,
                });
            }
        }
        out
    }

    pub fn schedules(&self) -> Vec<Schedule> {
        let mut out = Vec::new();
        for (id, f) in self.functions() {
            let Some(uc) = self.use_case_of(f) else {
                continue;
            };
            for (ty, props) in self.events_of(f) {
                if ty != "Schedule" && ty != "ScheduleV2" {
                    continue;
                }
                let expr = get(props, "Schedule")
                    .or_else(|| get(props, "ScheduleExpression"))
                    .and_then(text)
                    .unwrap_or_default();
                out.push(Schedule {
                    use_case: uc.clone(),
                    function: id.clone(),
                    every_seconds: parse_rate(&expr),
                });
            }
        }
        out
    }

    pub fn state_machines(&self) -> Vec<StateMachineDef> {
        let mut out = Vec::new();
        for id in self.logical_ids_of("AWS::Serverless::StateMachine") {
            let Some(props) = self.resource(&id).and_then(|r| get(r, "Properties")) else {
                continue;
            };
            let Some(uri) = get(props, "DefinitionUri").and_then(text) else {
                continue;
            };
            let substitutions = get(props, "DefinitionSubstitutions")
                .and_then(|m| m.as_mapping())
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.as_str()?.to_string(), self.resolve(v)?)))
                        .collect()
                })
                .unwrap_or_default();
            out.push(StateMachineDef {
                logical_id: id,
                definition_path: self.dir.join(uri),
                substitutions,
            });
        }
        out
    }

    /// The properties of the one resource of a type (the table, the bucket…).
    pub fn single(&self, ty: &str) -> Option<(String, &Value)> {
        let id = self.logical_ids_of(ty).into_iter().next()?;
        let props = get(self.resource(&id)?, "Properties")?;
        Some((id, props))
    }

    pub fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
        get(v, key)
    }
}

/// `rate(5 minutes)` → 300.
pub fn parse_rate(expr: &str) -> Option<u64> {
    let inner = expr.trim().strip_prefix("rate(")?.strip_suffix(')')?;
    let (n, unit) = inner.trim().split_once(' ')?;
    let n: u64 = n.parse().ok()?;
    let mult = match unit.trim().trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        "day" => 86400,
        _ => return None,
    };
    Some(n * mult)
}

/// Substitutes `${Name}` in an ASL definition.
pub fn substitute(definition: &str, subs: &BTreeMap<String, String>) -> String {
    let mut out = definition.to_string();
    for (k, v) in subs {
        out = out.replace(&format!("${{{k}}}"), v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse() {
        assert_eq!(parse_rate("rate(5 minutes)"), Some(300));
        assert_eq!(parse_rate("rate(1 hour)"), Some(3600));
        assert_eq!(parse_rate("cron(0 1 * * ? *)"), None);
    }

    #[test]
    fn intrinsics_resolve_to_local_names() {
        let dir = std::env::temp_dir().join(format!("loket-tpl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("t.yaml");
        std::fs::write(
            &p,
            "Parameters:\n  Stage:\n    Type: String\n    Default: dev\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table\n    Properties: {}\n  M:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      DefinitionUri: m.asl.json\n      DefinitionSubstitutions:\n        T: !Ref Table\n        A: !GetAtt Table.Arn\n        S: !Sub \"${Stage}-${Table}\"\n",
        )
        .unwrap();
        let t = Template::load(&p, "px", "us-east-1").unwrap();
        let sm = &t.state_machines()[0];
        assert_eq!(sm.substitutions["T"], "px-table");
        assert_eq!(
            sm.substitutions["A"],
            "arn:aws:dynamodb:us-east-1:123456789012:table/px-table"
        );
        assert_eq!(sm.substitutions["S"], "dev-px-table");
        assert_eq!(
            substitute("{\"t\":\"${T}\"}", &sm.substitutions),
            "{\"t\":\"px-table\"}"
        );
    }
}
