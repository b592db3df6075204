//! Use cases shared by the web application and the CLI. Each one takes an [`Actor`], asks
//! `domain::policy`, works in one transaction and appends its audit event in that transaction.

pub mod admin;
pub mod audit;
pub mod auth;
pub mod cca;
pub mod cca_stats;
pub mod clusters;
pub mod decisions;
pub mod dpo;
pub mod duplicates;
pub mod dwellings;
pub mod entry_check;
pub mod evictions;
pub mod households;
pub mod linkage_run;
pub mod links;
pub mod mail;
pub mod measures;
mod merge_notices;
pub mod observatory;
mod observatory_reads;
pub mod opinions;
pub mod proposals;
pub mod protection;
pub mod publication;
pub mod reminders;
pub mod retention;
pub mod rights;
pub mod seed;
pub mod seed_cca;
pub mod seed_linkage;
pub mod sensitive;
pub mod tenancy;
mod throttle;

use domain::status::StatusRules;
pub use domain::user::Actor;
use domain::{Date, InvalidInput};
pub use store::Store;

/// Territory settings (DOMAIN.md: facts marked [to confirm] are configuration).
#[derive(Debug, Clone)]
pub struct Config {
    pub status_rules: StatusRules,
    /// Lifetime of a login session, in hours.
    pub session_hours: i64,
    /// Failed logins allowed per account, and per client address, in `throttle_window_secs`.
    pub max_failed_logins_per_account: usize,
    pub max_failed_logins_per_client: usize,
    pub throttle_window_secs: u64,
    /// Rows per page on the by-name list.
    pub page_size: usize,
    /// Retention [to confirm with the territory's retention table]: days without contact before
    /// a household moves to the restricted archive (default 2 years),
    pub retention_active_days: i64,
    /// then days in the archive before anonymisation (default 3 years),
    pub retention_archive_days: i64,
    /// and days the access log is kept (CNIL: 6 months to 1 year; default 1 year).
    pub audit_retention_days: i64,
    /// Alert when a user opens more distinct household files than this in one day.
    pub alert_files_per_day: i64,
    /// Internal dashboards show counts from 1 to `internal_threshold − 1` as "< threshold"
    /// (DOMAIN.md §5: a lower threshold than publication's 11, set by configuration; default 5).
    pub internal_threshold: u32,
    /// Days after a CCA session during which its members keep access to the files on its
    /// agenda (minutes, follow-up questions) [to confirm with the commission's rules].
    pub cca_access_delay_days: i64,
    /// A referral waiting this many days since submission shows on the manager's to-do list.
    pub referral_wait_days: i64,
    /// Reviews, measure ends and eviction deadlines this close show on the to-do lists.
    pub reminder_horizon_days: i64,
    /// E-mail: the host's `sendmail` interface (postfix, msmtp… relaying to the territory's SMTP
    /// server). `None`: notifications stay in the application.
    pub sendmail: Option<std::path::PathBuf>,
    /// The application's public address, for links in e-mails.
    pub base_url: String,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            status_rules: StatusRules::default(),
            session_hours: 10,
            max_failed_logins_per_account: 5,
            max_failed_logins_per_client: 20,
            throttle_window_secs: 15 * 60,
            page_size: 50,
            retention_active_days: 730,
            retention_archive_days: 1095,
            audit_retention_days: 365,
            alert_files_per_day: 50,
            internal_threshold: 5,
            cca_access_delay_days: 7,
            referral_wait_days: 15,
            reminder_horizon_days: 14,
            sendmail: None,
            base_url: "http://127.0.0.1:8080".into(),
        }
    }
}

/// Where "today" comes from: the system clock, or a fixed day (tests, demos of a past date).
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Fixed(Date),
}

impl Clock {
    pub fn today(self) -> Date {
        match self {
            Self::System => domain::local_time::local_day(time::OffsetDateTime::now_utc()),
            Self::Fixed(d) => d,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Missing, or refused by the policy: the caller cannot tell which (no existence leak).
    #[error("introuvable")]
    NotFound,
    /// Refused for an action that reveals nothing about a record (e.g. administration).
    #[error("accès refusé")]
    Forbidden,
    #[error("identifiants invalides")]
    BadCredentials,
    #[error("trop de tentatives de connexion : réessayez dans quelques minutes")]
    Throttled,
    #[error("{0}")]
    Invalid(#[from] InvalidInput),
    #[error("aucune clé de chiffrement n'est configurée (PARCOURS_KEYRING_FILE) : le compartiment sensible est indisponible")]
    NoKeyring,
    #[error("une donnée sensible est illisible avec les clés configurées")]
    Undecryptable,
    #[error(transparent)]
    Store(#[from] store::StoreError),
}

impl From<store::SqlxError> for AppError {
    fn from(e: store::SqlxError) -> Self {
        Self::Store(store::StoreError::Db(e))
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Config,
    pub clock: Clock,
    /// Field-encryption keys (from the environment or a key file, never the database).
    pub keyring: Option<std::sync::Arc<store::crypto::Keyring>>,
    throttle: std::sync::Arc<throttle::Throttle>,
    reads: std::sync::Arc<observatory::Reads>,
    /// A linkage run asked from the review queue is computing ([`linkage_run::RunTicket`]).
    linkage_running: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl App {
    pub fn new(store: Store, config: Config, clock: Clock) -> Self {
        let throttle =
            std::sync::Arc::new(throttle::Throttle::new(std::time::Duration::from_secs(config.throttle_window_secs)));
        Self {
            store,
            config,
            clock,
            keyring: None,
            throttle,
            reads: Default::default(),
            linkage_running: Default::default(),
        }
    }

    pub fn with_keyring(mut self, keyring: store::crypto::Keyring) -> Self {
        self.keyring = Some(std::sync::Arc::new(keyring));
        self
    }

    pub fn today(&self) -> Date {
        self.clock.today()
    }

    /// The instant temporary grants are checked against (RFC 3339, UTC), on the app's day: a
    /// fixed clock keeps today's time of day on its fixed date, so tests and demos of a past date
    /// see session windows as their users would.
    pub fn now_ts(&self) -> String {
        let now = time::OffsetDateTime::now_utc();
        let now = match self.clock {
            Clock::System => now,
            Clock::Fixed(d) => now.replace_date(d),
        };
        now.format(&time::format_description::well_known::Rfc3339).expect("UTC timestamps always format")
    }
}
