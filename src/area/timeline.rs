//! The timeline as a page shows it: one page of a case's entries with their replies, for the
//! scope that opened the case, and what of it the reader had not read (marked read by the
//! page's view record).

use crate::access::CaseScope;
use crate::db::{
    self,
    entries::{TimeCursor, TimelineFilter},
};
use crate::domain::case::Category;
use crate::domain::dates::{parse_date, parse_local_datetime};
use crate::domain::entry::{ContactChannel, ContactWith, EntryFields, EntryKind};
use crate::domain::text;
use crate::i18n::Tr;
use crate::views::timeline::{EntryForm, EntryView, FilterForm, Timeline};
use crate::views::{Choice, Errors};
use chrono::{DateTime, Utc};
use chrono_tz::Asia::Tokyo;
use serde::Deserialize;
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

pub const PER_PAGE: i64 = 50;

/// The query string of a timeline page: filters and where the page starts.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TimelineQuery {
    kind: String,
    agency: String,
    from: String,
    to: String,
    q: String,
    /// microseconds since the epoch and id of the last entry of the previous page
    before_at: Option<i64>,
    before_id: Option<Uuid>,
}

impl TimelineQuery {
    /// The page's filters as another reader of the timeline (the JSON API) states them, and
    /// where the page starts: after the entry `before` (occurred at, id), in the page's order.
    pub fn new(filter: FilterForm, before: Option<TimeCursor>) -> TimelineQuery {
        TimelineQuery {
            kind: filter.kind,
            agency: filter.agency,
            from: filter.from,
            to: filter.to,
            q: filter.q,
            before_at: before.as_ref().map(|c| c.occurred_at.timestamp_micros()),
            before_id: before.map(|c| c.id),
        }
    }

    pub fn form(&self) -> FilterForm {
        FilterForm {
            kind: self.kind.clone(),
            agency: self.agency.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            q: self.q.clone(),
        }
    }

    /// Filters that do not parse are ignored (the form shows what was typed).
    fn filter(&self) -> TimelineFilter {
        TimelineFilter {
            kind: EntryKind::parse(&self.kind).map(|k| k.as_str().to_string()),
            agency: Uuid::parse_str(&self.agency).ok(),
            from: parse_date(&self.from).map(crate::domain::dates::tokyo_midnight),
            to: parse_date(&self.to)
                .and_then(|d| d.succ_opt())
                .map(crate::domain::dates::tokyo_midnight),
            text: text::nfkc(&self.q),
        }
    }

    fn cursor(&self) -> Option<TimeCursor> {
        // a cursor outside the dates Renkei keeps is no cursor (the first page)
        let at = DateTime::from_timestamp_micros(self.before_at?)
            .filter(|t| crate::domain::dates::in_range(t.date_naive()))?;
        Some(TimeCursor {
            occurred_at: at,
            id: self.before_id?,
        })
    }
}

fn older_link(form: &FilterForm, last: &EntryView) -> String {
    let enc = |s: &str| {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect::<String>()
    };
    format!(
        "kind={}&agency={}&from={}&to={}&q={}&before_at={}&before_id={}",
        enc(&form.kind),
        enc(&form.agency),
        enc(&form.from),
        enc(&form.to),
        enc(&form.q),
        last.row.occurred_at.timestamp_micros(),
        last.row.id
    )
}

fn kind_choices(tr: Tr, selected: &str) -> Vec<Choice> {
    EntryKind::ALL
        .iter()
        .map(|k| Choice::new(k.as_str(), tr.t(k.label_key()), selected))
        .collect()
}

/// A timeline page as read: the case's header and team, the page, and the ids of what it shows
/// that the reader had not read — the caller marks them read with the view's audit row
/// (`Who::viewed`).
pub struct TimelineRead {
    pub header: db::cases::CaseHeader,
    pub team: Vec<db::cases::TeamRow>,
    pub timeline: Timeline,
    pub unread: Vec<Uuid>,
}

/// One page of the timeline with the replies to its entries and the case's header and team, in
/// one statement. None for an agency that was never on the team.
pub async fn load_timeline(
    conn: &mut PgConnection,
    tr: Tr,
    case: &CaseScope,
    query: &TimelineQuery,
) -> sqlx::Result<Option<TimelineRead>> {
    let Some(read) =
        db::entries::page(conn, case, &query.filter(), query.cursor(), PER_PAGE + 1).await?
    else {
        return Ok(None);
    };
    let (header, team, mut rows, mut replies) =
        (read.header, read.team, read.entries, read.replies);
    let more = rows.len() as i64 > PER_PAGE;
    rows.truncate(PER_PAGE as usize);
    // the one row past the page only says there is more: its replies are not shown
    replies.retain(|r| r.reply_to.is_some_and(|p| rows.iter().any(|e| e.id == p)));
    let unread = unread(&rows, &replies);
    let entries = group_replies(case, &team, rows, replies);
    let form = query.form();
    let older = if more {
        entries.last().map(|last| older_link(&form, last))
    } else {
        None
    };
    let timeline = Timeline {
        case_id: case.case_id(),
        entries,
        older,
        kinds: kind_choices(tr, &form.kind),
        agencies: team
            .iter()
            .map(|m| Choice::new(&m.agency_id.to_string(), m.name.clone(), &form.agency))
            .collect(),
        filter: form,
        can_write: case.access().can_write(),
        writable: EntryKind::WRITABLE
            .iter()
            .map(|k| (k.as_str(), tr.t(format!("entry-write-{}", k.as_str()))))
            .collect(),
    };
    Ok(Some(TimelineRead {
        header,
        team,
        timeline,
        unread,
    }))
}

pub fn entry_view(case: &CaseScope, row: db::entries::EntryRow) -> EntryView {
    let fields = EntryFields::from_json(&row.fields);
    let writable = case.access().can_write();
    EntryView {
        // the author, acting as the agency they wrote as
        can_edit: writable
            && row.author_user_id == case.user_id()
            && row.author_agency_id == case.actor().agency_id()
            && row.reply_to.is_none(),
        can_reply: writable
            && row.kind == EntryKind::Observation.as_str()
            && row.reply_to.is_none()
            && row.author_agency_id != case.actor().agency_id(),
        fields,
        replies: vec![],
        row,
    }
}

/// The shown entries and replies not read yet: only they are marked, so a page seen before
/// writes nothing.
pub fn unread(rows: &[db::entries::EntryRow], replies: &[db::entries::EntryRow]) -> Vec<Uuid> {
    rows.iter()
        .chain(replies)
        .filter(|r| !r.read)
        .map(|r| r.id)
        .collect()
}

/// Puts the names of the agencies an entry is shared with on it, from the case's team (every
/// agency an entry can be shared with is or was on the team), sorted as the team list is not.
fn name_shares(row: &mut db::entries::EntryRow, team: &[db::cases::TeamRow]) {
    row.shared_names = team
        .iter()
        .filter(|m| row.shared_with.contains(&m.agency_id))
        .map(|m| m.name.clone())
        .collect();
    row.shared_names.sort();
}

pub fn group_replies(
    case: &CaseScope,
    team: &[db::cases::TeamRow],
    mut rows: Vec<db::entries::EntryRow>,
    replies: Vec<db::entries::EntryRow>,
) -> Vec<EntryView> {
    for row in rows.iter_mut() {
        name_shares(row, team);
    }
    let mut by_parent: HashMap<Uuid, Vec<_>> = HashMap::new();
    for mut r in replies {
        name_shares(&mut r, team);
        if let Some(parent) = r.reply_to {
            let fields = EntryFields::from_json(&r.fields);
            by_parent.entry(parent).or_default().push((r, fields));
        }
    }
    rows.into_iter()
        .map(|row| {
            let id = row.id;
            let mut view = entry_view(case, row);
            view.replies = by_parent.remove(&id).unwrap_or_default();
            view
        })
        .collect()
}

/// The longest body of an entry, and of one of its other text fields.
pub const TEXT_MAX: usize = 20_000;
pub const FIELD_MAX: usize = 2_000;

/// The checked form: what to store, or the messages by the fields.
pub struct CheckedEntry {
    pub kind: EntryKind,
    pub category: Category,
    pub occurred_at: DateTime<Utc>,
    pub fields: EntryFields,
    pub shared_with: Vec<Uuid>,
}

pub fn check_entry(
    tr: Tr,
    form: &EntryForm,
    team: &[db::cases::TeamRow],
    own_agency: Uuid,
    errors: &mut Errors,
) -> Option<CheckedEntry> {
    let kind = EntryKind::parse(&form.kind).filter(|k| EntryKind::WRITABLE.contains(k));
    if kind.is_none() {
        errors.add("kind", tr.t("entry-kind-choose"));
    }
    let category = Category::parse(&form.category);
    if category.is_none() {
        errors.add("category", tr.t("error-choose"));
    }
    let occurred_at = if form.occurred_at.trim().is_empty() {
        Some(Utc::now())
    } else {
        parse_local_datetime(&form.occurred_at)
    };
    match occurred_at {
        None => errors.add("occurred_at", tr.t("error-datetime")),
        Some(t) if t > Utc::now() + chrono::Duration::minutes(5) => {
            errors.add("occurred_at", tr.t("error-date-future"))
        }
        Some(_) => {}
    }
    errors.required(tr, "body", &form.body, TEXT_MAX);
    let mut fields = EntryFields::default();
    match kind {
        Some(EntryKind::Observation) => {
            errors.max_chars(tr, "situation", &form.situation, FIELD_MAX);
            errors.max_chars(tr, "handling", &form.handling, FIELD_MAX);
            fields.situation = Some(form.situation.trim().to_string()).filter(|s| !s.is_empty());
            fields.handling = Some(form.handling.trim().to_string()).filter(|s| !s.is_empty());
            fields.resolved = Some(form.resolved);
        }
        Some(EntryKind::Contact) => {
            match ContactChannel::parse(&form.channel) {
                Some(c) => fields.channel = Some(c.as_str().into()),
                None => errors.add("channel", tr.t("error-choose")),
            }
            match ContactWith::parse(&form.with_whom) {
                Some(w) => fields.with_whom = Some(w.as_str().into()),
                None => errors.add("with_whom", tr.t("error-choose")),
            }
            if !form.next_visit.trim().is_empty() {
                match parse_date(&form.next_visit) {
                    None => errors.add("next_visit", tr.t("error-date")),
                    Some(d)
                        if occurred_at
                            .is_some_and(|t| d < t.with_timezone(&Tokyo).date_naive()) =>
                    {
                        errors.add("next_visit", tr.t("entry-next-visit-past"))
                    }
                    Some(d) => fields.next_visit = Some(d),
                }
            }
        }
        _ => {}
    }
    if form.report && matches!(kind, Some(EntryKind::Progress) | Some(EntryKind::Contact)) {
        fields.report = Some(true);
    }
    let mut shared_with = vec![];
    for s in &form.shared_with {
        match Uuid::parse_str(s).ok().filter(|id| {
            team.iter()
                .any(|m| m.agency_id == *id && m.left_on.is_none())
        }) {
            Some(id) if id != own_agency => shared_with.push(id),
            Some(_) => {} // the author's own agency always sees its entries
            None => errors.add("share", tr.t("entry-share-off-team")),
        }
    }
    shared_with.sort();
    shared_with.dedup();
    if !errors.is_empty() {
        return None;
    }
    Some(CheckedEntry {
        kind: kind?,
        category: category?,
        occurred_at: occurred_at?,
        fields,
        shared_with,
    })
}

/// One batch of the timeline for an export, newest first: the page's query (its filters, its
/// keyset, the entry rule), each entry with the replies the agency may see, nothing marked
/// read (a download is not reading). The cursor of the next batch, or None after the last.
pub async fn export_batch(
    conn: &mut PgConnection,
    case: &CaseScope,
    team: &[db::cases::TeamRow],
    query: &TimelineQuery,
    before: Option<TimeCursor>,
    limit: i64,
) -> sqlx::Result<(Vec<EntryView>, Option<TimeCursor>)> {
    let Some(read) = db::entries::page(conn, case, &query.filter(), before, limit).await? else {
        return Ok((vec![], None));
    };
    let next = if read.entries.len() as i64 == limit {
        read.entries.last().map(|r| TimeCursor {
            occurred_at: r.occurred_at,
            id: r.id,
        })
    } else {
        None
    };
    Ok((group_replies(case, team, read.entries, read.replies), next))
}
