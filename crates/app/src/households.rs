//! The by-name list and households' files: list, open, create, and record what happened.

use domain::audit::{AuditAction, Outcome};
use domain::household::{HouseholdType, MemberRole, Membership, NewPerson};
use domain::pathway::EventKind;
use domain::policy::{self, Action, HouseholdFacts};
use domain::situation::{period_at, Period, Situation};
use domain::status::{status_on, Status};
use domain::territory::InseeCode;
use domain::text::fold;
use domain::timeline::{self, Entry};
use domain::user::Actor;
use domain::{Date, HouseholdId, InvalidInput};
pub use store::households::FollowRecord;
use store::households::{Author, EventRecord, PeriodRecord};
use store::Tx;

use crate::audit::record;
use crate::{App, AppError, Result};

/// Filters of the by-name list (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub status: Option<Status>,
    pub situation: Option<Situation>,
    pub commune: Option<InseeCode>,
    pub household_type: Option<HouseholdType>,
    /// Name search, case- and accent-insensitive, on every member's names.
    pub name: String,
    /// 1-based page number.
    pub page: usize,
    /// Only these households (the result of an exact search).
    pub only: Option<Vec<HouseholdId>>,
}

#[derive(Debug, Clone)]
pub struct ListRow {
    pub id: HouseholdId,
    /// "NOM Prénom" of the reference person (or the first member).
    pub name: String,
    pub members: usize,
    pub household_type: HouseholdType,
    pub situation: Option<Situation>,
    pub status: Option<Status>,
    pub last_contact: Option<Date>,
    pub commune: Option<String>,
    pub referent: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ListPage {
    pub rows: Vec<ListRow>,
    /// Households matching the filters (all pages).
    pub matching: usize,
    /// Households the actor may see at all.
    pub visible: usize,
    /// Per status, households matching the other filters.
    pub by_status: Vec<(Status, usize)>,
    pub page: usize,
    pub pages: usize,
}

pub(crate) fn display_name(members: &[Membership], today: Date) -> String {
    let present: Vec<&Membership> = members.iter().filter(|m| m.present_on(today)).collect();
    let pool = if present.is_empty() { members.iter().collect() } else { present };
    pool.iter()
        .find(|m| m.role == MemberRole::Reference)
        .or_else(|| pool.first())
        .map(|m| format!("{} {}", m.person.family_name.to_uppercase(), m.person.given_names))
        .unwrap_or_else(|| "(sans membre)".into())
}

impl App {
    /// The territory's communes (reference data, not personal).
    pub async fn communes(&self) -> Result<Vec<domain::territory::Commune>> {
        let mut conn = self.store.pool().acquire().await?;
        Ok(store::orgs::communes(&mut conn).await?)
    }

    /// The by-name list as the actor may see it. Logged as one list read.
    pub async fn list_households(&self, actor: &Actor, filter: &ListFilter) -> Result<ListPage> {
        let today = self.today();
        let scope = policy::list_scope(actor, Action::ReadFile, today);
        // statuses, situations and last contacts from the pathways the observatory keeps (no
        // name in them); a household entered since they were read brings its own
        let (ids, kept) = self.kept_pathways().await?;
        let kept_of = |id: HouseholdId| ids.binary_search(&id.0).ok().map(|i| &kept[i].pathway);
        let mut tx = self.store.begin_audited().await?;
        let commune = filter.commune.as_ref().map(InseeCode::as_str);
        let raw = store::households::list_visible(&mut tx, &scope, today, &self.now_ts(), commune, |id| {
            kept_of(id).is_none()
        })
        .await?;
        record(&mut tx, actor, AuditAction::HouseholdList, None, Outcome::Allowed).await?;
        tx.commit().await?;

        let visible = raw.len();
        let needle = fold(filter.name.trim());
        let mut rows: Vec<ListRow> = raw
            .into_iter()
            .filter(|h| {
                needle.is_empty()
                    || h.members.iter().any(|m| {
                        fold(&format!("{} {}", m.person.family_name, m.person.given_names)).contains(&needle)
                            || fold(&format!("{} {}", m.person.given_names, m.person.family_name)).contains(&needle)
                    })
            })
            .map(|h| {
                let pathway = kept_of(h.id).unwrap_or(&h.pathway);
                ListRow {
                    id: h.id,
                    name: display_name(&h.members, today),
                    members: h.members.iter().filter(|m| m.present_on(today)).count(),
                    household_type: HouseholdType::of(&h.members, today),
                    situation: period_at(&pathway.periods, today).map(|p| p.situation),
                    status: status_on(pathway, today, self.config.status_rules),
                    last_contact: pathway.last_contact_on_or_before(today),
                    commune: h.commune,
                    referent: h.followers.iter().find(|f| f.1).or(h.followers.first()).map(|f| f.0.clone()),
                }
            })
            .filter(|r| filter.only.as_ref().is_none_or(|ids| ids.contains(&r.id)))
            .filter(|r| filter.situation.is_none_or(|s| r.situation == Some(s)))
            .filter(|r| filter.household_type.is_none_or(|t| r.household_type == t))
            .collect();
        let by_status = Status::ALL.map(|s| (s, rows.iter().filter(|r| r.status == Some(s)).count())).to_vec();
        if let Some(s) = filter.status {
            rows.retain(|r| r.status == Some(s));
        }
        // Most recent news first: the households a worker is dealing with now.
        rows.sort_by(|a, b| b.last_contact.cmp(&a.last_contact).then(a.name.cmp(&b.name)));
        let matching = rows.len();
        let size = self.config.page_size.max(1);
        let pages = matching.div_ceil(size).max(1);
        let page = filter.page.clamp(1, pages);
        let rows = rows.into_iter().skip((page - 1) * size).take(size).collect();
        Ok(ListPage { rows, matching, visible, by_status, page, pages })
    }

    /// Opens an audited transaction and checks the policy for one household. A refusal is
    /// logged and committed before the caller sees `NotFound` (missing and refused look alike);
    /// on success the facts the policy used come back with the transaction.
    pub(crate) async fn authorise(
        &self,
        actor: &Actor,
        id: HouseholdId,
        action: Action,
        audit: AuditAction,
    ) -> Result<(Tx, HouseholdFacts)> {
        let mut tx = self.store.begin_audited().await?;
        let facts = store::access::household_facts(&mut tx, id, self.today(), &self.now_ts()).await?;
        match facts {
            Some(facts) if policy::decide(actor, action, &facts, self.today()) => Ok((tx, facts)),
            _ => {
                record(&mut tx, actor, audit, Some(("household", id.0)), Outcome::Denied).await?;
                tx.commit().await?;
                Err(AppError::NotFound)
            }
        }
    }

    /// Opens a household's file. Logged, allowed or not; refused and missing look the same.
    pub async fn open_household(&self, actor: &Actor, id: HouseholdId) -> Result<HouseholdView> {
        let (mut tx, facts) = self.authorise(actor, id, Action::ReadFile, AuditAction::HouseholdRead).await?;
        let h = store::households::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let notices = store::protection::notices(&mut tx, id).await?;
        let choices = store::access::current_choices(&mut tx, id).await?;
        let tenancy = store::households::tenancy_fields(&mut tx, id).await?;
        record(&mut tx, actor, AuditAction::HouseholdRead, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        let today = self.today();
        let rights = FileRights {
            write: policy::decide(actor, Action::WriteFile, &facts, today),
            read_sensitive: policy::decide(actor, Action::ReadSensitive, &facts, today),
            write_sensitive: policy::decide(actor, Action::WriteSensitive, &facts, today),
        };
        let mut view = HouseholdView::build(h, today, self.config.status_rules, rights);
        view.last_notice = notices.last().map(|n| (n.0.clone(), n.1.clone()));
        view.choices = choices;
        view.restricted = facts.restricted;
        view.resources_band = tenancy.0.as_deref().and_then(|b| domain::tenancy::ResourcesBand::parse(b).ok());
        view.dwelling_needs =
            tenancy.1.as_deref().map(domain::tenancy::DwellingNeed::decode).transpose()?.unwrap_or_default();
        Ok(view)
    }

    /// Creates a household with its reference person, first situation and first contact; the
    /// actor's organisation follows it as referent.
    pub async fn create_household(&self, actor: &Actor, input: NewHousehold) -> Result<HouseholdId> {
        if !policy::may_create_household(actor) {
            return Err(AppError::Forbidden);
        }
        let today = self.today();
        if input.identified_on > today || input.situation_since > today {
            return Err(InvalidInput::new("date", "la date ne peut pas être dans le futur").into());
        }
        if input.situation_since > input.identified_on {
            return Err(InvalidInput::new(
                "depuis",
                "la situation doit avoir commencé au plus tard à l'identification",
            )
            .into());
        }
        let by = Author { org: actor.org, user: Some(actor.user) };
        let mut tx = self.store.begin_audited().await?;
        let id = store::households::insert_household(&mut tx, input.commune.as_ref(), input.identified_on, actor.org)
            .await?;
        let r = &input.reference;
        let person = store::households::insert_person(&mut tx, r, &self.person_indexes(r)).await?;
        store::households::add_member(&mut tx, id, person, MemberRole::Reference, input.identified_on, None).await?;
        store::households::insert_period(&mut tx, id, &Period::new(input.situation, input.situation_since, None)?, by)
            .await?;
        store::households::insert_event(&mut tx, id, EventKind::Contact, input.identified_on, by, None).await?;
        store::households::insert_follow(&mut tx, id, actor.org, input.identified_on, None, true).await?;
        for (kind, value) in [("siao", &input.siao_number), ("demande-logement-social", &input.housing_demand_number)] {
            if let Some(n) = value.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
                if n.chars().count() > 40 {
                    return Err(InvalidInput::new("référence externe", "40 caractères au plus").into());
                }
                store::households::set_external_ref(&mut tx, id, kind, n).await?;
            }
        }
        record(&mut tx, actor, AuditAction::HouseholdCreate, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(id)
    }

    async fn begin_write(&self, actor: &Actor, id: HouseholdId, audit: AuditAction) -> Result<Tx> {
        Ok(self.authorise(actor, id, Action::WriteFile, audit).await?.0)
    }

    pub async fn add_member(
        &self,
        actor: &Actor,
        id: HouseholdId,
        person: NewPerson,
        role: MemberRole,
        from: Date,
    ) -> Result<()> {
        if from > self.today() {
            return Err(InvalidInput::new("date d'arrivée", "la date ne peut pas être dans le futur").into());
        }
        let mut tx = self.begin_write(actor, id, AuditAction::MemberAdd).await?;
        let pid = store::households::insert_person(&mut tx, &person, &self.person_indexes(&person)).await?;
        store::households::add_member(&mut tx, id, pid, role, from, None).await?;
        let by = Author { org: actor.org, user: Some(actor.user) };
        store::households::insert_event(&mut tx, id, EventKind::ChangementComposition, from, by, None).await?;
        record(&mut tx, actor, AuditAction::MemberAdd, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a contact, an observation, a death or a departure.
    pub async fn record_event(
        &self,
        actor: &Actor,
        id: HouseholdId,
        kind: EventKind,
        date: Date,
        note: &str,
    ) -> Result<()> {
        if !EventKind::RECORDABLE.contains(&kind) {
            return Err(InvalidInput::new("type d'événement", "ce type ne se saisit pas ici").into());
        }
        if date > self.today() {
            return Err(InvalidInput::new("date", "la date ne peut pas être dans le futur").into());
        }
        let note = note.trim();
        if note.chars().count() > 2000 {
            return Err(InvalidInput::new("note", "2 000 caractères au plus").into());
        }
        let mut tx = self.begin_write(actor, id, AuditAction::EventRecord).await?;
        let by = Author { org: actor.org, user: Some(actor.user) };
        store::households::insert_event(&mut tx, id, kind, date, by, Some(note).filter(|n| !n.is_empty())).await?;
        record(&mut tx, actor, AuditAction::EventRecord, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records a new housing situation from `start`: the open period ends that day and the new
    /// one begins (history is kept, never overwritten).
    pub async fn change_situation(
        &self,
        actor: &Actor,
        id: HouseholdId,
        situation: Situation,
        start: Date,
    ) -> Result<()> {
        let mut tx = self.begin_write(actor, id, AuditAction::SituationChange).await?;
        let current = store::households::get(&mut tx, id).await?.ok_or(AppError::NotFound)?;
        let starts: Vec<Date> = current.periods.iter().map(|p| p.period.start).collect();
        timeline::check_situation_change(&starts, start, self.today())?;
        let by = Author { org: actor.org, user: Some(actor.user) };
        store::households::close_open_periods(&mut tx, id, start).await?;
        store::households::insert_period(&mut tx, id, &Period::new(situation, start, None)?, by).await?;
        store::households::insert_event(&mut tx, id, EventKind::ChangementSituation, start, by, None).await?;
        record(&mut tx, actor, AuditAction::SituationChange, Some(("household", id.0)), Outcome::Allowed).await?;
        tx.commit().await?;
        Ok(())
    }
}

fn follows_on(f: &FollowRecord, day: Date) -> bool {
    f.from <= day && f.to.is_none_or(|t| day < t)
}

/// Input for a new household.
#[derive(Debug, Clone)]
pub struct NewHousehold {
    pub reference: NewPerson,
    pub commune: Option<InseeCode>,
    pub situation: Situation,
    pub situation_since: Date,
    pub identified_on: Date,
    pub siao_number: Option<String>,
    /// The social-housing demand's *numéro unique*.
    pub housing_demand_number: Option<String>,
}

/// One line of the timeline, with who recorded it.
#[derive(Debug, Clone)]
pub struct TimelineItem {
    pub entry: Entry,
    pub org_name: String,
    pub author: Option<String>,
    pub note: Option<String>,
}

/// A household's file as shown to someone allowed to read it.
#[derive(Debug, Clone)]
pub struct HouseholdView {
    pub id: HouseholdId,
    pub name: String,
    pub commune: Option<(String, String)>,
    pub created_on: Date,
    pub created_by: String,
    pub household_type: HouseholdType,
    pub status: Option<Status>,
    pub current: Option<Period>,
    pub last_contact: Option<Date>,
    pub current_members: Vec<Membership>,
    pub past_members: Vec<Membership>,
    /// Birth name and place of the members, where known.
    pub births: std::collections::HashMap<domain::PersonId, domain::identity::BirthIdentity>,
    pub timeline: Vec<TimelineItem>,
    pub follows_now: Vec<FollowRecord>,
    pub follows_past: Vec<FollowRecord>,
    pub external_refs: Vec<(String, String)>,
    pub rights: FileRights,
    /// The last information notice given: (date, version).
    pub last_notice: Option<(String, String)>,
    /// Sharing choices in force: (scope, "accord" | "opposition").
    pub choices: Vec<(domain::policy::SharingScope, String)>,
    pub restricted: bool,
    pub resources_band: Option<domain::tenancy::ResourcesBand>,
    pub dwelling_needs: Vec<domain::tenancy::DwellingNeed>,
}

/// What the reader may do on the file they opened (decided by the policy, shown by the page).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileRights {
    pub write: bool,
    pub read_sensitive: bool,
    pub write_sensitive: bool,
}

impl HouseholdView {
    fn build(
        h: store::households::HouseholdRecord,
        today: Date,
        rules: domain::status::StatusRules,
        rights: FileRights,
    ) -> Self {
        let pathway = domain::pathway::Pathway {
            periods: h.periods.iter().map(|p| p.period.clone()).collect(),
            events: h.events.iter().map(|e| domain::pathway::Event { kind: e.kind, date: e.date }).collect(),
        };
        let mut timeline: Vec<TimelineItem> = h
            .periods
            .iter()
            .map(|PeriodRecord { period, org_name, author }| TimelineItem {
                entry: Entry::Period { situation: period.situation, start: period.start, end: period.end },
                org_name: org_name.clone(),
                author: author.clone(),
                note: None,
            })
            .chain(h.events.iter().map(|EventRecord { kind, date, org_name, author, note, .. }| TimelineItem {
                entry: Entry::Event { kind: *kind, date: *date },
                org_name: org_name.clone(),
                author: author.clone(),
                note: note.clone(),
            }))
            .collect();
        timeline::sort_newest_first(&mut timeline, |t| &t.entry);
        let (current_members, past_members) = h.members.iter().cloned().partition(|m| m.present_on(today));
        let (follows_now, follows_past) = h.follows.iter().cloned().partition(|f| follows_on(f, today));
        Self {
            id: h.id,
            name: display_name(&h.members, today),
            commune: h.commune,
            created_on: h.created_on,
            created_by: h.created_by,
            household_type: HouseholdType::of(&h.members, today),
            status: status_on(&pathway, today, rules),
            current: period_at(&pathway.periods, today).cloned(),
            last_contact: pathway.last_contact_on_or_before(today),
            current_members,
            past_members,
            births: h.births,
            timeline,
            follows_now,
            follows_past,
            external_refs: h.external_refs,
            rights,
            last_notice: None,
            choices: Vec::new(),
            restricted: false,
            resources_band: None,
            dwelling_needs: Vec::new(),
        }
    }
}
