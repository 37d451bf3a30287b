//! Creates, in the emulator, what the root template (`infra/template.yaml`) declares:
//! the table (keys, GSIs, stream, TTL), the uploads bucket, the SES identity and every
//! state machine (its ASL file with the template's `DefinitionSubstitutions` applied).
//! Idempotent.

use crate::template::{substitute, Template};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};
use serde_yaml::Value;

type Result<T> = std::result::Result<T, String>;

fn seq(v: Option<&Value>) -> Vec<&Value> {
    v.and_then(|x| x.as_sequence())
        .map(|s| s.iter().collect())
        .unwrap_or_default()
}

fn str_of<'a>(v: &'a Value, k: &str) -> &'a str {
    Template::field(v, k)
        .and_then(|x| x.as_str())
        .unwrap_or_default()
}

fn key_schema(v: Option<&Value>) -> Result<Vec<KeySchemaElement>> {
    seq(v)
        .into_iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(str_of(k, "AttributeName"))
                .key_type(KeyType::from(str_of(k, "KeyType")))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect()
}

/// Creates the table and returns its local name.
pub async fn table(t: &Template, ddb: &aws_sdk_dynamodb::Client) -> Result<String> {
    let (id, props) = t
        .single("AWS::DynamoDB::Table")
        .ok_or("the template declares no DynamoDB table")?;
    let name = t.local_name(&id);
    let attrs = seq(Template::field(props, "AttributeDefinitions"))
        .into_iter()
        .map(|a| {
            AttributeDefinition::builder()
                .attribute_name(str_of(a, "AttributeName"))
                .attribute_type(ScalarAttributeType::from(str_of(a, "AttributeType")))
                .build()
                .map_err(|e| e.to_string())
        })
        .collect::<Result<Vec<_>>>()?;
    let mut gsis = Vec::new();
    for g in seq(Template::field(props, "GlobalSecondaryIndexes")) {
        let projection = Template::field(g, "Projection")
            .map(|p| str_of(p, "ProjectionType"))
            .unwrap_or("ALL");
        gsis.push(
            GlobalSecondaryIndex::builder()
                .index_name(str_of(g, "IndexName"))
                .set_key_schema(Some(key_schema(Template::field(g, "KeySchema"))?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::from(projection))
                        .build(),
                )
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    let mut req = ddb
        .create_table()
        .table_name(&name)
        .set_attribute_definitions(Some(attrs))
        .set_key_schema(Some(key_schema(Template::field(props, "KeySchema"))?))
        .billing_mode(BillingMode::PayPerRequest);
    if !gsis.is_empty() {
        req = req.set_global_secondary_indexes(Some(gsis));
    }
    if let Some(stream) = Template::field(props, "StreamSpecification") {
        req = req.stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(str_of(stream, "StreamViewType")))
                .build()
                .map_err(|e| e.to_string())?,
        );
    }
    match req.send().await {
        Ok(_) => {}
        Err(e) if format!("{e:?}").contains("ResourceInUse") => return Ok(name),
        Err(e) => {
            return Err(format!(
                "create table {name}: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(e)
            ))
        }
    }
    if let Some(ttl) = Template::field(props, "TimeToLiveSpecification") {
        ddb.update_time_to_live()
            .table_name(&name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(str_of(ttl, "AttributeName"))
                    .enabled(true)
                    .build()
                    .map_err(|e| e.to_string())?,
            )
            .send()
            .await
            .map_err(|e| format!("ttl: {}", aws_sdk_dynamodb::error::DisplayErrorContext(e)))?;
    }
    Ok(name)
}

pub async fn bucket(t: &Template, s3: &aws_sdk_s3::Client) -> Result<Option<String>> {
    let Some((id, _)) = t.single("AWS::S3::Bucket") else {
        return Ok(None);
    };
    let name = t.local_name(&id);
    match s3.create_bucket().bucket(&name).send().await {
        Ok(_) => Ok(Some(name)),
        Err(e) if format!("{e:?}").contains("BucketAlready") => Ok(Some(name)),
        Err(e) => Err(format!(
            "create bucket {name}: {}",
            aws_sdk_s3::error::DisplayErrorContext(e)
        )),
    }
}

pub async fn email_identity(t: &Template, ses: &aws_sdk_sesv2::Client) -> Result<Option<String>> {
    let Some((_, props)) = t.single("AWS::SES::EmailIdentity") else {
        return Ok(None);
    };
    let identity = Template::field(props, "EmailIdentity")
        .and_then(|v| t.resolve(v))
        .ok_or("EmailIdentity does not resolve")?;
    match ses
        .create_email_identity()
        .email_identity(&identity)
        .send()
        .await
    {
        Ok(_) => Ok(Some(identity)),
        Err(e) if format!("{e:?}").contains("AlreadyExists") => Ok(Some(identity)),
        Err(e) => Err(format!(
            "email identity {identity}: {}",
            aws_sdk_sesv2::error::DisplayErrorContext(e)
        )),
    }
}

/// Creates each KMS key the template names through an alias (`AWS::KMS::Alias`): a key
/// of the target's `KeySpec` and `KeyUsage`, then the alias. Idempotent: an existing
/// alias keeps its key (signatures made earlier stay verifiable).
pub async fn signing_keys(t: &Template, kms: &aws_sdk_kms::Client) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for id in t.logical_ids_of("AWS::KMS::Alias") {
        let alias = t
            .resolve(&serde_yaml::from_str(&format!("!Ref {id}")).map_err(|e| e.to_string())?)
            .ok_or_else(|| format!("{id}: AliasName does not resolve"))?;
        let props = t
            .resource(&id)
            .and_then(|r| Template::field(r, "Properties"))
            .ok_or_else(|| format!("{id} has no properties"))?;
        let target_ref = Template::field(props, "TargetKeyId").and_then(|v| t.resolve(v));
        let target = t
            .logical_ids_of("AWS::KMS::Key")
            .into_iter()
            .find(|k| {
                serde_yaml::from_str::<Value>(&format!("!Ref {k}"))
                    .ok()
                    .and_then(|v| t.resolve(&v))
                    == target_ref
            })
            .ok_or_else(|| format!("{id}: TargetKeyId must be a !Ref of a key"))?;
        let target = target.as_str();
        let key_props = t
            .resource(target)
            .and_then(|r| Template::field(r, "Properties"))
            .ok_or_else(|| format!("{target} has no properties"))?;
        let existing = kms.describe_key().key_id(&alias).send().await;
        if existing.is_ok() {
            out.push(alias);
            continue;
        }
        let key = kms
            .create_key()
            .key_spec(aws_sdk_kms::types::KeySpec::from(str_of(
                key_props, "KeySpec",
            )))
            .key_usage(aws_sdk_kms::types::KeyUsageType::from(str_of(
                key_props, "KeyUsage",
            )))
            .description(str_of(key_props, "Description"))
            .send()
            .await
            .map_err(|e| {
                format!(
                    "create key {target}: {}",
                    aws_sdk_kms::error::DisplayErrorContext(e)
                )
            })?;
        let key_id = key
            .key_metadata
            .map(|m| m.key_id)
            .ok_or_else(|| format!("create key {target}: no key id"))?;
        match kms
            .create_alias()
            .alias_name(&alias)
            .target_key_id(&key_id)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if format!("{e:?}").contains("AlreadyExists") => {}
            Err(e) => {
                return Err(format!(
                    "create alias {alias}: {}",
                    aws_sdk_kms::error::DisplayErrorContext(e)
                ))
            }
        }
        out.push(alias);
    }
    Ok(out)
}

/// Creates every state machine; returns (logical id, ARN). moto must have Step Functions
/// execution enabled before this (see `moto::enable_step_functions`).
pub async fn state_machines(
    t: &Template,
    sfn: &aws_sdk_sfn::Client,
) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for sm in t.state_machines() {
        let raw = std::fs::read_to_string(&sm.definition_path)
            .map_err(|e| format!("{}: {e}", sm.definition_path.display()))?;
        let definition = substitute(&raw, &sm.substitutions);
        serde_json::from_str::<serde_json::Value>(&definition)
            .map_err(|e| format!("{} after substitution: {e}", sm.definition_path.display()))?;
        let name = t.local_name(&sm.logical_id);
        let res = sfn
            .create_state_machine()
            .name(&name)
            .definition(definition)
            .role_arn("arn:aws:iam::123456789012:role/loket-local")
            .send()
            .await;
        let arn = match res {
            Ok(o) => o.state_machine_arn,
            Err(e) if format!("{e:?}").contains("AlreadyExists") => {
                format!("arn:aws:states:us-east-1:123456789012:stateMachine:{name}")
            }
            Err(e) => {
                return Err(format!(
                    "state machine {name}: {}",
                    aws_sdk_sfn::error::DisplayErrorContext(e)
                ))
            }
        };
        out.push((sm.logical_id, arn));
    }
    Ok(out)
}
