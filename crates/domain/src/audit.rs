//! The audit chain: every read of a household file and every write appends an event, and each
//! event's hash covers the previous hash, so any later change to a stored event is detectable.
//! Events name actors, organisations and record ids, never personal values.

use sha2::{Digest, Sha256};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    LoginSucceeded,
    LoginFailed,
    Logout,
    HouseholdList,
    HouseholdRead,
    HouseholdCreate,
    MemberAdd,
    EventRecord,
    SituationChange,
    OrganisationCreate,
    UserCreate,
    DemoSeed,
    GrantCreate,
    GrantEnd,
    TemporaryGrantCreate,
    NoticeRecord,
    SharingChoice,
    RestrictionSet,
    RestrictionLift,
    SensitiveRead,
    SensitiveWrite,
    TenancySummaryRead,
    ExactSearch,
    RightsExport,
    Rectification,
    RetentionArchive,
    RetentionAnonymise,
    AuditSearch,
    AuditPurge,
    KeysRotate,
    KeysReindex,
    RightsView,
    ReferralWrite,
    ReferralRead,
    ReferralStep,
    AttachmentAdd,
    AttachmentRead,
    SessionWrite,
    SessionRead,
    DecisionRecord,
    MeasureWrite,
    MeasureRead,
    EvictionRead,
    EvictionWrite,
    CcapexExport,
    CcapexImport,
    RemindersRun,
    CatalogueWrite,
    LinkageRead,
    LinkageDecision,
    LinkageUnmerge,
    LinkageRun,
    LinkageWithdraw,
    LinkageEntryCheck,
    /// A pair's two files side by side: recorded in each household's own log.
    LinkagePairRead,
    /// A reviewer asked the structures following a pair's households for their opinion.
    LinkageOpinionAsked,
    /// A captured dwelling recorded, or its state changed (no personal data).
    DwellingWrite,
    /// A dwelling proposed to a household, or the answer given: in the household's own log.
    DwellingProposal,
}

impl AuditAction {
    pub const ALL: [AuditAction; 58] = [
        Self::LoginSucceeded,
        Self::LoginFailed,
        Self::Logout,
        Self::HouseholdList,
        Self::HouseholdRead,
        Self::HouseholdCreate,
        Self::MemberAdd,
        Self::EventRecord,
        Self::SituationChange,
        Self::OrganisationCreate,
        Self::UserCreate,
        Self::DemoSeed,
        Self::GrantCreate,
        Self::GrantEnd,
        Self::TemporaryGrantCreate,
        Self::NoticeRecord,
        Self::SharingChoice,
        Self::RestrictionSet,
        Self::RestrictionLift,
        Self::SensitiveRead,
        Self::SensitiveWrite,
        Self::TenancySummaryRead,
        Self::ExactSearch,
        Self::RightsExport,
        Self::Rectification,
        Self::RetentionArchive,
        Self::RetentionAnonymise,
        Self::AuditSearch,
        Self::AuditPurge,
        Self::KeysRotate,
        Self::KeysReindex,
        Self::RightsView,
        Self::ReferralWrite,
        Self::ReferralRead,
        Self::ReferralStep,
        Self::AttachmentAdd,
        Self::AttachmentRead,
        Self::SessionWrite,
        Self::SessionRead,
        Self::DecisionRecord,
        Self::MeasureWrite,
        Self::MeasureRead,
        Self::EvictionRead,
        Self::EvictionWrite,
        Self::CcapexExport,
        Self::CcapexImport,
        Self::RemindersRun,
        Self::CatalogueWrite,
        Self::LinkageRead,
        Self::LinkageDecision,
        Self::LinkageUnmerge,
        Self::LinkageRun,
        Self::LinkageWithdraw,
        Self::LinkageEntryCheck,
        Self::LinkagePairRead,
        Self::LinkageOpinionAsked,
        Self::DwellingWrite,
        Self::DwellingProposal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "login.ok",
            Self::LoginFailed => "login.failed",
            Self::Logout => "logout",
            Self::HouseholdList => "household.list",
            Self::HouseholdRead => "household.read",
            Self::HouseholdCreate => "household.create",
            Self::MemberAdd => "household.member.add",
            Self::EventRecord => "household.event.record",
            Self::SituationChange => "household.situation.change",
            Self::OrganisationCreate => "organisation.create",
            Self::UserCreate => "user.create",
            Self::DemoSeed => "demo.seed",
            Self::GrantCreate => "grant.create",
            Self::GrantEnd => "grant.end",
            Self::TemporaryGrantCreate => "grant.temporary.create",
            Self::NoticeRecord => "household.notice.record",
            Self::SharingChoice => "household.sharing.choice",
            Self::RestrictionSet => "household.restriction.set",
            Self::RestrictionLift => "household.restriction.lift",
            Self::SensitiveRead => "household.sensitive.read",
            Self::SensitiveWrite => "household.sensitive.write",
            Self::TenancySummaryRead => "household.tenancy.read",
            Self::ExactSearch => "household.search.exact",
            Self::RightsExport => "rights.export",
            Self::Rectification => "rights.rectification",
            Self::RetentionArchive => "retention.archive",
            Self::RetentionAnonymise => "retention.anonymise",
            Self::AuditSearch => "audit.search",
            Self::AuditPurge => "audit.purge",
            Self::KeysRotate => "keys.rotate",
            Self::KeysReindex => "keys.reindex",
            Self::RightsView => "rights.view",
            Self::ReferralWrite => "referral.write",
            Self::ReferralRead => "referral.read",
            Self::ReferralStep => "referral.step",
            Self::AttachmentAdd => "referral.attachment.add",
            Self::AttachmentRead => "referral.attachment.read",
            Self::SessionWrite => "cca.session.write",
            Self::SessionRead => "cca.session.read",
            Self::DecisionRecord => "cca.decision",
            Self::MeasureWrite => "measure.write",
            Self::MeasureRead => "measure.read",
            Self::EvictionRead => "eviction.read",
            Self::EvictionWrite => "eviction.write",
            Self::CcapexExport => "ccapex.export",
            Self::CcapexImport => "ccapex.import",
            Self::RemindersRun => "reminders.run",
            Self::CatalogueWrite => "catalogue.write",
            Self::LinkageRead => "linkage.read",
            Self::LinkageDecision => "linkage.decision",
            Self::LinkageUnmerge => "linkage.unmerge",
            Self::LinkageRun => "linkage.run",
            Self::LinkageWithdraw => "linkage.withdraw",
            Self::LinkageEntryCheck => "linkage.entry_check",
            Self::LinkagePairRead => "linkage.pair_read",
            Self::LinkageOpinionAsked => "linkage.opinion_asked",
            Self::DwellingWrite => "dwelling.write",
            Self::DwellingProposal => "dwelling.proposal",
        }
    }

    /// French label, for the DPO's screens and the rights export.
    pub fn label(self) -> &'static str {
        match self {
            Self::LoginSucceeded => "Connexion",
            Self::LoginFailed => "Échec de connexion",
            Self::Logout => "Déconnexion",
            Self::HouseholdList => "Consultation de la liste nominative",
            Self::HouseholdRead => "Consultation du dossier",
            Self::HouseholdCreate => "Création du ménage",
            Self::MemberAdd => "Ajout d'un membre",
            Self::EventRecord => "Saisie d'un contact ou d'un événement",
            Self::SituationChange => "Changement de situation",
            Self::OrganisationCreate => "Création d'une structure",
            Self::UserCreate => "Création d'un compte",
            Self::DemoSeed => "Création de la base de démonstration",
            Self::GrantCreate => "Habilitation accordée",
            Self::GrantEnd => "Fin d'habilitation",
            Self::TemporaryGrantCreate => "Accès temporaire accordé",
            Self::NoticeRecord => "Remise de la notice d'information",
            Self::SharingChoice => "Choix de partage enregistré",
            Self::RestrictionSet => "Limitation du traitement",
            Self::RestrictionLift => "Levée de la limitation",
            Self::SensitiveRead => "Consultation du compartiment sensible",
            Self::SensitiveWrite => "Écriture dans le compartiment sensible",
            Self::TenancySummaryRead => "Consultation de la fiche logement",
            Self::ExactSearch => "Recherche exacte",
            Self::RightsExport => "Export au titre du droit d'accès",
            Self::Rectification => "Rectification",
            Self::RetentionArchive => "Passage en archive",
            Self::RetentionAnonymise => "Anonymisation",
            Self::AuditSearch => "Consultation du journal des accès",
            Self::AuditPurge => "Purge du journal des accès",
            Self::KeysRotate => "Rotation des clés",
            Self::KeysReindex => "Recalcul des index aveugles des noms",
            Self::RightsView => "Consultation de l'écran des droits",
            Self::ReferralWrite => "Saisine de la CCA (création, modification)",
            Self::ReferralRead => "Consultation d'une saisine",
            Self::ReferralStep => "Étape d'une saisine (dépôt, complétude, retrait)",
            Self::AttachmentAdd => "Ajout d'une pièce jointe",
            Self::AttachmentRead => "Consultation d'une pièce jointe",
            Self::SessionWrite => "Séance de la CCA (création, ordre du jour, membres, présence, clôture)",
            Self::SessionRead => "Consultation d'une séance ou de son compte rendu",
            Self::DecisionRecord => "Décision de la commission",
            Self::MeasureWrite => "Mesure d'accompagnement (démarrage, bilan, renouvellement, fin)",
            Self::MeasureRead => "Consultation des mesures",
            Self::EvictionRead => "Consultation d'une procédure d'expulsion",
            Self::EvictionWrite => "Saisie d'une procédure d'expulsion",
            Self::CcapexExport => "Export des dossiers pour la CCAPEX",
            Self::CcapexImport => "Import des avis de la CCAPEX",
            Self::RemindersRun => "Calcul des rappels",
            Self::CatalogueWrite => "Catalogue des mesures (ajout, retrait)",
            Self::LinkageRead => "Consultation de la file des doublons",
            Self::LinkageDecision => "Décision sur un doublon (même personne / personnes différentes)",
            Self::LinkageUnmerge => "Annulation d'une fusion",
            Self::LinkageRun => "Calcul des rapprochements",
            Self::LinkageWithdraw => "Retrait d'une décision « personnes différentes »",
            Self::LinkageEntryCheck => "Recherche d'une fiche existante avant une création",
            Self::LinkagePairRead => {
                "Consultation d'une paire de doublons (la fiche à côté d'une autre, avec les membres du ménage)"
            }
            Self::LinkageOpinionAsked => "Demande d'avis sur un doublon aux structures qui suivent",
            Self::DwellingWrite => "Saisie d'un logement capté ou de son état",
            Self::DwellingProposal => "Proposition d'un logement capté au ménage, ou réponse",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    Allowed,
    Denied,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Denied => "denied",
        }
    }
}

/// An event as recorded, before chaining. `at` is an RFC 3339 UTC timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor_user: Option<i64>,
    pub actor_org: Option<i64>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<i64>,
    pub outcome: String,
}

impl AuditEvent {
    /// A canonical, unambiguous text form: fields are length-prefixed so that no two different
    /// events share a form.
    pub fn canonical(&self) -> String {
        let opt = |v: Option<i64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
        let fields = [
            self.seq.to_string(),
            self.at.clone(),
            opt(self.actor_user),
            opt(self.actor_org),
            self.action.clone(),
            self.target_kind.clone().unwrap_or_else(|| "-".into()),
            opt(self.target_id),
            self.outcome.clone(),
        ];
        fields.iter().map(|f| format!("{}:{f};", f.len())).collect()
    }
}

/// The hash of the chain's origin, before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// `SHA-256(prev_hash ‖ canonical event)`, hex-encoded.
pub fn chain_hash(prev_hash: &str, event: &AuditEvent) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(event.canonical().as_bytes());
    hex::encode(h.finalize())
}

/// A stored event with the hashes the store holds for it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub event: AuditEvent,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("événement n° {seq} : le numéro d'ordre ne suit pas le précédent")]
    Gap { seq: i64 },
    #[error("événement n° {seq} : il ne se rattache pas à l'événement précédent")]
    BrokenLink { seq: i64 },
    #[error("événement n° {seq} : son contenu a été modifié (empreinte invalide)")]
    Tampered { seq: i64 },
}

/// Recomputes the chain event by event (so a long chain is verified in bounded memory).
#[derive(Debug, Clone)]
pub struct Verifier {
    prev: String,
    last_seq: i64,
    count: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Self { prev: GENESIS.to_owned(), last_seq: 0, count: 0 }
    }
}

impl Verifier {
    /// A verifier that starts after an anchor: the last event removed by retention.
    pub fn from_anchor(seq: i64, hash: &str) -> Self {
        Self { prev: hash.to_owned(), last_seq: seq, count: 0 }
    }

    /// Checks the next event in sequence order.
    pub fn push(&mut self, e: StoredEvent) -> Result<(), ChainError> {
        let seq = e.event.seq;
        if seq != self.last_seq + 1 {
            return Err(ChainError::Gap { seq });
        }
        if e.prev_hash != self.prev {
            return Err(ChainError::BrokenLink { seq });
        }
        if chain_hash(&self.prev, &e.event) != e.hash {
            return Err(ChainError::Tampered { seq });
        }
        self.prev = e.hash;
        self.last_seq = seq;
        self.count += 1;
        Ok(())
    }

    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    pub fn last_hash(&self) -> &str {
        &self.prev
    }

    pub fn count(&self) -> u64 {
        self.count
    }
}

/// Verifies a whole chain given in sequence order; names the first broken event.
pub fn verify<I: IntoIterator<Item = StoredEvent>>(events: I) -> Result<u64, ChainError> {
    let mut v = Verifier::default();
    for e in events {
        v.push(e)?;
    }
    Ok(v.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let event = AuditEvent {
                    seq,
                    at: format!("2026-01-01T00:00:{seq:02}Z"),
                    actor_user: Some(7),
                    actor_org: Some(3),
                    action: "household.read".into(),
                    target_kind: Some("household".into()),
                    target_id: Some(seq * 10),
                    outcome: "allowed".into(),
                };
                let hash = chain_hash(&prev, &event);
                let stored = StoredEvent { event, prev_hash: prev.clone(), hash: hash.clone() };
                prev = hash;
                stored
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(chain(5)), Ok(5));
        assert_eq!(verify(Vec::new()), Ok(0));
    }

    #[test]
    fn tampering_names_the_event() {
        let mut c = chain(5);
        c[2].event.target_id = Some(999);
        assert_eq!(verify(c), Err(ChainError::Tampered { seq: 3 }));
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(verify(c), Err(ChainError::Gap { seq: 3 }));
        let mut c = chain(5);
        c[3].prev_hash = GENESIS.into();
        assert_eq!(verify(c), Err(ChainError::BrokenLink { seq: 4 }));
    }

    #[test]
    fn canonical_form_is_unambiguous() {
        let mut a = chain(1).remove(0).event;
        let mut b = a.clone();
        a.action = "ab".into();
        a.target_kind = Some("c".into());
        b.action = "a".into();
        b.target_kind = Some("bc".into());
        assert_ne!(a.canonical(), b.canonical());
    }
}
