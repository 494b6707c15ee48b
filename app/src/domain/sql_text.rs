//! The domain enums the database stores as TEXT (statuses, roles, policy types): their
//! `sqlx::Encode`/`Decode` are derived on each enum, with the same spellings as the CHECK
//! constraints of `migrations/`; their `sqlx::Type` is TEXT's own. (The derived `Type` with
//! `type_name = "text"` names the type instead, which costs every new connection a type lookup
//! query before its first bind.)

use sqlx::postgres::{PgHasArrayType, PgTypeInfo};
use sqlx::{Postgres, Type};

macro_rules! stored_as_text {
    ($($t:ty),* $(,)?) => {$(
        impl Type<Postgres> for $t {
            fn type_info() -> PgTypeInfo {
                <str as Type<Postgres>>::type_info()
            }

            fn compatible(ty: &PgTypeInfo) -> bool {
                <str as Type<Postgres>>::compatible(ty)
            }
        }

        impl PgHasArrayType for $t {
            fn array_type_info() -> PgTypeInfo {
                <&str as PgHasArrayType>::array_type_info()
            }
        }
    )*};
}

stored_as_text!(
    super::lifecycle::ApiStatus,
    super::lifecycle::PlanStatus,
    super::client::ClientStatus,
    super::catalog::ContractStatus,
    super::roles::Role,
    super::policy::PolicyType,
    super::openapi::DocFormat,
);

#[cfg(test)]
mod tests {
    use sqlx::Encode;
    use sqlx::postgres::PgArgumentBuffer;

    use super::super::catalog::ContractStatus;
    use super::super::client::ClientStatus;
    use super::super::lifecycle::{ApiStatus, PlanStatus};
    use super::super::policy::PolicyType;
    use super::super::roles::Role;
    use super::*;

    fn stored<T: for<'q> Encode<'q, Postgres>>(value: T) -> String {
        let mut buf = PgArgumentBuffer::default();
        let _ = value.encode_by_ref(&mut buf);
        String::from_utf8(buf.to_vec()).unwrap_or_default()
    }

    /// The values of the CHECK constraints in `migrations/`, and the apiman policy ids.
    #[test]
    fn enums_are_stored_with_the_spellings_of_the_migrations() {
        use ApiStatus::*;
        let api = [
            (Created, "Created"),
            (Ready, "Ready"),
            (Published, "Published"),
            (Retired, "Retired"),
        ];
        for (s, text) in api {
            assert_eq!(stored(s), text);
        }
        assert_eq!(stored(PlanStatus::Created), "Created");
        assert_eq!(stored(PlanStatus::Locked), "Locked");
        let client = [
            "Created",
            "Ready",
            "AwaitingApproval",
            "Registered",
            "Retired",
        ];
        for (s, text) in ClientStatus::ALL.into_iter().zip(client) {
            assert_eq!(stored(s), text);
            assert_eq!(stored(s), s.as_str());
        }
        assert_eq!(stored(ContractStatus::Active), "Active");
        assert_eq!(stored(ContractStatus::AwaitingApproval), "AwaitingApproval");
        let roles = ["owner", "api_developer", "client_developer", "viewer"];
        for (r, text) in Role::ALL.into_iter().zip(roles) {
            assert_eq!(stored(r), text);
            assert_eq!(stored(r), r.as_str());
        }
        for t in PolicyType::ALL {
            assert_eq!(stored(t), t.id());
        }
        use super::super::openapi::DocFormat;
        assert_eq!(stored(DocFormat::Json), "Json");
        assert_eq!(stored(DocFormat::Yaml), "Yaml");
    }
}
