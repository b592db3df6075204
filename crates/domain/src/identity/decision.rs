//! What a reviewer's decision on a pair of records rests on: a closed list, never free text, so
//! that the decisions' log can say why two files were merged (or kept apart) without holding
//! anything more about the person.

crate::cca::coded_enum! {
    /// The ground of a « same person » or « different people » decision.
    DecisionBasis, "motif" {
        IdentityDocument => "piece", "Vérifié sur une pièce d'identité ou un titre de séjour";
        Person => "personne", "Confirmé par la personne";
        Follower => "structure", "Confirmé par une structure qui la suit";
        Records => "fiches", "Les deux fiches suffisent à trancher";
        Unstated => "non_precise", "Non précisé";
    }
}

impl DecisionBasis {
    /// The grounds a reviewer may choose today; `Unstated` only marks decisions taken before
    /// the ground was asked.
    pub fn choices() -> impl Iterator<Item = Self> {
        Self::ALL.iter().copied().filter(|b| *b != Self::Unstated)
    }

    /// A ground given with a new decision: one of `choices`.
    pub fn parse_choice(code: &str) -> Result<Self, crate::InvalidInput> {
        match Self::parse(code)? {
            Self::Unstated => Err(crate::InvalidInput::new("motif", "indiquez sur quoi repose la décision")),
            b => Ok(b),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_decision_states_its_ground() {
        assert_eq!(DecisionBasis::parse_choice("piece"), Ok(DecisionBasis::IdentityDocument));
        assert!(DecisionBasis::parse_choice("non_precise").is_err());
        assert!(DecisionBasis::parse_choice("").is_err());
        assert!(DecisionBasis::parse_choice("autre chose").is_err());
        assert_eq!(DecisionBasis::choices().count(), DecisionBasis::ALL.len() - 1);
        // stored decisions read back whatever their ground, the old ones included
        for b in DecisionBasis::ALL {
            assert_eq!(DecisionBasis::parse(b.code()), Ok(*b));
        }
    }
}
