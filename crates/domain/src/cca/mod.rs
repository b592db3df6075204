//! The CCA workflow (DOMAIN.md §3): referral → completeness → agenda → session → decision →
//! measure → reviews → end. Every step is an explicit transition function that refuses what the
//! workflow does not allow; the store only records what these functions accepted.

pub mod measure;
pub mod referral;
pub mod session;

pub use measure::{EndReason, HousingType, MeasureEvent, MeasureState, ReviewOutcome};
pub use referral::{Need, Outcome, ReferralEvent, ReferralState};
pub use session::{access_window, SessionState};

macro_rules! coded_enum {
    ($(#[$m:meta])* $name:ident, $field:literal { $($variant:ident => $code:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];

            pub fn code(self) -> &'static str {
                match self { $(Self::$variant => $code),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            pub fn parse(code: &str) -> Result<Self, crate::InvalidInput> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code() == code.trim())
                    .ok_or_else(|| crate::InvalidInput::new($field, "valeur inconnue"))
            }
        }
    };
}
pub(crate) use coded_enum;

/// Refusal of a transition, in French, without any personal value.
pub(crate) fn illegal(from: &str, what: &str) -> crate::InvalidInput {
    crate::InvalidInput::new("étape", format!("« {what} » est impossible depuis l'état « {from} »"))
}
