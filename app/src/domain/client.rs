//! Client versions: their status, what may be done in each, and the rules for contracts.

use serde::{Deserialize, Serialize};

use super::lifecycle::{ApiStatus, PlanStatus};

#[cfg_attr(feature = "ssr", derive(sqlx::Encode, sqlx::Decode))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClientStatus {
    Created,
    Ready,
    AwaitingApproval,
    Registered,
    Retired,
}

impl ClientStatus {
    pub const ALL: [ClientStatus; 5] = [
        ClientStatus::Created,
        ClientStatus::Ready,
        ClientStatus::AwaitingApproval,
        ClientStatus::Registered,
        ClientStatus::Retired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Created => "Created",
            ClientStatus::Ready => "Ready",
            ClientStatus::AwaitingApproval => "AwaitingApproval",
            ClientStatus::Registered => "Registered",
            ClientStatus::Retired => "Retired",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ClientStatus::AwaitingApproval => "Awaiting Approval",
            other => other.as_str(),
        }
    }
}

/// What the status of a client version follows from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ClientFacts {
    pub contracts: usize,
    pub awaiting_approval: usize,
    pub registered: bool,
    pub retired: bool,
}

/// The one place that decides a client version's status.
pub fn client_status(f: ClientFacts) -> ClientStatus {
    if f.retired {
        ClientStatus::Retired
    } else if f.registered {
        ClientStatus::Registered
    } else if f.contracts == 0 {
        ClientStatus::Created
    } else if f.awaiting_approval > 0 {
        ClientStatus::AwaitingApproval
    } else {
        ClientStatus::Ready
    }
}

/// Register (first time) and Re-Register (after a change) are the same action.
pub fn can_register(status: ClientStatus, changed: bool, awaiting: usize) -> Result<(), String> {
    match status {
        ClientStatus::Ready => Ok(()),
        ClientStatus::Registered if changed && awaiting == 0 => Ok(()),
        ClientStatus::Registered if changed => Err(
            "Some contracts of this client still await approval: re-register once they are approved."
                .into(),
        ),
        ClientStatus::Registered => {
            Err("This client version is registered and unchanged since.".into())
        }
        ClientStatus::Created => {
            Err("A client needs at least one contract before it can be registered.".into())
        }
        ClientStatus::AwaitingApproval => Err(
            "This client waits for the approval of a contract: it can be registered once approved."
                .into(),
        ),
        ClientStatus::Retired => Err("A retired client version cannot be registered again.".into()),
    }
}

pub fn can_retire(status: ClientStatus) -> Result<(), String> {
    match status {
        ClientStatus::Registered => Ok(()),
        _ => Err("Only a registered client version can be retired.".into()),
    }
}

pub fn can_delete(status: ClientStatus) -> Result<(), String> {
    match status {
        ClientStatus::Registered => {
            Err("A registered client cannot be deleted: retire it first.".into())
        }
        _ => Ok(()),
    }
}

/// Like apiman, the key of a registered client stays fixed: the gateway identifies it by it.
pub fn can_regenerate_key(status: ClientStatus) -> Result<(), String> {
    match status {
        ClientStatus::Registered => Err(
            "Regenerate replaces the key of a client that is not registered yet: use Rotate, which keeps the old key valid for a grace period."
                .into(),
        ),
        ClientStatus::Retired => Err("A retired client version keeps its key.".into()),
        _ => Ok(()),
    }
}

/// Contracts and client policies may change until the client is retired.
pub fn can_change(status: ClientStatus) -> Result<(), String> {
    match status {
        ClientStatus::Retired => {
            Err("This client version is retired and cannot be changed.".into())
        }
        _ => Ok(()),
    }
}

/// What a new contract is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContractFacts {
    pub client: ClientStatus,
    pub api: ApiStatus,
    pub api_public: bool,
    /// `Some(requires_approval)` when the API version offers the plan version.
    pub plan_offered: Option<bool>,
    pub plan: PlanStatus,
    pub duplicate: bool,
}

/// Checks a new contract; `Ok(true)` when it needs approval by a plan editor.
pub fn check_contract(f: ContractFacts) -> Result<bool, String> {
    can_change(f.client)?;
    if f.api_public {
        return Err("This API is public: it needs no contract.".into());
    }
    if f.api != ApiStatus::Published {
        return Err("Contracts can only be made with a published API.".into());
    }
    let Some(requires_approval) = f.plan_offered else {
        return Err("This API version does not offer that plan.".into());
    };
    if f.plan != PlanStatus::Locked {
        return Err("That plan version is not locked.".into());
    }
    if f.duplicate {
        return Err("This client version already has a contract with this API version.".into());
    }
    Ok(requires_approval)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ClientStatus::*;

    #[test]
    fn status_over_all_combinations() {
        for contracts in 0..3 {
            for awaiting in 0..=contracts {
                for registered in [false, true] {
                    for retired in [false, true] {
                        let f = ClientFacts {
                            contracts,
                            awaiting_approval: awaiting,
                            registered,
                            retired,
                        };
                        let expected = if retired {
                            Retired
                        } else if registered {
                            Registered
                        } else if contracts == 0 {
                            Created
                        } else if awaiting > 0 {
                            AwaitingApproval
                        } else {
                            Ready
                        };
                        assert_eq!(client_status(f), expected, "{f:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn register_and_re_register() {
        assert!(can_register(Ready, false, 0).is_ok());
        assert!(can_register(Registered, true, 0).is_ok());
        assert!(can_register(Registered, false, 0).is_err());
        assert!(
            can_register(Registered, true, 1)
                .unwrap_err()
                .contains("approval")
        );
        assert!(
            can_register(Created, false, 0)
                .unwrap_err()
                .contains("contract")
        );
        assert!(can_register(AwaitingApproval, false, 1).is_err());
        assert!(can_register(Retired, true, 0).is_err());
    }

    #[test]
    fn retire_delete_regenerate_change() {
        for s in ClientStatus::ALL {
            assert_eq!(can_retire(s).is_ok(), s == Registered, "{s:?}");
            assert_eq!(can_delete(s).is_ok(), s != Registered, "{s:?}");
            assert_eq!(
                can_regenerate_key(s).is_ok(),
                !matches!(s, Registered | Retired),
                "{s:?}"
            );
            assert_eq!(can_change(s).is_ok(), s != Retired, "{s:?}");
        }
    }

    fn facts() -> ContractFacts {
        ContractFacts {
            client: Ready,
            api: ApiStatus::Published,
            api_public: false,
            plan_offered: Some(false),
            plan: PlanStatus::Locked,
            duplicate: false,
        }
    }

    #[test]
    fn contracts_need_a_published_private_api_an_offered_locked_plan_and_no_twin() {
        assert_eq!(check_contract(facts()), Ok(false));
        assert_eq!(
            check_contract(ContractFacts {
                plan_offered: Some(true),
                ..facts()
            }),
            Ok(true)
        );
        let refusals = [
            (
                ContractFacts {
                    api_public: true,
                    ..facts()
                },
                "public",
            ),
            (
                ContractFacts {
                    api: ApiStatus::Ready,
                    ..facts()
                },
                "published",
            ),
            (
                ContractFacts {
                    api: ApiStatus::Retired,
                    ..facts()
                },
                "published",
            ),
            (
                ContractFacts {
                    plan_offered: None,
                    ..facts()
                },
                "does not offer",
            ),
            (
                ContractFacts {
                    plan: PlanStatus::Created,
                    ..facts()
                },
                "not locked",
            ),
            (
                ContractFacts {
                    duplicate: true,
                    ..facts()
                },
                "already has",
            ),
            (
                ContractFacts {
                    client: Retired,
                    ..facts()
                },
                "retired",
            ),
        ];
        for (f, word) in refusals {
            let message = check_contract(f).unwrap_err();
            assert!(message.contains(word), "{f:?}: {message}");
        }
    }

    #[test]
    fn statuses_round_trip() {
        for s in ClientStatus::ALL {
            let text = serde_json::Value::String(s.as_str().into());
            assert_eq!(serde_json::from_value::<ClientStatus>(text).ok(), Some(s));
        }
        assert_eq!(AwaitingApproval.label(), "Awaiting Approval");
    }
}
