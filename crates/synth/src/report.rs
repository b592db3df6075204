//! One partner's record of a household: the part of the truth it knows (from the day it
//! identified the household until it stops following it), the contacts it and the other
//! following organisations had, and who follows.

use domain::household::MemberRole;
use domain::pathway::EventKind;
use domain::situation::{Period, Situation, SituationClass};
use rand::Rng;

use crate::dates::{to_date, to_day, Day};
use crate::draw::{between, weighted, R};
use crate::places::{ccas_of, org};
use crate::timeline::{Spell, Truth};
use crate::{SynthEvent, SynthFollow, SynthMember};

/// What the record covers: from `start` (first identification by `reporter`) until the day
/// before `until` (the partner stopped following; `today + 1` when it never did).
pub(crate) struct View {
    pub start: Day,
    pub until: Day,
    pub reporter: usize,
    pub commune: usize,
    /// Contacts are this many times as frequent as by default (see `generate_with_contact_scale`).
    pub contact_scale: f64,
}

pub(crate) struct Record {
    pub periods: Vec<Period>,
    pub events: Vec<SynthEvent>,
    pub follows: Vec<SynthFollow>,
}

pub(crate) fn observe(rng: &mut R, truth: &Truth, members: &[SynthMember], view: &View, today: Day) -> Record {
    let horizon = truth.horizon(today).min(view.until);
    let spells = clip(truth, view, horizon);
    let follows = follows(rng, &spells, view, horizon, today);
    let first_street = spells.first().is_some_and(|s| s.situation.is_street());
    let first = if view.reporter == org::MARAUDE && first_street { EventKind::Observation } else { EventKind::Contact };
    let mut events = Vec::with_capacity(16);
    events.push(SynthEvent { kind: first, date: to_date(view.start), org: view.reporter });
    let mut push = |rng: &mut R, kind, day: Day, street: bool| {
        let (kind, org) = match kind {
            EventKind::Contact => contact_by(rng, &follows, day, street, view.reporter),
            k => (k, org_at(rng, &follows, day, view.reporter)),
        };
        events.push(SynthEvent { kind, date: to_date(day), org });
    };
    for s in &spells {
        let street = s.situation.is_street();
        if s.start > view.start {
            push(rng, EventKind::ChangementSituation, s.start, street);
        }
        let stop = s.end.map_or(horizon, |e| e.min(horizon));
        for day in contact_days(rng, s, stop, view.contact_scale) {
            push(rng, EventKind::Contact, day, street);
        }
    }
    for m in members {
        let from = to_day(m.from);
        if m.role != MemberRole::Enfant && from > view.start && from < horizon {
            push(rng, EventKind::ChangementComposition, from, false);
        }
        if let Some(to) = m.to.map(to_day) {
            if to > view.start && to < horizon {
                push(rng, EventKind::ChangementComposition, to, false);
            }
        }
    }
    if let Some((kind, day)) = truth.terminal {
        if day < view.until {
            push(rng, kind, day, false);
        }
    }
    // built spell by spell, so nearly sorted already
    events.sort_by_key(|e| e.date);
    let periods = spells
        .iter()
        .map(|s| Period { situation: s.situation, start: to_date(s.start), end: s.end.map(to_date) })
        .collect();
    Record { periods, events, follows }
}

/// The spells the partner knows of. A spell running past what it knows is left open.
fn clip(truth: &Truth, view: &View, horizon: Day) -> Vec<Spell> {
    truth
        .spells
        .iter()
        .filter(|s| s.start < horizon && s.end.is_none_or(|e| e > view.start))
        .map(|s| {
            let end = s.end.filter(|&e| e <= view.until);
            Spell {
                situation: s.situation,
                start: s.start.max(view.start),
                end,
                silent_from: s.silent_from.filter(|&d| d < horizon).map(|d| d.max(view.start)),
            }
        })
        .collect()
}

/// Days of contact within a spell, after its start (itself recorded as a change of situation).
fn contact_days(rng: &mut R, s: &Spell, stop: Day, scale: f64) -> Vec<Day> {
    let mut days = Vec::new();
    let mut t = s.start;
    if s.situation.class() == SituationClass::Loge {
        // a few follow-up visits after moving in, then the support ends
        for _ in 0..rng.gen_range(0..5) {
            t += between(rng, 20, 90);
            if t >= stop {
                break;
            }
            days.push(t);
        }
        return days;
    }
    loop {
        // exact for a scale of 1: gaps are small integers
        t += ((f64::from(contact_gap(rng)) / scale).round() as i32).max(1);
        if let Some(last_seen) = s.silent_from {
            if t >= last_seen {
                if last_seen > s.start && last_seen < stop {
                    days.push(last_seen);
                }
                break;
            }
        }
        if t >= stop {
            break;
        }
        days.push(t);
    }
    days
}

/// Time to the next contact for a household without a home: mostly weekly to monthly, now
/// and then over the 90-day inactivity threshold.
fn contact_gap(rng: &mut R) -> i32 {
    match rng.gen_range(0..100) {
        0..75 => between(rng, 5, 35),
        75..96 => between(rng, 35, 80),
        _ => between(rng, 80, 130),
    }
}

fn contact_by(rng: &mut R, follows: &[SynthFollow], day: Day, street: bool, fallback: usize) -> (EventKind, usize) {
    let maraude = follows.iter().any(|f| f.org == org::MARAUDE && in_force(f, day));
    if street && maraude && rng.gen_bool(0.6) {
        (EventKind::Observation, org::MARAUDE)
    } else {
        (EventKind::Contact, org_at(rng, follows, day, fallback))
    }
}

fn in_force(f: &SynthFollow, day: Day) -> bool {
    let d = to_date(day);
    f.from <= d && f.to.is_none_or(|t| d < t)
}

/// The organisation recording a fact on `day`: mostly the referent, else another follower.
fn org_at(rng: &mut R, follows: &[SynthFollow], day: Day, fallback: usize) -> usize {
    let d = to_date(day);
    // a follow ending on the day still records that day's fact (e.g. the closing event)
    let active = |f: &&SynthFollow| f.from <= d && f.to.is_none_or(|t| d <= t);
    let referent = follows.iter().filter(active).find(|f| f.referent);
    if let Some(r) = referent {
        if rng.gen_bool(0.7) {
            return r.org;
        }
    }
    let n = follows.iter().filter(active).count();
    if n == 0 {
        return fallback;
    }
    follows.iter().filter(active).nth(rng.gen_range(0..n)).map_or(fallback, |f| f.org)
}

/// The reporter follows from the start, as referent until a shelter or the social rental agency
/// takes over; up to three other organisations follow for a while.
fn follows(rng: &mut R, spells: &[Spell], view: &View, horizon: Day, today: Day) -> Vec<SynthFollow> {
    let mut out: Vec<(usize, Day, Option<Day>, bool)> = vec![(view.reporter, view.start, None, true)];
    let has = |out: &[(usize, Day, Option<Day>, bool)], o: usize| out.iter().any(|f| f.0 == o);
    let later = |pred: &dyn Fn(Situation) -> bool| spells.iter().find(|s| s.start > view.start && pred(s.situation));
    let handover = later(&|s| matches!(s, Situation::HebergementInsertion | Situation::LogementAccompagne));
    if let Some(s) = handover {
        let to =
            if s.situation == Situation::HebergementInsertion { org::SHELTERS[rng.gen_range(0..2)] } else { org::AIS };
        if to != view.reporter && rng.gen_bool(0.6) {
            out[0].2 = Some(s.start);
            out.push((to, s.start, None, true));
        }
    }
    let mut extra = 0;
    let mut add = |out: &mut Vec<_>, o: usize, from: Day, to: Option<Day>| {
        if extra < 3 && !has(out, o) && from < horizon && to.is_none_or(|t| t > from) {
            out.push((o, from, to, false));
            extra += 1;
        }
    };
    let sheltered = |s: Situation| {
        matches!(s, Situation::Hotel115 | Situation::HebergementUrgence | Situation::HebergementInsertion)
    };
    if let Some(first) = spells.iter().position(|s| sheltered(s.situation)) {
        if rng.gen_bool(0.8) {
            let housed = spells[first..].iter().find(|s| s.situation.class() == SituationClass::Loge);
            add(&mut out, org::SIAO, spells[first].start, housed.map(|s| s.start));
        }
    }
    if let Some(s) = spells.iter().find(|s| s.situation.is_street()) {
        add(&mut out, org::MARAUDE, s.start, s.end);
    }
    if let Some(ccas) = ccas_of(view.commune) {
        if rng.gen_bool(0.3) {
            let from = view.start + between(rng, 0, 120);
            let to = rng.gen_bool(0.4).then(|| from + between(rng, 60, 400));
            add(&mut out, ccas, from, to);
        }
    }
    if rng.gen_bool(0.15) {
        let o = weighted(rng, &[(org::ACCUEIL_DE_JOUR, 4), (org::ACCOMPAGNEMENT, 3), (org::SANTE_PRECARITE, 2)]);
        let from = view.start + between(rng, 0, 200);
        let to = rng.gen_bool(0.5).then(|| from + between(rng, 30, 300));
        add(&mut out, o, from, to);
    }
    if let Some(s) = later(&|s| s == Situation::LogementOrdinaire) {
        if rng.gen_bool(0.5) {
            add(&mut out, org::BAILLEURS[rng.gen_range(0..2)], s.start, None);
        }
    }
    if let Some(s) = later(&|s| s == Situation::LogementAccompagne) {
        if rng.gen_bool(0.5) {
            add(&mut out, org::AIS, s.start, None);
        }
    }
    // the file is closed on the horizon (death, departure, partner stopped following)
    let close = |to: Option<Day>| match to {
        Some(t) if t <= horizon.min(today) => Some(t),
        _ => (horizon <= today).then_some(horizon),
    };
    out.into_iter()
        .map(|(o, from, to, referent)| SynthFollow {
            org: o,
            from: to_date(from),
            to: close(to).map(to_date),
            referent,
        })
        .collect()
}
