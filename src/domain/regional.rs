//! 地域連携会議実施加算, pure: which addition a meeting on the support plan earns (who presented
//! the plan), and how many such meetings a case has had this month and this year against the
//! limits (once a month, four a year). The year is the fiscal year (年度, from 1 April), the
//! year the welfare service's fees are counted in.

use chrono::{Datelike, NaiveDate};

/// At most one meeting a month counts…
pub const PER_MONTH: usize = 1;
/// …and four a year.
pub const PER_YEAR: usize = 4;

/// Who presented the plan: the サービス管理責任者 → (Ⅰ), other staff reporting back → (Ⅱ).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presenter {
    Manager,
    Staff,
}

impl Presenter {
    pub const ALL: [Presenter; 2] = [Presenter::Manager, Presenter::Staff];
    pub fn as_str(self) -> &'static str {
        match self {
            Presenter::Manager => "manager",
            Presenter::Staff => "staff",
        }
    }
    pub fn parse(s: &str) -> Option<Presenter> {
        Presenter::ALL.into_iter().find(|p| p.as_str() == s)
    }
    /// The catalog key of who presented.
    pub fn label_key(self) -> String {
        format!("regional-presenter-{}", self.as_str())
    }
    /// The catalog key of the addition it earns: (Ⅰ) or (Ⅱ).
    pub fn addition_key(self) -> &'static str {
        match self {
            Presenter::Manager => "regional-addition-1",
            Presenter::Staff => "regional-addition-2",
        }
    }
}

/// The first day of the fiscal year (年度) `d` falls in.
pub fn fiscal_year_start(d: NaiveDate) -> NaiveDate {
    let year = if d.month() >= 4 {
        d.year()
    } else {
        d.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 4, 1).expect("1 April exists")
}

/// How many meetings (their Tokyo days) fall in `today`'s month and in its fiscal year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub month: usize,
    pub year: usize,
}

impl Counts {
    pub fn of(days: &[NaiveDate], today: NaiveDate) -> Counts {
        let fy = fiscal_year_start(today);
        let next_fy = NaiveDate::from_ymd_opt(fy.year() + 1, 4, 1).expect("1 April exists");
        Counts {
            month: days
                .iter()
                .filter(|d| d.year() == today.year() && d.month() == today.month())
                .count(),
            year: days.iter().filter(|d| **d >= fy && **d < next_fy).count(),
        }
    }
    /// This month's meeting would not be paid: the month's one, or the year's four, are used.
    pub fn month_full(self) -> bool {
        self.month >= PER_MONTH || self.year >= PER_YEAR
    }
    /// More meetings were held than the limits pay for.
    pub fn over(self) -> bool {
        self.month > PER_MONTH || self.year > PER_YEAR
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_fiscal_year_starts_in_april() {
        assert_eq!(fiscal_year_start(d(2026, 4, 1)), d(2026, 4, 1));
        assert_eq!(fiscal_year_start(d(2026, 3, 31)), d(2025, 4, 1));
        assert_eq!(fiscal_year_start(d(2027, 1, 15)), d(2026, 4, 1));
    }

    #[test]
    fn counts_this_month_and_this_fiscal_year() {
        let days = [
            d(2026, 3, 31),
            d(2026, 4, 1),
            d(2026, 6, 30),
            d(2026, 7, 1),
            d(2026, 7, 31),
            d(2027, 3, 31),
            d(2027, 4, 1),
        ];
        let c = Counts::of(&days, d(2026, 7, 15));
        assert_eq!(c, Counts { month: 2, year: 5 });
        assert!(c.over() && c.month_full());
        let c = Counts::of(&days, d(2026, 5, 2));
        assert_eq!(c, Counts { month: 0, year: 5 });
        assert!(c.month_full(), "the year's four are used");
        let c = Counts::of(&days[..2], d(2026, 5, 2));
        assert_eq!(c, Counts { month: 0, year: 1 });
        assert!(!c.month_full() && !c.over());
    }

    #[test]
    fn presenters_read_back_and_earn_their_addition() {
        for p in Presenter::ALL {
            assert_eq!(Presenter::parse(p.as_str()), Some(p));
        }
        assert_eq!(Presenter::parse(""), None);
        assert_eq!(Presenter::parse("boss"), None);
        assert_eq!(Presenter::Manager.addition_key(), "regional-addition-1");
    }
}
