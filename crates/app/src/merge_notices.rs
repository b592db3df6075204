//! A merge or its undoing is told to the people who follow the person: every active référent
//! account of a structure following either household today, that may open that household's
//! file, hears of it in its notifications (and by e-mail where configured) — the reviewer who did
//! it excepted. Other roles of those structures (a CCA manager, say) follow referrals, not the
//! person, and are not told.
//! The notice names the household by its number and links to its file: no name, and nothing of
//! the other household, which the reader may not be allowed to read.

use domain::policy::{self, Action};
use domain::user::{Actor, Role};
use domain::HouseholdId;
use store::Tx;

use crate::{App, Result};

/// What happened to a household's member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MergeNotice {
    Merged,
    Unmerged,
}

impl MergeNotice {
    fn message(self, h: HouseholdId) -> String {
        match self {
            Self::Merged => format!(
                "Ménage n° {} : une de ses fiches est réunie à celle d'un autre dossier (« même personne »)",
                h.0
            ),
            Self::Unmerged => {
                format!("Ménage n° {} : une fusion « même personne » avec un autre dossier est annulée", h.0)
            }
        }
    }
}

impl App {
    /// Notifies the followers of each of `households` who may read it; returns how many
    /// notifications were sent.
    pub(crate) async fn notify_followers(
        &self,
        tx: &mut Tx,
        by: &Actor,
        households: (HouseholdId, HouseholdId),
        notice: MergeNotice,
    ) -> Result<usize> {
        let (today, now) = (self.today(), self.now_ts());
        let (ha, hb) = households;
        let mut sent = 0;
        for h in if ha == hb { vec![ha] } else { vec![ha, hb] } {
            let Some(facts) = store::access::household_facts(tx, h, today, &now).await? else { continue };
            for &org in &facts.followers {
                let grants = store::access::grants_of(tx, org).await?;
                for (user, roles) in store::users::active_members_of(tx, org).await? {
                    let reader = Actor { user, org, roles, grants: grants.clone() };
                    let follows_people = reader.has(Role::Referent);
                    if user == by.user || !follows_people || !policy::decide(&reader, Action::ReadFile, &facts, today) {
                        continue;
                    }
                    let link = format!("/menages/{}#rapprochements", h.0);
                    store::cca::notify(tx, user, "doublon", &notice.message(h), &link, None).await?;
                    sent += 1;
                }
            }
        }
        Ok(sent)
    }
}
