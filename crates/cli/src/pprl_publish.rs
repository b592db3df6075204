//! What `pprl link` prints by default: the figures of a campaign as they may leave the linkage
//! unit — each partner's persons, each two partners' common persons, the unique persons and those
//! known to several partners — with those under the threshold masked and, where the others would
//! give them back, the others withheld too (`domain::publication::protect_overlaps`).

use domain::publication::{protect_overlaps, OverlapFigure as Figure, OverlapShown as Shown, MAX_EXACT_PARTNERS};
use linkage::pprl::{Dataset, LinkReport};

/// The persons known to exactly each combination of partners (bit p: partner p).
fn regions(ds: &Dataset, report: &LinkReport) -> Vec<u64> {
    let partners = ds.partners();
    let mut mask_of: std::collections::HashMap<u32, usize> = std::collections::HashMap::new();
    for (i, &c) in report.cluster_of.iter().enumerate() {
        let p = partners.iter().position(|name| name == ds.partner_of(i)).expect("a known partner");
        *mask_of.entry(c).or_default() |= 1 << p;
    }
    let mut regions = vec![0u64; 1 << partners.len()];
    for mask in mask_of.into_values() {
        regions[mask] += 1;
    }
    regions
}

fn shown(s: Shown) -> String {
    match s {
        Shown::Value(v) => v.to_string(),
        Shown::Below(t) => format!("< {t}"),
        Shown::Withheld => "secret (masqué pour protéger un petit nombre)".to_owned(),
    }
}

/// The publishable figures, as text.
pub fn publishable(ds: &Dataset, report: &LinkReport, threshold: u32) -> anyhow::Result<String> {
    let partners = ds.partners();
    if partners.len() > MAX_EXACT_PARTNERS {
        anyhow::bail!(
            "{} partenaires : au-delà de {MAX_EXACT_PARTNERS}, le masquage des chiffres publiables n'est pas vérifiable exactement ; --exact donne le rapport complet, à ne pas publier",
            partners.len()
        );
    }
    let figures = protect_overlaps(partners.len(), &regions(ds, report), threshold);
    let of = |f: Figure| figures.iter().find(|x| x.0 == f).map(|x| shown(x.2)).expect("every figure");
    let mut out = format!("Chiffres à publier (seuil de secret statistique : {threshold})\n");
    out.push_str(&format!("Personnes uniques : {}\n", of(Figure::Unique)));
    out.push_str(&format!("Personnes connues de plusieurs partenaires : {}\n", of(Figure::Shared)));
    for (p, name) in partners.iter().enumerate() {
        let common: Vec<String> = (0..partners.len())
            .filter(|&q| q != p)
            .map(|q| format!("{} avec {}", of(Figure::Common(p.min(q), p.max(q))), partners[q]))
            .collect();
        out.push_str(&format!("  {name} : {} personnes, dont {}\n", of(Figure::Partner(p)), common.join(", ")));
    }
    Ok(out)
}
