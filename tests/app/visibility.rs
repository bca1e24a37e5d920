//! SPEC §3's entry rule, three ways: a small reference model written straight from the spec,
//! the pure policy (`policy::entry_visible`), and the SQL predicate (`db::entries::VISIBLE`) on
//! a real database. Random teams, consents, revocations, expiries and departures; zero
//! mismatches allowed.

use chrono::{Duration, NaiveDate};
use renkei::domain::dates::today_tokyo;
use renkei::policy::{entry_visible, ConsentFacts, EntryFacts};
use sqlx::PgPool;
use uuid::Uuid;

const CATEGORIES: [&str; 7] = [
    "health",
    "assessment",
    "training",
    "work",
    "life",
    "contact",
    "case_admin",
];
const CONSENT_CATEGORIES: [&str; 6] = [
    "health",
    "assessment",
    "training",
    "work",
    "life",
    "contact",
];

/// xorshift64*: a fixed seed gives the same scenarios every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
}

#[derive(Debug, Clone)]
struct Member {
    agency: usize,
    left_on: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
struct Consent {
    agency: usize,
    categories: Vec<&'static str>,
    given_on: NaiveDate,
    until: Option<NaiveDate>,
    revoked: bool,
}

#[derive(Debug, Clone)]
struct Entry {
    author: usize,
    category: &'static str,
    shared_with: Vec<usize>,
    written_on: NaiveDate,
    /// seconds after midnight, Tokyo
    second_of_day: u32,
}

#[derive(Debug, Clone)]
struct Scenario {
    team: Vec<Member>,
    consents: Vec<Consent>,
    entries: Vec<Entry>,
}

const AGENCIES: usize = 4;

fn scenario(rng: &mut Rng, today: NaiveDate) -> Scenario {
    let day = |rng: &mut Rng, lo: i64, hi: i64| today + Duration::days(rng.range(lo, hi));
    let mut team: Vec<Member> = (0..AGENCIES)
        .filter(|_| rng.chance(70))
        .map(|agency| Member {
            agency,
            left_on: None,
        })
        .collect();
    if team.is_empty() {
        team.push(Member {
            agency: 0,
            left_on: None,
        });
    }
    for m in team.iter_mut() {
        if rng.chance(25) {
            m.left_on = Some(day(rng, -10, 0));
        }
    }
    let consents = (0..rng.below(5))
        .map(|_| {
            let given_on = day(rng, -30, 1);
            Consent {
                agency: rng.below(AGENCIES as u64) as usize,
                categories: CONSENT_CATEGORIES
                    .iter()
                    .copied()
                    .filter(|_| rng.chance(50))
                    .collect(),
                given_on,
                // a consent cannot end before it was given (a CHECK in the database too)
                until: if rng.chance(30) {
                    None
                } else {
                    Some(day(rng, -5, 5).max(given_on))
                },
                revoked: rng.chance(20),
            }
        })
        .filter(|c| !c.categories.is_empty())
        .collect();
    let entries = (0..rng.range(1, 5))
        .map(|_| {
            let author = team[rng.below(team.len() as u64) as usize].agency;
            Entry {
                author,
                category: CATEGORIES[rng.below(CATEGORIES.len() as u64) as usize],
                shared_with: (0..AGENCIES).filter(|_| rng.chance(60)).collect(),
                written_on: day(rng, -15, 0),
                second_of_day: [30, 43_200, 86_370][rng.below(3) as usize],
            }
        })
        .collect();
    Scenario {
        team,
        consents,
        entries,
    }
}

/// SPEC §3 read literally.
fn model_sees(s: &Scenario, agency: usize, e: &Entry, today: NaiveDate) -> bool {
    let Some(member) = s.team.iter().find(|m| m.agency == agency) else {
        return false; // "An agency on the team sees…": off the team, nothing
    };
    if let Some(left) = member.left_on {
        if e.written_on > left {
            return false; // "it sees nothing written after that"
        }
    }
    if e.author == agency {
        return true; // "The author's own agency always sees its own entries"
    }
    let shared = e.shared_with.contains(&agency);
    let consented = e.category == "case_admin"
        || s.consents.iter().any(|c| {
            c.agency == agency
                && c.categories.contains(&e.category)
                && !c.revoked
                && c.given_on <= today
                && match c.until {
                    Some(u) => u >= today,
                    None => true,
                }
        });
    shared && consented
}

fn ids() -> Vec<Uuid> {
    (0..AGENCIES).map(|_| Uuid::now_v7()).collect()
}

fn policy_sees(
    s: &Scenario,
    agencies: &[Uuid],
    agency: usize,
    e: &Entry,
    today: NaiveDate,
) -> bool {
    let consents: Vec<ConsentFacts> = s
        .consents
        .iter()
        .map(|c| ConsentFacts {
            agency_id: agencies[c.agency],
            categories: c.categories.iter().map(|k| k.to_string()).collect(),
            given_on: c.given_on,
            valid_until: c.until,
            revoked: c.revoked,
        })
        .collect();
    let entry = EntryFacts {
        author_agency_id: agencies[e.author],
        category: e.category.to_string(),
        shared_with: e.shared_with.iter().map(|i| agencies[*i]).collect(),
        written_on: e.written_on,
    };
    let membership = s
        .team
        .iter()
        .find(|m| m.agency == agency)
        .map(|m| m.left_on);
    entry_visible(agencies[agency], membership, &entry, &consents, today)
}

#[test]
fn pure_policy_matches_the_model_on_10000_random_cases() {
    let today = today_tokyo();
    let agencies = ids();
    let mut rng = Rng(0x0005_EED0_F12E_17E1);
    let (mut checked, mut visible) = (0, 0);
    for _ in 0..10_000 {
        let s = scenario(&mut rng, today);
        for e in &s.entries {
            for a in 0..AGENCIES {
                let want = model_sees(&s, a, e, today);
                assert_eq!(
                    policy_sees(&s, &agencies, a, e, today),
                    want,
                    "{s:#?} agency {a} entry {e:?}"
                );
                checked += 1;
                visible += want as usize;
            }
        }
    }
    println!("pure policy: {checked} (entry, agency) pairs, {visible} visible, 0 mismatches");
    assert!(
        visible > checked / 10 && visible < checked * 9 / 10,
        "the scenarios exercise both answers"
    );
}

#[sqlx::test]
async fn sql_predicate_matches_the_model_on_200_random_cases(pool: PgPool) {
    let today = today_tokyo();
    let mut conn = pool.acquire().await.unwrap();
    let agencies = ids();
    for (i, id) in agencies.iter().enumerate() {
        sqlx::query("INSERT INTO agency (id, name, kind) VALUES ($1, $2, 'other')")
            .bind(id)
            .bind(format!("agency {i}"))
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    let user = Uuid::now_v7();
    sqlx::query("INSERT INTO app_user (id, email, display_name, password_hash) VALUES ($1, 'p@x.jp', 'p', 'x')")
        .bind(user)
        .execute(&mut *conn)
        .await
        .unwrap();
    let mut rng = Rng(0xC0FF_EE00_BEEF);
    let (mut checked, mut mismatches) = (0, vec![]);
    for n in 0..200 {
        let s = scenario(&mut rng, today);
        let (participant, case) = (Uuid::now_v7(), Uuid::now_v7());
        sqlx::query(
            "INSERT INTO participant (id, family_name, given_name, family_kana, given_kana, birth_date, municipality)
             VALUES ($1, 'テスト', $2, 'テスト', 'テスト', '1980-01-01', 'x')",
        )
        .bind(participant)
        .bind(n.to_string())
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query("INSERT INTO case_file (id, participant_id, lead_agency_id, opened_on) VALUES ($1, $2, $3, $4)")
            .bind(case)
            .bind(participant)
            .bind(agencies[s.team[0].agency])
            .bind(today - Duration::days(100))
            .execute(&mut *conn)
            .await
            .unwrap();
        for m in &s.team {
            sqlx::query("INSERT INTO case_agency (case_id, agency_id, joined_on, left_on) VALUES ($1, $2, $3, $4)")
                .bind(case)
                .bind(agencies[m.agency])
                .bind(today - Duration::days(100))
                .bind(m.left_on)
                .execute(&mut *conn)
                .await
                .unwrap();
        }
        for c in &s.consents {
            sqlx::query(
                "INSERT INTO consent (id, case_id, agency_id, categories, given_by, method, given_on,
                                      valid_until, recorded_by, recorded_as, revoked_at, revoked_by)
                 VALUES ($1, $2, $3, $4, 'person', 'written', $5, $6, $7, $3,
                         CASE WHEN $8 THEN now() END, CASE WHEN $8 THEN $7 END)",
            )
            .bind(Uuid::now_v7())
            .bind(case)
            .bind(agencies[c.agency])
            .bind(&c.categories)
            .bind(c.given_on)
            .bind(c.until)
            .bind(user)
            .bind(c.revoked)
            .execute(&mut *conn)
            .await
            .unwrap();
        }
        let mut entry_ids = vec![];
        for e in &s.entries {
            let id = Uuid::now_v7();
            let shared: Vec<Uuid> = e.shared_with.iter().map(|i| agencies[*i]).collect();
            sqlx::query(
                "INSERT INTO entry (id, case_id, author_user_id, author_agency_id, kind, category,
                                    occurred_at, shared_with, created_at)
                 VALUES ($1, $2, $3, $4, 'note', $5, now(), $6,
                         ($7::date + make_interval(secs => $8)) AT TIME ZONE 'Asia/Tokyo')",
            )
            .bind(id)
            .bind(case)
            .bind(user)
            .bind(agencies[e.author])
            .bind(e.category)
            .bind(&shared)
            .bind(e.written_on)
            .bind(e.second_of_day as f64)
            .execute(&mut *conn)
            .await
            .unwrap();
            entry_ids.push(id);
        }
        for (a, agency) in agencies.iter().enumerate() {
            let seen = crate::helpers::visible_ids(&pool, user, *agency, case).await;
            for (e, id) in s.entries.iter().zip(&entry_ids) {
                checked += 1;
                if seen.contains(id) != model_sees(&s, a, e, today) {
                    mismatches.push(format!("scenario {n}, agency {a}, entry {e:?}, {s:?}"));
                }
            }
        }
    }
    println!(
        "SQL predicate: {checked} (entry, agency) pairs over 200 cases, {} mismatches",
        mismatches.len()
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
