//! What a use case needs from AWS, declared once next to its name and route (see
//! `use_case!` and `event_use_case!`). The declaration is the function's contract:
//!
//! - its Lambda function builds only the SDK clients the needs imply
//!   ([`App::from_env_for`](crate::App::from_env_for));
//! - its IAM policy in the template grants exactly these actions on these resources
//!   (checked by `infra/local/tests/declarations.rs`, which names the use case that
//!   disagrees).
//!
//! Every function also reads the application secret at init ([`APP_SECRET`]): that
//! grant is implied, not declared by each use case.

/// One need of a use case: IAM actions on one kind of resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// DynamoDB actions on the items of the table (`dynamodb:GetItem`, …).
    Table(&'static [&'static str]),
    /// DynamoDB actions on the table's secondary indexes (`dynamodb:Query`).
    Indexes(&'static [&'static str]),
    /// S3 actions on the uploads bucket's objects under a key prefix (`"products/"`).
    Uploads(&'static str, &'static [&'static str]),
    /// Step Functions actions on state machines, named by their logical ids in
    /// `infra/template.yaml` (see [`WORKFLOW_MACHINES`]).
    StateMachines(&'static [&'static str], &'static [&'static str]),
    /// SES actions on the mail identity (`ses:SendEmail`).
    Mail(&'static [&'static str]),
    /// KMS actions on the permit signing key (`kms:Sign`, `kms:Verify`).
    SigningKey(&'static [&'static str]),
    /// Secrets Manager actions on the application secret; implied for every function
    /// (see [`APP_SECRET`]).
    AppSecret(&'static [&'static str]),
}

/// Every function reads the application secret (JWT keys, data key, pepper) at init.
pub const APP_SECRET: Need = Need::AppSecret(&["secretsmanager:GetSecretValue"]);

/// Every workflow's state machine: a task decision resumes, and a start record starts,
/// an execution of any of them.
pub const WORKFLOW_MACHINES: &[&str] = &[
    "EOrderOnboardingStateMachine",
    "JathilOnboardingStateMachine",
    "ProductListingStateMachine",
    "OrderLifecycleStateMachine",
    "OrderCancellationStateMachine",
    "PermitApplicationStateMachine",
    "ComplaintStateMachine",
];

/// An AWS SDK client a function may build.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Client {
    DynamoDb,
    S3,
    StepFunctions,
    Ses,
    Kms,
}

impl Client {
    pub fn name(self) -> &'static str {
        match self {
            Client::DynamoDb => "DynamoDB",
            Client::S3 => "S3",
            Client::StepFunctions => "Step Functions",
            Client::Ses => "SES",
            Client::Kms => "KMS",
        }
    }
}

impl Need {
    /// The SDK client this need is used through, if any (the secret is read through
    /// the Lambda extension or the environment, not an SDK client).
    pub fn client(&self) -> Option<Client> {
        match self {
            Need::Table(_) | Need::Indexes(_) => Some(Client::DynamoDb),
            Need::Uploads(..) => Some(Client::S3),
            Need::StateMachines(..) => Some(Client::StepFunctions),
            Need::Mail(_) => Some(Client::Ses),
            Need::SigningKey(_) => Some(Client::Kms),
            Need::AppSecret(_) => None,
        }
    }

    /// The IAM actions of this need.
    pub fn actions(&self) -> &'static [&'static str] {
        match *self {
            Need::Table(a)
            | Need::Indexes(a)
            | Need::Uploads(_, a)
            | Need::StateMachines(a, _)
            | Need::Mail(a)
            | Need::SigningKey(a)
            | Need::AppSecret(a) => a,
        }
    }
}

/// The needs of a use case as granted: its declared needs and the implied ones.
pub fn granted(declared: &[Need]) -> Vec<Need> {
    let mut all = declared.to_vec();
    all.push(APP_SECRET);
    all
}

/// True when the needs use `client`.
pub fn uses(needs: &[Need], client: Client) -> bool {
    needs.iter().any(|n| n.client() == Some(client))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_imply_their_clients() {
        let needs = [
            Need::Table(&["dynamodb:GetItem"]),
            Need::Uploads("products/", &["s3:GetObject"]),
        ];
        assert!(uses(&needs, Client::DynamoDb));
        assert!(uses(&needs, Client::S3));
        assert!(!uses(&needs, Client::StepFunctions));
        assert!(!uses(&needs, Client::Ses));
        assert_eq!(granted(&needs).last(), Some(&APP_SECRET));
    }
}
