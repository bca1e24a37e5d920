//! The provision ledger's pages (the agency's, provided and received; the case's, for its
//! lead), the 地域連携会議実施加算 list, and the ledger as CSV for the office's files (UTF-8
//! with BOM, CRLF, dates as 2026/04/01). The CSV is self-contained: rows in, bytes out.

use super::{Choice, Errors, Layout};
use crate::db::additions::RegionalMeeting;
use crate::db::ledger::LedgerRow;
use crate::domain::dates::slash;
use crate::domain::regional::{Counts, Presenter, PER_MONTH, PER_YEAR};
use crate::i18n::Tr;
use askama::Template;
use chrono_tz::Asia::Tokyo;
use uuid::Uuid;

/// One row in the reader's words.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    pub kind: String,
    pub provided_on: String,
    /// the last day, for a month's entries that ran over more than one day
    pub last_on: Option<String>,
    pub count: i32,
    pub provider: String,
    pub provider_address: String,
    pub receiver: String,
    pub receiver_address: String,
    pub case_id: Uuid,
    pub person: String,
    pub categories: String,
    pub consent: String,
    /// how the provider obtained what it provided (what the receiver records, 第30条)
    pub obtained: String,
}

impl LedgerLine {
    pub fn new(tr: Tr, r: &LedgerRow) -> Self {
        let sep = tr.t("list-separator");
        let consent = r
            .consent_on
            .iter()
            .zip(&r.consent_by)
            .zip(&r.consent_method)
            .map(|((on, by), how)| {
                tr.targs(
                    "ledger-consent-line",
                    &[
                        ("on", &slash(*on)),
                        ("by", &tr.t(format!("consent-giver-{by}"))),
                        ("how", &tr.t(format!("consent-method-{how}"))),
                    ],
                )
            })
            .collect::<Vec<_>>()
            .join(&sep);
        LedgerLine {
            kind: tr.t(format!("ledger-kind-{}", r.kind)),
            provided_on: slash(r.provided_on),
            last_on: (r.last_on != r.provided_on).then(|| slash(r.last_on)),
            count: r.count,
            provider: r.provider_name.clone(),
            provider_address: r.provider_address.clone(),
            receiver: r.receiver_name.clone(),
            receiver_address: r.receiver_address.clone(),
            case_id: r.case_id,
            person: r.person.clone(),
            categories: r
                .categories
                .iter()
                .map(|c| tr.t(format!("category-{c}")))
                .collect::<Vec<_>>()
                .join(&sep),
            consent,
            obtained: tr.t(format!("ledger-obtained-{}", r.kind)),
        }
    }
}

/// The agency's ledger: what it provided and what it received, of a month or all.
#[derive(Template)]
#[template(path = "ledger/agency.html")]
pub struct AgencyLedgerPage {
    pub layout: Layout,
    pub agency_name: String,
    pub month: String,
    pub errors: Errors,
    /// None when the page shows the other side alone (following its link to older rows)
    pub provided: Option<LedgerSection>,
    pub received: Option<LedgerSection>,
    pub csv_provided: String,
    pub csv_received: String,
    pub xlsx_provided: String,
    pub xlsx_received: String,
}

/// A page of one list of the ledger, newest first.
#[derive(Debug, Clone, Default)]
pub struct LedgerSection {
    pub lines: Vec<LedgerLine>,
    /// the link to the next (older) rows, when there are more
    pub more: Option<String>,
    /// the page starts after older rows than the newest (a link was followed)
    pub continued: bool,
}

/// The case's ledger, for its lead: every provision of the person's information.
#[derive(Template)]
#[template(path = "ledger/case.html")]
pub struct CaseLedgerPage {
    pub layout: Layout,
    pub case_id: Uuid,
    pub name: String,
    pub month: String,
    pub errors: Errors,
    pub section: LedgerSection,
    pub csv: String,
    pub xlsx: String,
}

/// The query string of a month filter: `month` as `parse_month` read it (2026-04), or ""
/// for all months.
pub fn month_query(month: Option<chrono::NaiveDate>) -> String {
    month
        .map(|m| format!("?month={}", m.format("%Y-%m")))
        .unwrap_or_default()
}

/// One meeting that counts for 地域連携会議実施加算, in words.
#[derive(Debug, Clone)]
pub struct RegionalLine {
    pub meeting_id: Uuid,
    pub case_id: Uuid,
    pub person: String,
    pub on: String,
    pub presenter: String,
    pub addition: String,
    pub outside: String,
}

impl RegionalLine {
    pub fn new(tr: Tr, m: &RegionalMeeting) -> Self {
        let presenter = Presenter::parse(&m.presenter);
        RegionalLine {
            meeting_id: m.meeting_id,
            case_id: m.case_id,
            person: m.person.clone(),
            on: slash(m.starts_at.with_timezone(&Tokyo).date_naive()),
            presenter: presenter.map(|p| tr.t(p.label_key())).unwrap_or_default(),
            addition: presenter
                .map(|p| tr.t(p.addition_key()))
                .unwrap_or_default(),
            outside: m.outside.join(&tr.t("list-separator")),
        }
    }
}

/// The case's count against the limits, for the plans page.
#[derive(Debug, Clone)]
pub struct RegionalSummary {
    pub count: String,
    pub month_full: bool,
    pub over: bool,
    /// each meeting in words
    pub lines: Vec<(Uuid, String)>,
}

impl RegionalSummary {
    pub fn new(tr: Tr, counts: Counts, lines: Vec<RegionalLine>) -> Self {
        RegionalSummary {
            count: tr.targs(
                "regional-case-count",
                &[
                    ("month", &counts.month),
                    ("per_month", &PER_MONTH),
                    ("year", &counts.year),
                    ("per_year", &PER_YEAR),
                ],
            ),
            month_full: counts.month_full(),
            over: counts.over(),
            lines: lines
                .iter()
                .map(|l| {
                    (
                        l.meeting_id,
                        tr.targs(
                            "regional-line",
                            &[
                                ("on", &l.on),
                                ("addition", &l.addition),
                                ("presenter", &l.presenter),
                                ("outside", &l.outside),
                            ],
                        ),
                    )
                })
                .collect(),
        }
    }
}

/// The agency's monthly list of meetings that count for 地域連携会議実施加算.
#[derive(Template)]
#[template(path = "ledger/regional.html")]
pub struct RegionalPage {
    pub layout: Layout,
    pub agency_name: String,
    pub month: String,
    pub month_label: String,
    pub errors: Errors,
    pub lines: Vec<RegionalLine>,
}

/// The presenter choices of a meeting on the support plan.
pub fn presenter_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    Presenter::ALL
        .iter()
        .map(|p| Choice::new(p.as_str(), tr.t(p.label_key()), selected))
        .collect()
}
