//! « Demander l'avis des structures qui suivent »: a reviewer who cannot tell whether two
//! records are one person asks the people who know the households. Every active account of a
//! structure following either household today that may review the pair itself (it reads both
//! files) is notified once per pair: its number, who asks, a link to it. No name: the notice
//! travels by e-mail too. The answer is theirs to give on the pair itself, with the ground
//! « Confirmé par une structure qui la suit » when they decide for the asker.

use std::collections::{BTreeSet, HashSet};

use domain::audit::AuditAction;
use domain::policy;
use domain::user::Actor;
use domain::{InvalidInput, PersonId};

use crate::duplicates::record_households;
use crate::{App, AppError, Result};

/// The notification key of an ask on the pair of these persons: one notice per person asked.
pub(crate) fn ask_key(a: PersonId, b: PersonId) -> String {
    let (a, b) = if a.0 < b.0 { (a, b) } else { (b, a) };
    format!("{ASK_PREFIX}{}-{}", a.0, b.0)
}

const ASK_PREFIX: &str = "avis:";

/// The pairs (a < b) someone asked opinions on.
pub(crate) async fn asked_pairs(tx: &mut store::Tx) -> Result<HashSet<(PersonId, PersonId)>> {
    let keys = store::cca::dedup_keys(tx, ASK_PREFIX).await?;
    Ok(keys.iter().filter_map(|k| pair_of_key(k)).collect())
}

/// The pair an ask's key names; `None` for any other key.
fn pair_of_key(key: &str) -> Option<(PersonId, PersonId)> {
    let (a, b) = key.strip_prefix(ASK_PREFIX)?.split_once('-')?;
    Some((PersonId(a.parse().ok()?), PersonId(b.parse().ok()?)))
}

/// Asks already sent on a pair: how many people, and since when (a stored timestamp).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpinionAsked {
    pub people: i64,
    pub since: String,
}

impl App {
    /// Asks for opinions on pair `id` as shown with `shown`'s persons (refused as a decision
    /// would be when a run has recomputed it). Returns how many people were newly notified: 0
    /// when nobody else may review it, or all of them were asked already.
    pub async fn ask_opinion(&self, actor: &Actor, id: i64, shown: (PersonId, PersonId)) -> Result<usize> {
        let (mut tx, c, ha, hb) = self.reviewable_shown_pair(actor, id, shown).await?;
        if store::linkage::decision_on_pair(&mut tx, c.a, c.b).await?.is_some() {
            return Err(AppError::Invalid(InvalidInput::new("doublon", "cette paire est déjà tranchée")));
        }
        let (today, now) = (self.today(), self.now_ts());
        let fa = store::access::household_facts(&mut tx, ha, today, &now).await?.ok_or(AppError::NotFound)?;
        let fb = store::access::household_facts(&mut tx, hb, today, &now).await?.ok_or(AppError::NotFound)?;
        let orgs: BTreeSet<_> = fa.followers.iter().chain(&fb.followers).copied().collect();
        let asker = store::orgs::get(&mut tx, actor.org).await?.map(|o| o.name).unwrap_or_default();
        let message =
            format!("Paire de doublons n° {id} : {asker} demande votre avis (même personne ou deux personnes ?)");
        let key = ask_key(c.a, c.b);
        let mut sent = 0;
        for org in orgs {
            let grants = store::access::grants_of(&mut tx, org).await?;
            for (user, roles) in store::users::active_members_of(&mut tx, org).await? {
                let reader = Actor { user, org, roles, grants: grants.clone() };
                if user == actor.user || !policy::may_review_pair(&reader, &fa, &fb, today) {
                    continue;
                }
                let link = format!("/doublons/{id}");
                if store::cca::notify(&mut tx, user, "doublon", &message, &link, Some(&key)).await? {
                    sent += 1;
                }
            }
        }
        record_households(&mut tx, actor, AuditAction::LinkageOpinionAsked, (ha, hb)).await?;
        tx.commit().await?;
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_asks_key_names_its_pair_whatever_the_order_and_nothing_else() {
        let key = ask_key(PersonId(42), PersonId(7));
        assert_eq!(key, "avis:7-42");
        assert_eq!(pair_of_key(&key), Some((PersonId(7), PersonId(42))));
        for other in ["rappel:7-42", "avis:7", "avis:a-b", "avis:7-42-1", ""] {
            assert_eq!(pair_of_key(other), None, "{other}");
        }
    }
}
