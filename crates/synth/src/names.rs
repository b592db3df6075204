//! Generic lists of common names, the raw material of synthetic persons.
//!
//! These are frequent family and given names in France, including those of North and West
//! African, Iberian, Eastern European and Caucasian origin common among homeless people; they
//! designate nobody. Some carry accents, hyphens or particles on purpose: the noise model needs
//! them to produce realistic spelling variants.

#[rustfmt::skip]
pub(crate) const FAMILY: &[&str] = &[
    "Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand", "Dubois", "Moreau", "Laurent", "Simon",
    "Michel", "Lefèvre", "Leroy", "Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet", "Dupont",
    "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre", "Faure", "André", "Mercier", "Blanc",
    "Guérin", "Boyer", "Garnier", "Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin",
    "Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Masson", "Marchand", "Duval", "Denis", "Dumont",
    "Lemaire", "Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud", "Joly", "Rivière", "Lucas",
    "Brunet", "Gaillard", "Barbier", "Arnaud", "Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Colin",
    "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine", "Renaud", "Dumas", "Lacroix", "Olivier",
    "Philippe", "Bourgeois", "Pierre", "Rey", "Leclerc", "Payet", "Rolland", "Leblanc", "Saint-Martin",
    "Petit-Jean", "Bernard-Roux", "Le Goff", "Le Gall", "Le Roux", "Le Bihan", "Da Silva", "Dos Santos", "De Sousa",
    "Ferreira", "Pereira", "Rodrigues", "Lopez", "Sanchez", "Fernandez", "Nguyen", "N'Diaye", "Diallo", "Traoré",
    "Koné", "Camara", "Diop", "Sow", "Cissé", "Touré", "Keita", "Coulibaly", "Bamba", "Mendy", "N'Guessan", "Benali",
    "Benaïssa", "Bouzid", "Haddad", "Mansouri", "Belkacem", "Chérif", "Saïdi", "Khelifi", "El Amrani", "Ben Salah",
    "Boukhari", "Hamdi", "Popescu", "Ionescu", "Stoica", "Dumitru", "Popa", "Rusu", "Lungu", "Kowalski", "Nowak",
    "Ivanov", "Petrov", "Horváth", "Sargsyan", "Grigoryan", "Krasniqi", "Berisha", "Beridze",
];

#[rustfmt::skip]
pub(crate) const FEMALE: &[&str] = &[
    "Marie", "Anne", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Christine", "Sandrine", "Valérie", "Céline",
    "Stéphanie", "Sophie", "Aurélie", "Julie", "Émilie", "Camille", "Léa", "Manon", "Chloé", "Sarah", "Laura",
    "Hélène", "Françoise", "Monique", "Martine", "Brigitte", "Nicole", "Patricia", "Véronique", "Virginie",
    "Jessica", "Mélanie", "Audrey", "Élodie", "Pauline", "Marine", "Inès", "Jade", "Louise", "Zoé", "Emma", "Lina",
    "Marie-Claire", "Marie-Christine", "Anne-Sophie", "Marie-Hélène", "Fatima", "Fatoumata", "Aminata", "Mariam",
    "Awa", "Aïssatou", "Khadija", "Samira", "Nadia", "Yasmina", "Leïla", "Malika", "Karima", "Naïma", "Rachida",
    "Souad", "Amel", "Sonia", "Djamila", "Kadiatou", "Mariama", "Fanta", "Oumou", "Hawa", "Ioana", "Elena", "Maria",
    "Andreea", "Natalia", "Olga", "Svetlana", "Irina", "Tatiana", "Mihaela", "Nino",
];

#[rustfmt::skip]
pub(crate) const MALE: &[&str] = &[
    "Jean", "Pierre", "Michel", "Philippe", "Alain", "Patrick", "Nicolas", "Christophe", "Daniel", "Bernard", "Éric",
    "Frédéric", "Laurent", "Stéphane", "David", "Olivier", "Thierry", "Pascal", "Sébastien", "Julien", "Jérôme",
    "Thomas", "Mickaël", "Kévin", "Maxime", "Alexandre", "Romain", "Anthony", "Guillaume", "Dylan", "Lucas", "Hugo",
    "Théo", "Nathan", "Enzo", "Jean-Pierre", "Jean-Claude", "Jean-Luc", "Jean-Marc", "Jean-François", "Jean-Michel",
    "Pierre-Yves", "Mohamed", "Ahmed", "Karim", "Rachid", "Mustapha", "Youssef", "Saïd", "Abdelkader", "Hamid",
    "Farid", "Nordine", "Sofiane", "Bilal", "Mamadou", "Moussa", "Ibrahima", "Oumar", "Amadou", "Boubacar",
    "Abdoulaye", "Seydou", "Issa", "Ousmane", "Lamine", "Cheikh", "Ion", "Gheorghe", "Vasile", "Constantin",
    "Andrei", "Mihai", "Florin", "Adrian", "Dmitri", "Sergueï", "Vladimir", "Alexandru", "Arben", "Artur", "Giorgi",
];

/// Particles written apart that partners often glue to the name (`Le Goff` / `Legoff`).
pub(crate) const PARTICLES: &[&str] = &["Le", "La", "De", "Da", "Dos", "Du", "El", "Ben"];

/// Prefixes of glued names that partners sometimes split (`Benali` / `Ben Ali`, `Leroy` / `Le Roy`).
pub(crate) const GLUED_PREFIXES: &[&str] = &["Ben", "Le", "Du"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_have_the_expected_sizes_and_no_repeats() {
        for (list, min) in [(FAMILY, 140), (FEMALE, 75), (MALE, 75)] {
            assert!(list.len() >= min, "{} names", list.len());
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len(), "no repeated name");
            // names must pass NewPerson validation: no digits, no double spaces
            assert!(list.iter().all(|n| !n.is_empty() && !n.contains("  ") && !n.chars().any(|c| c.is_ascii_digit())));
        }
    }
}
