//! SPEC §3's rules in SQL, each written once. Every read, list, count and derived page that
//! touches case data includes the rule that governs it; their Rust twins (for the property
//! test) are in `policy`.

use std::sync::LazyLock;

/// `today` in SQL: the calendar day in Tokyo.
pub const TODAY: &str = "(now() AT TIME ZONE 'Asia/Tokyo')::date";

/// A live consent of case `case` covers `category` for `agency`: not revoked, given, not expired
/// (Tokyo calendar days). The only place the rule is written.
pub fn live_consent(case: &str, agency: &str, category: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM consent k WHERE {})",
        live_consent_where(case, agency, category)
    )
}

/// The live consent of `live_consent` itself (its id, the latest given), for a record that
/// states the consent it relied on; NULL when there is none.
pub fn live_consent_id(case: &str, agency: &str, category: &str) -> String {
    format!(
        "(SELECT k.id FROM consent k WHERE {}
          ORDER BY k.given_on DESC, k.id LIMIT 1)",
        live_consent_where(case, agency, category)
    )
}

fn live_consent_where(case: &str, agency: &str, category: &str) -> String {
    format!(
        "k.case_id = {case} AND k.agency_id = {agency}
                   AND {category} = ANY (k.categories) AND {}",
        consent_is_live("k")
    )
}

/// The consent row `k` is live today: not revoked, given, not expired (Tokyo calendar days).
/// `live_consent` is this rule over one case, agency and category; the provision ledger reads
/// the live rows themselves (the consent relied on).
pub fn consent_is_live(k: &str) -> String {
    format!(
        "({k}.revoked_at IS NULL AND {k}.given_on <= {TODAY}
          AND ({k}.valid_until IS NULL OR {k}.valid_until >= {TODAY}))"
    )
}

/// The lead agency of case `case`, or an agency with a live consent for `category`: who reads
/// the person's contact details (`'contact'`), notes (`'life'`) and daily reports (`'health'`).
pub fn lead_or_consented(case: &str, agency: &str, category: &str) -> String {
    format!(
        "(EXISTS (SELECT 1 FROM case_file lc WHERE lc.id = {case} AND lc.lead_agency_id = {agency})
          OR {})",
        live_consent(case, agency, category)
    )
}

/// A record of the case written at instant `written` by `author` with category `category`,
/// shared with `shared` (an uuid[] expression, or None when a consent alone decides, as for
/// pre-referral notes), is seen by `agency` when the agency is or was on the team (up to the day
/// it left), and it wrote the record, or the record is shared with it and a live consent covers
/// its category (`case_admin` needs none).
pub fn record_visible(
    case: &str,
    agency: &str,
    author: &str,
    category: &str,
    written: &str,
    shared: Option<&str>,
) -> String {
    let shared = shared
        .map(|s| format!("{agency} = ANY ({s}) AND "))
        .unwrap_or_default();
    format!(
        "(EXISTS (SELECT 1 FROM case_agency ca
                  WHERE ca.case_id = {case} AND ca.agency_id = {agency}
                    AND (ca.left_on IS NULL
                         OR ({written} AT TIME ZONE 'Asia/Tokyo')::date <= ca.left_on))
          AND ({author} = {agency}
               OR ({shared}({category} = 'case_admin' OR {consent}))))",
        consent = live_consent(case, agency, category)
    )
}

/// True when the entry `e` may be seen by the agency `agency` (an SQL expression). Its Rust
/// twin is `policy::entry_visible`.
pub fn entry_visible_for(agency: &str) -> String {
    record_visible(
        "e.case_id",
        agency,
        "e.author_agency_id",
        "e.category",
        "e.created_at",
        Some("e.shared_with"),
    )
}

/// True when the entry `e` may be seen by the agency bound as `$1`.
pub static ENTRY_VISIBLE: LazyLock<String> = LazyLock::new(|| entry_visible_for("$1"));

/// The day the agency `$1` left the team of the entry `e`'s case (NULL while on it): an agency
/// that left reads each entry as it stood on that day.
pub const ENTRY_LEFT_ON: &str =
    "(SELECT lo.left_on FROM case_agency lo WHERE lo.case_id = e.case_id AND lo.agency_id = $1)";

/// A pre-referral note `n` is seen by its author's agency and by the team agencies (up to the
/// day they left) with a live consent for its category.
pub static NOTE_VISIBLE: LazyLock<String> = LazyLock::new(|| {
    record_visible(
        "n.case_id",
        "$1",
        "n.author_agency_id",
        "n.category",
        "n.written_at",
        None,
    )
});

/// Daily reports of case `case` are health information: the agency (`$1`) reads them while on
/// the team and the lead, or with a live `health` consent.
pub fn daily_visible(case: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM case_agency ca WHERE ca.case_id = {case} AND ca.agency_id = $1
                   AND ca.left_on IS NULL)
         AND {}",
        lead_or_consented(case, "$1", "'health'")
    )
}

/// Who reads a meeting `m` in full: the convening agency and the invited agencies (`agency`).
pub fn meeting_reader(agency: &str) -> String {
    format!(
        "(m.convener_agency_id = {agency}
          OR EXISTS (SELECT 1 FROM meeting_invitee i
                     WHERE i.meeting_id = m.id AND i.agency_id = {agency}))"
    )
}

/// Who reads a referral `r`: the sender, and the receiver once it was sent (`agency`).
pub fn referral_reader(agency: &str) -> String {
    format!("(r.from_agency_id = {agency} OR (r.to_agency_id = {agency} AND r.state <> 'draft'))")
}

/// An action item `x` is read by its owner agency and by the readers of the meeting that
/// decided it (`agency`).
pub fn action_visible(agency: &str) -> String {
    format!(
        "(x.owner_agency_id = {agency}
          OR EXISTS (SELECT 1 FROM meeting m WHERE m.id = x.meeting_id AND {}))",
        meeting_reader(agency)
    )
}

/// The convener's own text in a meeting's material (`m`, category `m.material_category`, None:
/// the convening agency only) is read by the convening agency, and by an invited agency when a
/// live consent covers the category (`case_admin` needs none).
pub fn material_text_visible(agency: &str) -> String {
    format!(
        "(m.convener_agency_id = {agency}
          OR (m.material_category IS NOT NULL
              AND (m.material_category = 'case_admin' OR {})))",
        live_consent("m.case_id", agency, "m.material_category")
    )
}

/// A support plan `p` is read by its own agency (`agency`), and by an agency it was delivered
/// to (the 相談支援事業所) while that agency is on the team (up to the day it left) and a live
/// consent covers the plan's category; that agency reads only the delivered version.
pub fn plan_visible(agency: &str) -> String {
    format!("(p.agency_id = {agency} OR {})", plan_delivered_to(agency))
}

/// The delivery `pd` of plan `p` to `agency` that the agency may read under the rule of
/// `plan_visible`.
pub fn plan_delivered_to(agency: &str) -> String {
    format!(
        "EXISTS (SELECT 1 FROM support_plan_delivery pd
                 JOIN case_agency ca ON ca.case_id = p.case_id AND ca.agency_id = pd.agency_id
                 WHERE pd.plan_id = p.id AND pd.agency_id = {agency}
                   AND (ca.left_on IS NULL OR pd.delivered_on <= ca.left_on)
                   AND {})",
        live_consent("p.case_id", agency, "p.category")
    )
}

/// A monthly support report `r` is read by the retention office that writes it (`agency`),
/// and — once issued — by the employer it was written for, while that employer is on the team
/// (or, after leaving, reports issued up to its last day) and a live consent covers `work` (the
/// category of what the report tells). To anyone else it does not exist.
pub fn report_visible(agency: &str) -> String {
    format!(
        "(r.agency_id = {agency}
          OR (r.employer_agency_id = {agency} AND r.issued_at IS NOT NULL
              AND EXISTS (SELECT 1 FROM case_agency ca
                          WHERE ca.case_id = r.case_id AND ca.agency_id = {agency}
                            AND (ca.left_on IS NULL OR r.issued_on <= ca.left_on))
              AND {}))",
        live_consent("r.case_id", agency, "'work'")
    )
}
