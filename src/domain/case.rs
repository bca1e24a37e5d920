//! Cases, phases, information categories and consent terms (SPEC §2, §3).

use super::dates::period_end;
use chrono::NaiveDate;

string_enum!(Phase {
    Intake = "intake",
    Referred = "referred",
    Training = "training",
    Employed = "employed",
    Retention = "retention",
    FollowUp = "follow_up",
    Closed = "closed",
});

string_enum!(
    /// Information categories a consent covers and an entry belongs to.
    Category {
    Health = "health",
    Assessment = "assessment",
    Training = "training",
    Work = "work",
    Life = "life",
    Contact = "contact",
});

string_enum!(Disability {
    BrainInjury = "brain_injury",
    Mental = "mental",
    Developmental = "developmental",
    Intellectual = "intellectual",
    Physical = "physical",
    Intractable = "intractable",
    Other = "other",
});

string_enum!(ConsentGiver {
    Person = "person",
    Family = "family",
    Employer = "employer",
});

string_enum!(ConsentMethod {
    Written = "written",
    Oral = "oral",
});

string_enum!(
    /// How long a consent runs.
    ConsentTerm {
    OneYear = "1y",
    TwoYears = "2y",
    Until = "date",
    Indefinite = "indefinite",
});

impl ConsentTerm {
    /// The last day the consent is valid (None: indefinite). A term of n years counts the day
    /// it was given as day 1 and ends by 民法143条; `until` is the date chosen for `Until`.
    pub fn valid_until(self, given_on: NaiveDate, until: Option<NaiveDate>) -> Option<NaiveDate> {
        match self {
            ConsentTerm::OneYear => Some(period_end(given_on, 12)),
            ConsentTerm::TwoYears => Some(period_end(given_on, 24)),
            ConsentTerm::Until => until,
            ConsentTerm::Indefinite => None,
        }
    }
}

macro_rules! label_keys {
    ($($t:ty => $prefix:literal),+) => {$(
        impl $t {
            pub fn label_key(self) -> String {
                format!(concat!($prefix, "-{}"), self.as_str())
            }
        }
    )+};
}

label_keys!(
    Phase => "phase",
    Category => "category",
    Disability => "disability",
    ConsentGiver => "consent-giver",
    ConsentMethod => "consent-method",
    ConsentTerm => "consent-term"
);

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn consent_terms() {
        let cases = [
            (ConsentTerm::OneYear, d(2026, 4, 1), Some(d(2027, 3, 31))),
            (ConsentTerm::OneYear, d(2024, 2, 29), Some(d(2025, 2, 28))),
            (ConsentTerm::TwoYears, d(2026, 1, 31), Some(d(2028, 1, 30))),
            (ConsentTerm::Indefinite, d(2026, 1, 31), None),
        ];
        for (term, given, want) in cases {
            assert_eq!(term.valid_until(given, None), want, "{term:?} {given}");
        }
        assert_eq!(
            ConsentTerm::Until.valid_until(d(2026, 1, 1), Some(d(2026, 6, 30))),
            Some(d(2026, 6, 30))
        );
    }
}
