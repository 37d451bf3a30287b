//! Reads the deployment's templates: `infra/template.yaml` (the root stack: table,
//! bucket, email identity, HTTP API, state machines) and the nested stacks it names
//! (`infra/stacks/<context>.yaml`: each bounded context's functions, their routes,
//! policies and event sources). Intrinsic functions are resolved to the local stack's
//! names (`<prefix>-<logicalid>`) and ARNs; a nested stack's parameters take the values
//! its parent passes, resolved in the parent.

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

/// A Lambda function of one of the stacks, as the declarations test reads it.
#[derive(Debug, Clone)]
pub struct Function {
    /// The stack's name: `root`, or the nested stack's file name (`identity`).
    pub stack: String,
    pub logical_id: String,
    pub use_case: Option<String>,
    /// `Metadata.BuildProperties.Binary`: the context binary it runs.
    pub binary: Option<String>,
    /// Its policy as (IAM action, resolved resource) pairs; a policy other than inline
    /// `Allow` statements (a managed policy, a SAM policy template, a `Deny`) is one
    /// pair `("<unsupported policy>", its text)`.
    pub grants: Vec<(String, String)>,
}

/// One template file and how its references resolve.
struct Stack {
    name: String,
    path: PathBuf,
    doc: Value,
    /// The values its parent passes to its parameters (resolved in the parent).
    passed: BTreeMap<String, String>,
}

pub struct Template {
    /// The root stack first, then the nested stacks in the order the root names them.
    stacks: Vec<Stack>,
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

fn mapping_entries(v: Option<&Value>) -> Vec<(String, &Value)> {
    v.and_then(|m| m.as_mapping())
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v)))
                .collect()
        })
        .unwrap_or_default()
}

fn read_yaml(path: &Path) -> Result<Value, String> {
    let raw = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_yaml::from_str(&raw).map_err(|e| format!("{}: {e}", path.display()))
}

/// A single value or a list of them, as IAM statements write `Action` and `Resource`.
fn one_or_many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        Some(Value::Sequence(s)) => s.iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// The logical id an intrinsic names: `!Ref X`, `!GetAtt X.Attr`, or the first
/// `${X}` of a `!Sub` that is not a pseudo parameter.
pub fn referenced_id(v: &Value) -> Option<String> {
    let (tag, inner) = match v {
        Value::Tagged(t) => (
            t.tag.to_string().trim_start_matches('!').to_string(),
            &t.value,
        ),
        Value::Mapping(m) => {
            let (k, inner) = m.iter().next()?;
            (k.as_str()?.trim_start_matches("Fn::").to_string(), inner)
        }
        _ => return None,
    };
    match tag.as_str() {
        "Ref" => text(inner),
        "GetAtt" => match inner {
            Value::Sequence(s) => s.first().and_then(text),
            other => other.as_str()?.split('.').next().map(str::to_string),
        },
        "Sub" => {
            let s = inner.as_str()?;
            s.split("${")
                .skip(1)
                .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
                .find(|name| !name.starts_with("AWS::"))
                .map(|name| name.split('.').next().unwrap_or(name).to_string())
        }
        _ => None,
    }
}

impl Stack {
    fn resources(&self) -> Vec<(String, &Value)> {
        mapping_entries(get(&self.doc, "Resources"))
    }

    fn resource(&self, logical_id: &str) -> Option<&Value> {
        get(get(&self.doc, "Resources")?, logical_id)
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

impl Template {
    /// Loads the root template at `path` and every nested stack it names with a local
    /// `Location` (`AWS::Serverless::Application`) or `TemplateURL`
    /// (`AWS::CloudFormation::Stack`).
    pub fn load(path: &Path, prefix: &str, region: &str) -> Result<Self, String> {
        let mut t = Self {
            stacks: vec![Stack {
                name: "root".into(),
                path: path.to_path_buf(),
                doc: read_yaml(path)?,
                passed: BTreeMap::new(),
            }],
            prefix: prefix.to_string(),
            region: region.to_string(),
            account: "123456789012".into(),
        };
        let mut i = 0;
        while i < t.stacks.len() {
            let mut children = Vec::new();
            for (id, res) in t.stacks[i].resources() {
                let (location_key, params_key) = match Self::resource_type(res) {
                    "AWS::Serverless::Application" => ("Location", "Parameters"),
                    "AWS::CloudFormation::Stack" => ("TemplateURL", "Parameters"),
                    _ => continue,
                };
                let Some(props) = get(res, "Properties") else {
                    continue;
                };
                let Some(location) = get(props, location_key).and_then(|l| l.as_str()) else {
                    continue;
                };
                if location.contains("://") {
                    continue; // a published application: not ours to read
                }
                let child = t.stacks[i].dir().join(location);
                let mut passed = BTreeMap::new();
                for (name, v) in mapping_entries(get(props, params_key)) {
                    let value = t.resolve_in(i, v).ok_or_else(|| {
                        format!("{id}: parameter {name} does not resolve locally")
                    })?;
                    passed.insert(name, value);
                }
                let name = child
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .unwrap_or(&id)
                    .to_string();
                children.push(Stack {
                    name,
                    doc: read_yaml(&child)?,
                    path: child,
                    passed,
                });
            }
            t.stacks.extend(children);
            i += 1;
        }
        Ok(t)
    }

    /// Every stack: (name, template file), the root first.
    pub fn stacks(&self) -> Vec<(String, PathBuf)> {
        self.stacks
            .iter()
            .map(|s| (s.name.clone(), s.path.clone()))
            .collect()
    }

    fn root(&self) -> &Stack {
        &self.stacks[0]
    }

    fn resource_type(v: &Value) -> &str {
        get(v, "Type").and_then(|t| t.as_str()).unwrap_or_default()
    }

    /// The root stack's resources of a type (the shared resources live there).
    pub fn logical_ids_of(&self, ty: &str) -> Vec<String> {
        self.root()
            .resources()
            .into_iter()
            .filter(|(_, v)| Self::resource_type(v) == ty)
            .map(|(k, _)| k)
            .collect()
    }

    /// A resource of the root stack.
    pub fn resource(&self, logical_id: &str) -> Option<&Value> {
        self.root().resource(logical_id)
    }

    /// The local physical name of a resource.
    pub fn local_name(&self, logical_id: &str) -> String {
        format!("{}-{}", self.prefix, logical_id.to_lowercase())
    }

    /// A parameter's value in stack `i`: what the parent passes, else its default,
    /// else (a parameter the deployment must supply, e.g. `AppSecretArn`) a local name.
    fn parameter(&self, i: usize, name: &str) -> Option<String> {
        let stack = &self.stacks[i];
        let declared = get(get(&stack.doc, "Parameters")?, name)?;
        if let Some(v) = stack.passed.get(name) {
            return Some(v.clone());
        }
        Some(
            get(declared, "Default")
                .and_then(|d| self.resolve_in(i, d))
                .unwrap_or_else(|| self.local_name(name)),
        )
    }

    /// Resolves `!Ref`, `!GetAtt` and `!Sub` in the root stack to local values; plain
    /// strings pass through.
    pub fn resolve(&self, v: &Value) -> Option<String> {
        self.resolve_in(0, v)
    }

    fn resolve_in(&self, i: usize, v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Tagged(t) => {
                let tag = t.tag.to_string();
                let inner = &t.value;
                match tag.trim_start_matches('!') {
                    "Ref" => self.resolve_ref(i, inner.as_str()?),
                    "GetAtt" => self.resolve_getatt(i, inner.as_str()?),
                    "Sub" => self.resolve_sub(i, inner.as_str()?),
                    _ => None,
                }
            }
            Value::Mapping(m) => {
                let (k, inner) = m.iter().next()?;
                match k.as_str()? {
                    "Ref" => self.resolve_ref(i, inner.as_str()?),
                    "Fn::GetAtt" => match inner {
                        Value::Sequence(s) => self.resolve_getatt(
                            i,
                            &format!("{}.{}", s.first()?.as_str()?, s.get(1)?.as_str()?),
                        ),
                        other => self.resolve_getatt(i, other.as_str()?),
                    },
                    "Fn::Sub" => self.resolve_sub(i, inner.as_str()?),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    fn resolve_ref(&self, i: usize, name: &str) -> Option<String> {
        match name {
            "AWS::Region" => return Some(self.region.clone()),
            "AWS::AccountId" => return Some(self.account.clone()),
            "AWS::Partition" => return Some("aws".into()),
            "AWS::StackName" => return Some(self.prefix.clone()),
            "AWS::URLSuffix" => return Some("amazonaws.com".into()),
            _ => {}
        }
        if let Some(res) = self.stacks[i].resource(name) {
            // As in CloudFormation, a state machine's Ref is its ARN.
            if Self::resource_type(res) == "AWS::Serverless::StateMachine" {
                return self.resolve_getatt(i, &format!("{name}.Arn"));
            }
            // An alias's Ref is its name.
            if Self::resource_type(res) == "AWS::KMS::Alias" {
                return Self::field(res, "Properties")
                    .and_then(|p| Self::field(p, "AliasName"))
                    .and_then(|v| self.resolve_in(i, v));
            }
            return Some(self.local_name(name));
        }
        self.parameter(i, name)
    }

    fn resolve_getatt(&self, i: usize, path: &str) -> Option<String> {
        let (id, attr) = path.split_once('.')?;
        let res = self.stacks[i].resource(id)?;
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
            ("AWS::KMS::Key", "Arn") => format!("arn:aws:kms:{r}:{a}:key/{name}"),
            ("AWS::Serverless::Function", "Arn") => {
                format!("arn:aws:lambda:{r}:{a}:function:{name}")
            }
            _ => return None,
        })
    }

    fn resolve_sub(&self, i: usize, s: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = s;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let end = rest[start..].find('}')? + start;
            let name = &rest[start + 2..end];
            let value = if name.contains('.') {
                self.resolve_getatt(i, name)?
            } else {
                self.resolve_ref(i, name)?
            };
            out.push_str(&value);
            rest = &rest[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// Every stack's functions: (stack index, logical id, resource).
    fn all_functions(&self) -> Vec<(usize, String, &Value)> {
        self.stacks
            .iter()
            .enumerate()
            .flat_map(|(i, s)| {
                s.resources()
                    .into_iter()
                    .filter(|(_, v)| Self::resource_type(v) == "AWS::Serverless::Function")
                    .map(move |(id, v)| (i, id, v))
            })
            .collect()
    }

    fn use_case_of(f: &Value) -> Option<String> {
        let vars = get(get(get(f, "Properties")?, "Environment")?, "Variables")?;
        get(vars, "LOKET_USE_CASE").and_then(text)
    }

    fn events_of(f: &Value) -> Vec<(&str, &Value)> {
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

    /// `Globals.Function.Environment.Variables` of every stack, resolved to local
    /// values (the first stack that sets a variable gives its value; the declarations
    /// test checks that the context stacks agree).
    pub fn globals_environment(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for i in 0..self.stacks.len() {
            for (k, v) in self.globals_environment_of(i) {
                if !out.iter().any(|(ok, _)| *ok == k) {
                    out.push((k, v));
                }
            }
        }
        out
    }

    /// One stack's `Globals.Function.Environment.Variables`, resolved (stack by name).
    pub fn stack_globals_environment(&self, stack: &str) -> Vec<(String, String)> {
        self.stacks
            .iter()
            .position(|s| s.name == stack)
            .map(|i| self.globals_environment_of(i))
            .unwrap_or_default()
    }

    fn globals_environment_of(&self, i: usize) -> Vec<(String, String)> {
        let vars = get(&self.stacks[i].doc, "Globals")
            .and_then(|g| get(g, "Function"))
            .and_then(|f| get(f, "Environment"))
            .and_then(|e| get(e, "Variables"));
        mapping_entries(vars)
            .into_iter()
            .filter_map(|(k, v)| Some((k, self.resolve_in(i, v)?)))
            .collect()
    }

    /// Every function's `LOKET_USE_CASE` (for the route coverage test).
    pub fn use_cases(&self) -> Vec<(String, String)> {
        self.all_functions()
            .into_iter()
            .filter_map(|(_, id, f)| Some((id, Self::use_case_of(f)?)))
            .collect()
    }

    /// Every function with its policy (for the declarations test).
    pub fn functions(&self) -> Vec<Function> {
        self.all_functions()
            .into_iter()
            .map(|(i, id, f)| Function {
                stack: self.stacks[i].name.clone(),
                use_case: Self::use_case_of(f),
                binary: get(f, "Metadata")
                    .and_then(|m| get(m, "BuildProperties"))
                    .and_then(|b| get(b, "Binary"))
                    .and_then(text),
                grants: self.grants_of(i, f),
                logical_id: id,
            })
            .collect()
    }

    fn grants_of(&self, i: usize, f: &Value) -> Vec<(String, String)> {
        let unsupported = |p: &Value| {
            (
                "<unsupported policy>".to_string(),
                serde_yaml::to_string(p)
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            )
        };
        let mut out = Vec::new();
        let policies = get(f, "Properties").and_then(|p| get(p, "Policies"));
        for policy in one_or_many(policies) {
            let Some(statements) = get(policy, "Statement") else {
                out.push(unsupported(policy));
                continue;
            };
            for st in one_or_many(Some(statements)) {
                if get(st, "Effect").and_then(|e| e.as_str()) != Some("Allow") {
                    out.push(unsupported(st));
                    continue;
                }
                for action in one_or_many(get(st, "Action")).into_iter().filter_map(text) {
                    for res in one_or_many(get(st, "Resource")) {
                        let resource = self
                            .resolve_in(i, res)
                            .unwrap_or_else(|| format!("<unresolved {res:?}>"));
                        out.push((action.clone(), resource));
                    }
                }
            }
        }
        out
    }

    /// Every HTTP route: the API's `AWS::ApiGatewayV2::Route` resources (the nested
    /// stacks' way: route → integration → function) and SAM `HttpApi` events.
    pub fn http_routes(&self) -> Vec<HttpRoute> {
        let mut out = Vec::new();
        for (i, stack) in self.stacks.iter().enumerate() {
            for (_, route) in stack.resources() {
                if Self::resource_type(route) != "AWS::ApiGatewayV2::Route" {
                    continue;
                }
                let Some(found) = self.route_target(i, route) else {
                    continue;
                };
                out.push(found);
            }
        }
        for (_, id, f) in self.all_functions() {
            let Some(uc) = Self::use_case_of(f) else {
                continue;
            };
            for (ty, props) in Self::events_of(f) {
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

    /// A route resource's method, path and the function behind its integration.
    fn route_target(&self, i: usize, route: &Value) -> Option<HttpRoute> {
        let stack = &self.stacks[i];
        let props = get(route, "Properties")?;
        let key = get(props, "RouteKey").and_then(text)?;
        let (method, path) = key.split_once(' ')?;
        let integration = referenced_id(get(props, "Target")?)?;
        let uri = get(
            get(stack.resource(&integration)?, "Properties")?,
            "IntegrationUri",
        )?;
        let function = referenced_id(uri)?;
        let use_case = Self::use_case_of(stack.resource(&function)?)?;
        Some(HttpRoute {
            method: method.to_uppercase(),
            path: path.to_string(),
            use_case,
            function,
        })
    }

    /// What would keep an API route from reaching its function once deployed (the
    /// local runner does not need these links): a route whose target is not an
    /// integration of this stack, an integration that is not a Lambda proxy (payload
    /// 2.0) to a function of this stack, or a function without the permission that
    /// lets the API invoke it on exactly that route.
    pub fn route_problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for (i, stack) in self.stacks.iter().enumerate() {
            let resources = stack.resources();
            for (id, route) in &resources {
                if Self::resource_type(route) != "AWS::ApiGatewayV2::Route" {
                    continue;
                }
                let at = format!("{} {id}", stack.name);
                let props = get(route, "Properties");
                let key = props.and_then(|p| get(p, "RouteKey")).and_then(text);
                let Some((method, path)) = key.as_deref().and_then(|k| k.split_once(' ')) else {
                    problems.push(format!("{at}: RouteKey is not \"METHOD /path\""));
                    continue;
                };
                let target = props.and_then(|p| get(p, "Target"));
                let integration = target
                    .filter(|t| {
                        self.resolve_in(i, t)
                            .is_some_and(|r| r.starts_with("integrations/"))
                    })
                    .and_then(referenced_id)
                    .and_then(|iid| Some((stack.resource(&iid)?, iid)));
                let Some((integration, iid)) = integration else {
                    problems.push(format!(
                        "{at}: Target is not integrations/${{<an integration of this stack>}}"
                    ));
                    continue;
                };
                let iprops = get(integration, "Properties");
                let field = |k: &str| iprops.and_then(|p| get(p, k)).and_then(text);
                if Self::resource_type(integration) != "AWS::ApiGatewayV2::Integration"
                    || field("IntegrationType").as_deref() != Some("AWS_PROXY")
                    || field("PayloadFormatVersion").as_deref() != Some("2.0")
                {
                    problems.push(format!(
                        "{at}: {iid} must be an AWS::ApiGatewayV2::Integration, AWS_PROXY, payload 2.0"
                    ));
                }
                let function = iprops
                    .and_then(|p| get(p, "IntegrationUri"))
                    .and_then(referenced_id)
                    .filter(|f| {
                        stack.resource(f).map(Self::resource_type)
                            == Some("AWS::Serverless::Function")
                    });
                let Some(function) = function else {
                    problems.push(format!(
                        "{at}: {iid}'s IntegrationUri is not !GetAtt <a function of this stack>.Arn"
                    ));
                    continue;
                };
                let arn_path = path
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { "*" } else { seg })
                    .collect::<Vec<_>>()
                    .join("/");
                let api = props
                    .and_then(|p| get(p, "ApiId"))
                    .and_then(|a| self.resolve_in(i, a))
                    .unwrap_or_default();
                let wanted = format!(
                    "arn:aws:execute-api:{}:{}:{api}/*/{method}{arn_path}",
                    self.region, self.account
                );
                let permitted = resources.iter().any(|(_, p)| {
                    let pp = get(p, "Properties");
                    let f = |k: &str| pp.and_then(|pp| get(pp, k));
                    Self::resource_type(p) == "AWS::Lambda::Permission"
                        && f("FunctionName").and_then(referenced_id).as_deref()
                            == Some(function.as_str())
                        && f("Action").and_then(|a| a.as_str()) == Some("lambda:InvokeFunction")
                        && f("Principal").and_then(|a| a.as_str())
                            == Some("apigateway.amazonaws.com")
                        && f("SourceArn")
                            .and_then(|s| self.resolve_in(i, s))
                            .as_deref()
                            == Some(wanted.as_str())
                });
                if !permitted {
                    problems.push(format!(
                        "{at}: no AWS::Lambda::Permission lets the API invoke {function} on \
                         {method} {path} (SourceArn ...:${{HttpApi}}/*/{method}{arn_path})"
                    ));
                }
            }
        }
        problems
    }

    pub fn stream_sources(&self) -> Vec<StreamSource> {
        let mut out = Vec::new();
        for (_, id, f) in self.all_functions() {
            let Some(uc) = Self::use_case_of(f) else {
                continue;
            };
            for (ty, props) in Self::events_of(f) {
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
        for (_, id, f) in self.all_functions() {
            let Some(uc) = Self::use_case_of(f) else {
                continue;
            };
            for (ty, props) in Self::events_of(f) {
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

    /// The root stack's state machines.
    pub fn state_machines(&self) -> Vec<StateMachineDef> {
        let mut out = Vec::new();
        for id in self.logical_ids_of("AWS::Serverless::StateMachine") {
            let Some(props) = self.resource(&id).and_then(|r| get(r, "Properties")) else {
                continue;
            };
            let Some(uri) = get(props, "DefinitionUri").and_then(text) else {
                continue;
            };
            let substitutions = mapping_entries(get(props, "DefinitionSubstitutions"))
                .into_iter()
                .filter_map(|(k, v)| Some((k, self.resolve(v)?)))
                .collect();
            out.push(StateMachineDef {
                logical_id: id,
                definition_path: self.root().dir().join(uri),
                substitutions,
            });
        }
        out
    }

    /// The properties of the root stack's one resource of a type (the table, the
    /// bucket…).
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

    #[test]
    fn nested_stacks_see_what_the_root_passes_and_their_routes_reach_functions() {
        let dir = std::env::temp_dir().join(format!("loket-tpl-nested-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("stacks")).unwrap();
        std::fs::write(
            dir.join("root.yaml"),
            "Parameters:\n  Secret:\n    Type: String\nResources:\n  Table:\n    Type: AWS::DynamoDB::Table\n  Api:\n    Type: AWS::ApiGatewayV2::Api\n  Ctx:\n    Type: AWS::Serverless::Application\n    Properties:\n      Location: stacks/ctx.yaml\n      Parameters:\n        TableArn: !GetAtt Table.Arn\n        HttpApi: !Ref Api\n        Secret: !Ref Secret\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("stacks/ctx.yaml"),
            r#"Parameters:
  TableArn: {Type: String}
  HttpApi: {Type: String}
  Secret: {Type: String}
Resources:
  GetFunction:
    Type: AWS::Serverless::Function
    Properties:
      Environment: {Variables: {LOKET_USE_CASE: get_thing}}
      Policies:
        - Statement:
            - Effect: Allow
              Action: [dynamodb:GetItem, dynamodb:Query]
              Resource: !Ref TableArn
            - Effect: Allow
              Action: dynamodb:Query
              Resource: !Sub "${TableArn}/index/*"
        - AWSLambdaBasicExecutionRole
  GetRoute:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref HttpApi
      RouteKey: GET /things/{id}
      Target: !Sub "integrations/${GetIntegration}"
  GetIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref HttpApi
      IntegrationType: AWS_PROXY
      IntegrationUri: !GetAtt GetFunction.Arn
      PayloadFormatVersion: "2.0"
  GetPermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref GetFunction
      Principal: apigateway.amazonaws.com
      SourceArn: !Sub "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${HttpApi}/*/GET/things/*"
"#,
        )
        .unwrap();
        let t = Template::load(&dir.join("root.yaml"), "px", "us-east-1").unwrap();
        assert_eq!(t.stacks().len(), 2);
        let routes = t.http_routes();
        assert_eq!(
            routes,
            [HttpRoute {
                method: "GET".into(),
                path: "/things/{id}".into(),
                use_case: "get_thing".into(),
                function: "GetFunction".into(),
            }]
        );
        assert_eq!(t.route_problems(), Vec::<String>::new());
        let f = &t.functions()[0];
        let table = "arn:aws:dynamodb:us-east-1:123456789012:table/px-table";
        assert_eq!(f.stack, "ctx");
        assert_eq!(
            f.grants[0],
            ("dynamodb:GetItem".to_string(), table.to_string())
        );
        assert_eq!(f.grants[2].1, format!("{table}/index/*"));
        assert_eq!(f.grants[3].0, "<unsupported policy>");
    }
}
