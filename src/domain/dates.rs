//! Dates as Japanese users read them: 2026/04/01, 2026年4月1日(水), times in JST, and the 和暦
//! with the Western year for printed documents (令和8年(2026年)4月1日).

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Asia::Tokyo;

/// Era start dates (the first day of each era) and names, newest first. Year 1 is 元年.
const ERAS: [(i32, u32, u32, &str); 4] = [
    (2019, 5, 1, "令和"),
    (1989, 1, 8, "平成"),
    (1926, 12, 25, "昭和"),
    (1912, 7, 30, "大正"),
];

/// The era name and year of a date, or None before 大正.
pub fn era(date: NaiveDate) -> Option<(&'static str, i32)> {
    ERAS.iter().find_map(|&(y, m, d, name)| {
        let start = NaiveDate::from_ymd_opt(y, m, d)?;
        (date >= start).then(|| (name, date.year() - y + 1))
    })
}

/// 令和8年(2026年)4月1日; 令和元年(2019年)5月1日.
pub fn wareki(date: NaiveDate) -> String {
    match era(date) {
        Some((name, year)) => {
            let y = if year == 1 {
                "元".to_string()
            } else {
                year.to_string()
            };
            format!(
                "{name}{y}年({}年){}月{}日",
                date.year(),
                date.month(),
                date.day()
            )
        }
        None => format!("{}年{}月{}日", date.year(), date.month(), date.day()),
    }
}

const WEEKDAYS_JA: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// 2026年4月1日(水)
pub fn long_ja(date: NaiveDate) -> String {
    format!(
        "{}年{}月{}日({})",
        date.year(),
        date.month(),
        date.day(),
        WEEKDAYS_JA[date.weekday().num_days_from_monday() as usize]
    )
}

const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// 1 April 2026, for English sentences.
pub fn western(date: NaiveDate) -> String {
    format!(
        "{} {} {}",
        date.day(),
        MONTHS_EN[date.month0() as usize],
        date.year()
    )
}

/// The calendar month that `month` falls in has ended by `today` (today is in a later month).
pub fn month_has_ended(month: NaiveDate, today: NaiveDate) -> bool {
    (today.year(), today.month()) > (month.year(), month.month())
}

/// Wed 1 Apr 2026: the Western way, for English readers.
pub fn long_en(date: NaiveDate) -> String {
    date.format("%a %-d %b %Y").to_string()
}

/// 2026/04/01
pub fn slash(date: NaiveDate) -> String {
    date.format("%Y/%m/%d").to_string()
}

/// 2026/04/01 09:30 in Tokyo time.
pub fn tokyo_datetime(at: DateTime<Utc>) -> String {
    at.with_timezone(&Tokyo)
        .format("%Y/%m/%d %H:%M")
        .to_string()
}

/// Today's date in Tokyo.
pub fn today_tokyo() -> NaiveDate {
    Utc::now().with_timezone(&Tokyo).date_naive()
}

/// The day `months` months after `date`, or that month's last day when it has no such day.
pub fn add_months_clamped(date: NaiveDate, months: i32) -> NaiveDate {
    let total = date.year() * 12 + date.month0() as i32 + months;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let last = last_day_of_month(year, month);
    // past the calendar's ends it stays at the end: arithmetic on dates never panics
    NaiveDate::from_ymd_opt(year, month, date.day().min(last)).unwrap_or(if months < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

pub fn last_day_of_month(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map(|d| d.day())
        // the calendar's last month: December has 31 days
        .unwrap_or(31)
}

/// The last day of a period of `months` months whose first day is `start` (民法143条): the day
/// before the corresponding day `months` later, or that month's last day when the month has no
/// corresponding day. 2025-04-01 + 6 → 2025-09-30; 2025-08-31 + 6 → 2026-02-28.
pub fn period_end(start: NaiveDate, months: i32) -> NaiveDate {
    let total = start.year() * 12 + start.month0() as i32 + months;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u32 + 1);
    let end = match NaiveDate::from_ymd_opt(year, month, start.day()) {
        Some(corresponding) => corresponding.pred_opt(),
        None => NaiveDate::from_ymd_opt(year, month, last_day_of_month(year, month)),
    };
    // past the calendar's ends it stays at the end: arithmetic on dates never panics
    end.unwrap_or(if months < 0 {
        NaiveDate::MIN
    } else {
        NaiveDate::MAX
    })
}

/// The earliest and the latest date any field accepts: a birth date, a consent, a service
/// start or a meeting outside them is a typing slip, and a five-digit year would overflow the
/// legal time line's arithmetic.
pub const FIRST_DATE: (i32, u32, u32) = (1900, 1, 1);
pub const LAST_DATE: (i32, u32, u32) = (2100, 12, 31);

/// Parses a date typed as 2026-04-01 or 2026/04/01 (full-width digits allowed), between
/// `FIRST_DATE` and `LAST_DATE`; anything else is not a date (the field says so).
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = crate::domain::text::nfkc(s).replace('/', "-");
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| in_range(*d))
}

/// Parses a month typed as 2026-04 or 2026/04 (as a `month` field sends it; full-width digits
/// allowed) into its first day, between `FIRST_DATE` and `LAST_DATE`.
pub fn parse_month(s: &str) -> Option<NaiveDate> {
    let s = crate::domain::text::nfkc(s).replace('/', "-");
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let (y, m) = (y.parse::<i32>().ok()?, m.parse::<u32>().ok()?);
    NaiveDate::from_ymd_opt(y, m, 1).filter(|d| in_range(*d))
}

/// The first day of the month of `d`.
pub fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("the first of a month exists")
}

/// Reads a date and time typed in Tokyo time ("2026-04-01T09:30", as a `datetime-local`
/// field sends it), on a day `parse_date` would accept.
pub fn parse_local_datetime(s: &str) -> Option<DateTime<Utc>> {
    use chrono::{NaiveDateTime, TimeZone};
    let s = crate::domain::text::nfkc(s);
    let naive = NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(&s, "%Y-%m-%d %H:%M"))
        .ok()
        .filter(|n| in_range(n.date()))?;
    Tokyo
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// Between `FIRST_DATE` and `LAST_DATE`.
pub fn in_range(d: NaiveDate) -> bool {
    let ymd = |(y, m, day): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, day).expect("valid");
    ymd(FIRST_DATE) <= d && d <= ymd(LAST_DATE)
}

/// An instant as Tokyo wall time to the minute (2026/04/01 13:30).
pub fn tokyo_minutes(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono_tz::Asia::Tokyo)
        .format("%Y/%m/%d %H:%M")
        .to_string()
}

/// Noon of a Tokyo calendar day: the instant given to things that happened "on a day".
pub fn tokyo_noon(d: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    tokyo_midnight(d) + chrono::Duration::hours(12)
}

/// The first instant of a Tokyo calendar day.
pub fn tokyo_midnight(d: NaiveDate) -> chrono::DateTime<chrono::Utc> {
    use chrono::TimeZone;
    chrono_tz::Asia::Tokyo
        .from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .single()
        .expect("Tokyo has no DST")
        .with_timezone(&chrono::Utc)
}

#[cfg(test)]
mod tests {
    #[test]
    fn months_typed_either_way_and_nothing_else() {
        let april = chrono::NaiveDate::from_ymd_opt(2026, 4, 1);
        assert_eq!(super::parse_month("2026-04"), april);
        assert_eq!(super::parse_month("2026/4"), april);
        assert_eq!(super::parse_month("２０２６－０４"), april);
        assert_eq!(super::parse_month(" 2026-04 "), april);
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-00",
            "26-04",
            "2026-04-01",
            "abc",
            "3026-01",
        ] {
            assert_eq!(super::parse_month(bad), None, "{bad}");
        }
    }

    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_outside_the_range_are_not_dates() {
        for bad in [
            "20260-01-01",
            "99999-12-31",
            "1899-12-31",
            "2101-01-01",
            "0000-01-01",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("１９００／０１／０１"), Some(d(1900, 1, 1)));
        assert_eq!(parse_date(" 2100-12-31 "), Some(d(2100, 12, 31)));
    }

    #[test]
    fn arithmetic_at_the_ends_of_the_calendar_does_not_panic() {
        for day in [NaiveDate::MAX, NaiveDate::MIN, d(2100, 12, 31)] {
            for months in [-1200, -1, 0, 1, 6, 42, 1200] {
                let _ = add_months_clamped(day, months);
                let _ = period_end(day, months);
            }
            let _ = crate::domain::legal::transition(day);
            for kind in [
                crate::domain::legal::StartKind::Ordinary,
                crate::domain::legal::StartKind::HoursExtension,
                crate::domain::legal::StartKind::ReturnToWork,
            ] {
                let _ = crate::domain::legal::employment(kind, day, Some(day));
            }
            let _ = crate::domain::legal::service_end_schedule(day);
            let _ = crate::domain::legal::job_coach_phase_end(day);
        }
        assert_eq!(add_months_clamped(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    #[test]
    fn wareki_table() {
        let cases = [
            (d(2026, 4, 1), "令和8年(2026年)4月1日"),
            (d(2019, 5, 1), "令和元年(2019年)5月1日"),
            (d(2019, 4, 30), "平成31年(2019年)4月30日"),
            (d(1989, 1, 8), "平成元年(1989年)1月8日"),
            (d(1989, 1, 7), "昭和64年(1989年)1月7日"),
            (d(1980, 4, 1), "昭和55年(1980年)4月1日"),
            (d(1926, 12, 25), "昭和元年(1926年)12月25日"),
            (d(1926, 12, 24), "大正15年(1926年)12月24日"),
            (d(1912, 7, 30), "大正元年(1912年)7月30日"),
            (d(1912, 7, 29), "1912年7月29日"),
        ];
        for (date, want) in cases {
            assert_eq!(wareki(date), want);
        }
    }

    #[test]
    fn period_ends_by_the_civil_code() {
        let cases = [
            (d(2025, 4, 1), 6, d(2025, 9, 30)),
            (d(2025, 8, 31), 6, d(2026, 2, 28)),
            (d(2025, 4, 1), 42, d(2028, 9, 30)),
            (d(2025, 8, 31), 42, d(2029, 2, 28)),
            (d(2023, 8, 31), 6, d(2024, 2, 29)),
            (d(2024, 2, 29), 12, d(2025, 2, 28)),
            (d(2024, 2, 29), 48, d(2028, 2, 28)),
            (d(2025, 1, 31), 1, d(2025, 2, 28)),
            (d(2025, 3, 31), 1, d(2025, 4, 30)),
            (d(2025, 12, 15), 1, d(2026, 1, 14)),
            (d(2026, 1, 1), 24, d(2027, 12, 31)),
        ];
        for (start, months, want) in cases {
            assert_eq!(period_end(start, months), want, "{start} + {months}");
        }
    }

    #[test]
    fn months_clamped() {
        assert_eq!(add_months_clamped(d(2026, 3, 31), -1), d(2026, 2, 28));
        assert_eq!(add_months_clamped(d(2028, 8, 31), -6), d(2028, 2, 29));
        assert_eq!(add_months_clamped(d(2026, 1, 15), -13), d(2024, 12, 15));
    }

    #[test]
    fn western_formats() {
        assert_eq!(long_ja(d(2026, 4, 1)), "2026年4月1日(水)");
        assert_eq!(slash(d(2026, 4, 1)), "2026/04/01");
        let at = DateTime::parse_from_rfc3339("2026-03-31T15:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(tokyo_datetime(at), "2026/04/01 00:30");
    }

    #[test]
    fn western_dates_and_ended_months() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(western(d(2027, 3, 31)), "31 March 2027");
        assert_eq!(western(d(2028, 2, 29)), "29 February 2028");
        assert!(!month_has_ended(d(2026, 12, 1), d(2026, 12, 31)));
        assert!(!month_has_ended(d(2026, 12, 1), d(2026, 12, 1)));
        assert!(month_has_ended(d(2026, 11, 1), d(2026, 12, 1)));
        assert!(month_has_ended(d(2025, 12, 1), d(2026, 1, 1)));
    }
}
