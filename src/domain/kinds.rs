//! Agency kinds (SPEC §1) and the roles a membership can have.

/// A closed set of values stored as text: `as_str` for the database and forms, `parse` back.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value stored in the database and used in forms.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(AgencyKind {
    Clinic = "clinic",
    TransitionOffice = "transition_office",
    LivelihoodCenter = "livelihood_center",
    VocationalCenter = "vocational_center",
    RetentionOffice = "retention_office",
    ConsultationOffice = "consultation_office",
    HelloWork = "hello_work",
    Employer = "employer",
    Other = "other",
});

string_enum!(Role {
    Staff = "staff",
    Coordinator = "coordinator",
    AgencyAdmin = "agency_admin",
});

// The directory's codes (SPEC §9): the ages an agency serves, and the kinds of its open events
// (disabilities use `case::Disability`).
string_enum!(AgeBand {
    Teens = "teens",
    Twenties = "20s",
    Thirties = "30s",
    Forties = "40s",
    Fifties = "50s",
    SixtyPlus = "60plus",
});

string_enum!(EventKind {
    OpenHouse = "open_house",
    Trial = "trial",
    Talk = "talk",
    Other = "other",
});

impl AgencyKind {
    /// The catalog key of the kind's name.
    pub fn label_key(self) -> String {
        format!("kind-{}", self.as_str())
    }
}

impl Role {
    pub fn label_key(self) -> String {
        format!("role-{}", self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_text() {
        for k in AgencyKind::ALL {
            assert_eq!(AgencyKind::parse(k.as_str()), Some(*k));
        }
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(*r));
        }
        assert_eq!(AgencyKind::parse("hospital"), None);
        assert_eq!(Role::parse("admin"), None);
    }
}
