//! Demo CCA and CCAPEX activity, played through the real use cases with the demo accounts:
//! referrals at every step, a past session with its decisions and a coming one, measures
//! started, reviewed and ended (one household housed), eviction procedures at several stages.

use domain::cca::measure::Plan;
use domain::cca::referral::{DecisionInput, ReferralContent};
use domain::cca::{EndReason, HousingType, Need, Outcome, ReviewOutcome};
use domain::eviction::{Closure, HousingBenefit, LandlordKind, Stage};
use domain::status::Status;
use domain::user::Email;
use domain::{Date, HouseholdId};
use store::evictions::Terms;

use crate::households::ListFilter;
use crate::measures::Ending;
use crate::seed::DEMO_DOMAIN;
use crate::{Actor, App, AppError, Result};

/// What the demo CCA holds, for the demo's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CcaDemo {
    pub referrals: usize,
    pub sessions: usize,
    pub measures: usize,
    pub evictions: usize,
}

const MEASURES: [&str; 5] = ["avdl", "asll", "iml-sous-location", "pension-famille", "chez-soi-dabord"];

fn content(n: usize, today: Date) -> ReferralContent {
    let needs = [
        vec![Need::Logement, Need::Budget],
        vec![Need::Logement, Need::Administratif],
        vec![Need::Logement, Need::Sante, Need::Isolement],
        vec![Need::Logement, Need::Emploi],
        vec![Need::Logement, Need::Parentalite, Need::Budget],
    ];
    ReferralContent {
        needs: needs[n % needs.len()].clone(),
        needs_detail: "Accompagnement à l'accès au logement et à la gestion du budget.".into(),
        wishes: "Un logement autonome sur la métropole, près des transports.".into(),
        measure_asked: Some(MEASURES[n % MEASURES.len()].into()),
        motivation: "Ménage prêt au relogement ; un accompagnement sécurise l'entrée dans les lieux.".into(),
        previous_measures: if n.is_multiple_of(3) { "ASLL en 2024, interrompu.".into() } else { String::new() },
        notice_given_on: Some(today - time::Duration::days(120 + n as i64)),
    }
}

impl App {
    pub(crate) async fn demo_actor(&self, local: &str) -> Result<Actor> {
        let email = Email::parse(&format!("{local}@{DEMO_DOMAIN}"))?;
        let mut conn = self.store.pool().acquire().await?;
        let user = store::users::by_email(&mut conn, &email).await?.ok_or(AppError::NotFound)?;
        drop(conn);
        self.actor_of(user.id).await?.ok_or(AppError::NotFound)
    }

    /// Plays a few weeks of CCA and CCAPEX work on the demo territory.
    pub async fn seed_cca_demo(&self) -> Result<CcaDemo> {
        let today = self.today();
        let days = time::Duration::days;
        let referent = self.demo_actor("referent").await?;
        let manager = self.demo_actor("cca").await?;
        let member = self.demo_actor("commission").await?;
        let ccapex = self.demo_actor("ccapex").await?;
        let mut out = CcaDemo::default();

        let list = self.list_households(&referent, &ListFilter { page: 1, ..ListFilter::default() }).await?;
        let mut actifs: Vec<HouseholdId> = Vec::new();
        let mut page = 1;
        let mut rows = list.rows;
        loop {
            actifs.extend(rows.iter().filter(|r| r.status == Some(Status::Actif)).map(|r| r.id));
            if actifs.len() >= 14 || page >= list.pages {
                break;
            }
            page += 1;
            rows = self.list_households(&referent, &ListFilter { page, ..ListFilter::default() }).await?.rows;
        }

        let mut referrals = Vec::new();
        for (n, h) in actifs.iter().take(14).enumerate() {
            let r = self.create_referral(&referent, *h, &content(n, today), None).await?;
            if n < 12 {
                self.submit_referral(&referent, r).await?;
                // Submitted weeks ago, so that the demo's past session comes after.
                let mut conn = self.store.pool().acquire().await?;
                store::cca::backdate_submission(&mut conn, r, today - days(110 - 2 * n as i64)).await?;
            }
            referrals.push(r);
        }
        out.referrals = referrals.len();
        if referrals.len() < 12 {
            // A territory too small for a commission's worth of files: referrals only.
            return Ok(out);
        }
        // The manager's checks: most complete, one sent back for complements.
        for (n, r) in referrals.iter().take(12).enumerate() {
            match n {
                10 => {
                    self.check_referral(&manager, *r, false, "Joindre l'avis d'imposition et la notification CAF.")
                        .await?
                }
                11 => {}
                _ => self.check_referral(&manager, *r, true, "").await?,
            }
        }

        // A past session: five files, the member present, decisions, closed.
        let past = self.create_session(&manager, today - days(75), "Hôtel de la Métropole, salle 2").await?;
        self.invite_member(&manager, past, member.user).await?;
        for r in &referrals[..5] {
            self.add_to_agenda(&manager, past, *r).await?;
        }
        self.publish_agenda(&manager, past).await?;
        self.set_presence(&manager, past, member.user, true).await?;
        let decision = |outcome, measure: Option<&str>, reason: &str, to: &str| DecisionInput {
            outcome,
            measure: measure.map(str::to_owned),
            reason: reason.into(),
            redirected_to: to.into(),
        };
        let decisions = [
            decision(Outcome::Accorde, Some("avdl"), "", ""),
            decision(Outcome::Accorde, Some("asll"), "", ""),
            decision(Outcome::Accorde, Some("iml-sous-location"), "", ""),
            decision(Outcome::Ajourne, None, "Attendre la décision de la commission d'attribution.", ""),
            decision(Outcome::Reoriente, None, "", "SIAO — hébergement d'insertion"),
        ];
        for (r, d) in referrals[..5].iter().zip(&decisions) {
            self.decide(&manager, past, *r, d).await?;
        }
        self.close_session(&manager, past).await?;

        // The measures: two started, one reviewed, one ended with the household housed.
        let mut conn = self.store.pool().acquire().await?;
        let started: Vec<i64> = store::measures::all(&mut conn).await?.into_iter().map(|m| m.id).collect();
        drop(conn);
        for (n, m) in started.iter().enumerate() {
            if n == 2 {
                break; // the third waits for its start
            }
            let plan = Plan { start: today - days(60), months: 6, next_review: Some(today + days(5 + 30 * n as i64)) };
            self.start_measure(&manager, *m, referent.org, Some(referent.user), plan).await?;
            out.measures += 1;
        }
        if let Some(m) = started.first() {
            self.review_measure(&manager, *m, today - days(20), ReviewOutcome::FinProposee, "Bail signé.", None)
                .await?;
            let ending = Ending {
                on: today - days(10),
                reason: EndReason::Loge,
                housing: Some(HousingType::LogementSocial),
                note: "Entrée dans les lieux.".into(),
            };
            match self.end_measure(&manager, *m, &ending).await {
                // A synthetic household whose situation changed later keeps its measure running.
                Ok(()) | Err(AppError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }

        // A coming session, its agenda published: the member may open those files now.
        let next = self.create_session(&manager, today + days(6), "Hôtel de la Métropole, salle 2").await?;
        self.invite_member(&manager, next, member.user).await?;
        for r in &referrals[5..8] {
            self.add_to_agenda(&manager, next, *r).await?;
        }
        self.publish_agenda(&manager, next).await?;
        out.sessions = 2;

        // Eviction procedures on housed households, at several stages.
        let siao = self.demo_actor("siao").await?;
        let mut housed = Vec::new();
        let mut page = 1;
        loop {
            let p = self.list_households(&siao, &ListFilter { page, ..ListFilter::default() }).await?;
            housed.extend(p.rows.iter().filter(|r| r.status == Some(Status::Loge)).map(|r| r.id));
            if housed.len() >= 6 || page >= p.pages {
                break;
            }
            page += 1;
        }
        let plans: [(LandlordKind, &[(Stage, i64)], Option<Closure>); 6] = [
            (
                LandlordKind::Social,
                &[
                    (Stage::ImpayeSignale, 200),
                    (Stage::CommandementPayer, 150),
                    (Stage::SaisineCcapex, 120),
                    (Stage::Assignation, 40),
                ],
                None,
            ),
            (
                LandlordKind::Particulier,
                &[
                    (Stage::CommandementPayer, 300),
                    (Stage::Assignation, 220),
                    (Stage::Jugement, 150),
                    (Stage::CommandementQuitter, 70),
                ],
                None,
            ),
            (LandlordKind::PersonneMorale, &[(Stage::ImpayeSignale, 90), (Stage::CommandementPayer, 45)], None),
            (
                LandlordKind::Social,
                &[
                    (Stage::ImpayeSignale, 400),
                    (Stage::Assignation, 300),
                    (Stage::Jugement, 240),
                    (Stage::CommandementQuitter, 180),
                    (Stage::DemandeConcours, 100),
                ],
                None,
            ),
            (
                LandlordKind::Social,
                &[(Stage::ImpayeSignale, 260), (Stage::CommandementPayer, 230)],
                Some(Closure::ProtocoleCohesion),
            ),
            (
                LandlordKind::Particulier,
                &[(Stage::CommandementPayer, 200), (Stage::Assignation, 150)],
                Some(Closure::Relogement),
            ),
        ];
        for (h, (landlord, stages, closure)) in housed.iter().zip(plans) {
            let terms = Terms {
                landlord,
                rent_cents: Some(52_000),
                charges_cents: Some(8_000),
                debt_cents: Some(310_000),
                housing_benefit: HousingBenefit::Suspendue,
                diagnosis_on: None,
            };
            let id = self.create_eviction(&ccapex, *h, &terms).await?;
            for (stage, ago) in stages {
                self.record_eviction_stage(&ccapex, id, *stage, today - days(*ago)).await?;
            }
            if let Some(c) = closure {
                self.close_eviction(&ccapex, id, c, today - days(20)).await?;
            }
            out.evictions += 1;
        }
        // The CCAPEX's opinion on the first procedure.
        if out.evictions > 0 {
            let mut conn = self.store.pool().acquire().await?;
            let first = store::evictions::list(&mut conn, None).await?.into_iter().map(|e| e.id).min();
            drop(conn);
            if let Some(id) = first {
                let opinion = store::evictions::Opinion {
                    given_on: today - days(30),
                    opinion: "Plan d'apurement possible ; maintien dans les lieux recommandé.".into(),
                    recommendation: "Saisir le FSL maintien ; proposer un protocole de cohésion sociale.".into(),
                    addressee: "Bailleur".into(),
                    source: "saisie".into(),
                };
                self.add_ccapex_opinion(&ccapex, id, &opinion).await?;
            }
        }
        Ok(out)
    }
}
