//! The README published with the tables (Markdown, French): what each figure means and how it
//! was protected. The definitions are those of [`crate::indicators`], said for readers.

use std::fmt::Write;

use crate::indicators::{Dimension, Month, LONG_TERM_DAYS};
use crate::Date;

use super::measures::Measure;

/// One published table, for the README's list.
#[derive(Debug, Clone)]
pub struct FileFacts {
    pub name: String,
    pub dimension: Dimension,
    pub measure: Measure,
    pub cells: usize,
    pub suppressed: usize,
}

/// What the README says about one publication.
#[derive(Debug, Clone)]
pub struct ReadmeFacts {
    pub from: Month,
    pub to: Month,
    pub threshold: u32,
    pub generated_on: Date,
    pub inactivity_days: i64,
    pub workbook: String,
    pub files: Vec<FileFacts>,
    /// Dimensions left out because they had a single segment (their cells are the totals).
    pub skipped: Vec<Dimension>,
    pub primary: usize,
    pub secondary: usize,
    /// Distinct published totals from 1 to threshold − 1 (see [`ReadmeFacts::threshold`]).
    pub small_totals: usize,
}

pub fn readme(f: &ReadmeFacts) -> String {
    let mut s = String::new();
    let t = f.threshold;
    let _ = write!(
        s,
        "# Observatoire du sans-abrisme — données ouvertes, {from} à {to}\n\n\
         Générées le {date} par `parcours observatoire publish` à partir de la liste nominative \
         partagée du territoire (démarche Logement d'abord), telle qu'elle est connue à cette date : \
         des saisies tardives peuvent avoir modifié des mois déjà publiés auparavant.\n\n\
         Aucune donnée individuelle : uniquement des effectifs agrégés, protégés par le secret \
         statistique (seuil : {t}).\n\n",
        from = f.from,
        to = f.to,
        date = crate::format_date_fr(f.generated_on),
    );

    s.push_str("## Fichiers\n\n");
    let _ = writeln!(
        s,
        "Un fichier CSV par tableau (séparateur `;`, encodage UTF-8, en-têtes en français) et le classeur \
         `{}` qui contient les mêmes tableaux, une feuille par tableau (nom de feuille = nom du fichier \
         sans `.csv`).\n",
        f.workbook
    );
    s.push_str("| fichier | ventilation | mesure | cases | cases masquées |\n|---|---|---|---:|---:|\n");
    for file in &f.files {
        let _ = writeln!(
            s,
            "| `{}.csv` | {} | {} | {} | {} |",
            file.name,
            file.dimension.label(),
            file.measure.label(),
            file.cells,
            file.suppressed
        );
    }
    let _ = writeln!(
        s,
        "\nEn tout : {} case(s) masquée(s) parce qu'inférieures au seuil (secret primaire) et {} masquée(s) \
         pour qu'on ne puisse pas les recalculer (secret secondaire).",
        f.primary, f.secondary
    );
    if f.small_totals > 0 {
        let _ = writeln!(
            s,
            "\n**Attention** : {} total(aux) publié(s) (de ligne, de colonne ou général) compte(nt) moins de {t} \
             ménages ; les totaux sont publiés quelle que soit leur valeur (voir « Secret statistique »).",
            f.small_totals
        );
    }
    for d in &f.skipped {
        let _ = writeln!(
            s,
            "\nVentilation « {} » non publiée : une seule modalité sur la période, ses cases seraient les totaux.",
            d.label()
        );
    }

    s.push_str(READING);
    let _ = write!(s, "{}", definitions(f.inactivity_days));
    let _ = write!(s, "{}", secrecy(t));
    s
}

const READING: &str = "
## Lecture des tableaux

- Une ligne par mois (`AAAA-MM`), une colonne par modalité de la ventilation.
- Colonne **Total** : l'ensemble des ménages du mois, toutes modalités confondues ; c'est aussi la \
somme des modalités, chaque ménage étant dans exactement une modalité de la ventilation.
- Ligne **Total** : la somme des mois. Pour les entrées et les sorties, c'est le nombre de \
mouvements de la période (un ménage entré deux fois compte deux fois). Pour le stock, c'est une \
simple somme des stocks mensuels (des « ménages × mois »), pas un nombre de ménages distincts ; \
elle est publiée parce qu'elle fait partie du tableau et que le secret en tient compte.
- La case en bas à droite est le total général.
- `s` : case masquée (secret statistique). Rien ne dit si elle l'est parce qu'elle est petite ou \
pour en protéger une autre.
- `0` : personne. Les zéros sont publiés tels quels (voir plus bas).
";

fn definitions(inactivity_days: i64) -> String {
    format!(
        "
## Définitions

- **Statut en fin de mois** : le statut du ménage sur la liste nominative le dernier jour du mois : \
*actif* (sans domicile et connu), *inactif* (aucun contact depuis plus de {inactivity_days} jours), \
*logé*, *sorti du territoire*, *décédé*.
- **Stock** du mois m : les ménages actifs le dernier jour de m.
- **Entrées** du mois m : les ménages actifs à la fin de m qui ne l'étaient pas à la fin de m − 1 : \
nouvellement identifiés (rien de connu à la fin de m − 1), retours depuis le logement (logés à la fin \
de m − 1), retours depuis l'inactivité (inactifs à la fin de m − 1), autres retours (sortis du \
territoire à la fin de m − 1).
- **Sorties** du mois m : les ménages actifs à la fin de m − 1 qui ne le sont plus à la fin de m : \
sorties vers le logement (logés à la fin de m), passages à l'inactivité (inactifs à la fin de m), \
autres sorties (décès, départ du territoire).
- **Sorties vers le logement** : la part des sorties vers le logement.
- Un ménage identifié puis logé (ou devenu inactif) dans le même mois n'est actif à aucune fin de \
mois : il n'apparaît dans aucun flux.
- Identité comptable, dans chaque ligne : stock de m = stock de fin m − 1 + entrées − sorties \
(le stock de fin m − 1 étant compté dans la modalité du mois m, voir ci-dessous).
- **Modalité d'un ménage pour le mois m** : celle de la fin de m s'il est actif à la fin de m, sinon \
celle de la fin de m − 1 ; les entrées sont donc comptées là où le ménage est en fin de mois, les \
sorties là où il était quand il était actif pour la dernière fois.
- **Ventilations** : type de ménage (membres présents en fin de mois ; enfant = moins de 18 ans) ; \
âge de la personne de référence en fin de mois, en années révolues comptées depuis son *mois* de \
naissance (moins de 18, 18–24, 25–49, 50 et plus, inconnu) ; situation en fin de mois (rue, abri de \
fortune ou squat ; hôtel, hébergement ou hébergé·e chez des tiers ; autre ou inconnue) ; durée sans \
logement (au moins {LONG_TERM_DAYS} jours en situation sans logement sur les 36 mois qui finissent \
avec le mois, ou moins) ; sexe de la personne de référence ; commune du ménage (sa commune actuelle, \
une seule par ménage).
- La ventilation par organisation qui suit le ménage n'est pas publiée : un ménage peut être suivi \
par plusieurs organisations ou par aucune, les colonnes ne s'additionneraient pas.
"
    )
}

fn secrecy(t: u32) -> String {
    format!(
        "
## Secret statistique

- **Secret primaire** : toute case qui compte de 1 à {max} ménage(s) (moins de {t}) est masquée.
- **Les zéros sont publiés.** Une case vide ne désigne personne, et la masquer rendrait les \
tableaux illisibles pour les petites modalités. La contrepartie, prise en compte ci-dessous : un \
zéro publié est une information exacte dont un lecteur peut se servir pour recalculer une case.
- **Les totaux sont publiés**, quelle que soit leur valeur : totaux de ligne (l'ensemble des \
ménages du mois), totaux de colonne et total général. Un total petit (moins de {t}) est lui-même \
un petit effectif : c'est un choix assumé de la publication, à revoir si le territoire le juge \
trop fin (publication par trimestre, par exemple).
- **Secret secondaire** : d'autres cases sont masquées pour qu'aucune case masquée ne puisse être \
recalculée par différence à partir des totaux publiés. Méthode :
  1. règle classique : aucune ligne ni colonne ne contient une seule case masquée ; la case \
     masquée en complément est la plus petite de la ligne (hors zéros si possible) ;
  2. cycles : dans un tableau dont les totaux sont publiés, une case masquée se recalcule si et \
     seulement si elle n'est sur aucun cycle de cases masquées (ligne → colonne → ligne…) ; la \
     règle des deux cases par ligne ne suffit pas toujours, on complète donc par la plus petite \
     case qui ferme un cycle ;
  3. identité stock–flux : stock de m = stock de m − 1 + entrées de m − sorties de m, dans chaque \
     colonne, aux ménages qui changent de modalité près. Elle est exacte pour la commune et le \
     sexe de la personne de référence, presque toujours vraie pour le type de ménage et l'âge : \
     pour ces ventilations, les tableaux de stock, d'entrées et de sorties sont protégés ensemble, \
     comme si elle était exacte. Pour la situation et la durée sans logement, les ménages \
     changent de modalité chaque mois et l'identité ne donne qu'une estimation ;
  4. vérification exacte : les cases masquées sont traitées comme des inconnues, chaque total \
     publié et chaque identité stock–flux comme une équation linéaire ; un calcul exact (élimination \
     de Gauss en nombres entiers) vérifie qu'aucune inconnue n'a une seule valeur possible. Sinon, \
     une case de plus est masquée et tout est revérifié.
- **Limites** : la protection porte sur le recalcul exact. En ajoutant que les effectifs sont \
positifs ou nuls, un lecteur peut encadrer une case masquée (par exemple « entre 0 et 7 ») mais pas \
la connaître, tant que les cases masquées avec elle ne sont pas des zéros ; c'est pourquoi les \
zéros ne sont masqués en complément qu'en dernier recours. Les sorties vers le logement étant une \
partie des sorties, elles ne dépassent pas les sorties du même mois et de la même modalité : \
cela aussi n'est qu'un encadrement.
",
        max = t.saturating_sub(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn says_the_period_the_threshold_and_the_files() {
        let m = |s| Month::parse(s).unwrap();
        let facts = ReadmeFacts {
            from: m("2024-01"),
            to: m("2026-10"),
            threshold: 11,
            generated_on: crate::parse_date("2026-11-28").unwrap(),
            inactivity_days: 90,
            workbook: "observatoire.xlsx".into(),
            files: vec![FileFacts {
                name: "commune_stock".into(),
                dimension: Dimension::Commune,
                measure: Measure::Stock,
                cells: 60,
                suppressed: 12,
            }],
            skipped: vec![Dimension::Sexe],
            primary: 8,
            secondary: 4,
            small_totals: 0,
        };
        let text = readme(&facts);
        for expected in [
            "2024-01 à 2026-10",
            "28/11/2026",
            "| `commune_stock.csv` | Commune | Ménages actifs en fin de mois (stock) | 60 | 12 |",
            "de 1 à 10 ménage(s) (moins de 11)",
            "plus de 90 jours",
            "Les zéros sont publiés",
            "Ventilation « Sexe de la personne de référence » non publiée",
        ] {
            assert!(text.contains(expected), "{expected}");
        }
        assert!(!text.contains("**Attention**"));
        assert!(readme(&ReadmeFacts { small_totals: 3, ..facts }).contains("**Attention** : 3 total"));
    }
}
