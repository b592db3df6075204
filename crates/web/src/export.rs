//! The printable HTML of a rights export (shared by the DPO's screen and the CLI).

use app::rights::{ExportEntry, RightsExport};
use askama::Template;

#[derive(Template)]
#[template(path = "rights_export.html")]
struct ExportPage<'a> {
    e: &'a RightsExport,
    sections: Vec<(&'static str, &'a [ExportEntry])>,
}

impl ExportPage<'_> {
    /// The access log's instants on the territory's clock (the JSON keeps them in UTC).
    fn instant(&self, timestamp: &str) -> String {
        crate::views::fr_instant(timestamp)
    }
}

pub fn rights_html(e: &RightsExport) -> Result<String, askama::Error> {
    let notes: &[ExportEntry] = e.notes_sensibles.as_deref().unwrap_or(&[]);
    ExportPage {
        e,
        sections: vec![
            ("Situations de logement", &e.situations),
            ("Contacts et événements", &e.evenements),
            ("Structures qui vous suivent ou vous ont suivi", &e.suivis),
            ("Notice d'information", &e.notices_information),
            ("Vos choix de partage", &e.choix_de_partage),
            ("Limitations du traitement", &e.limitations),
            ("Notes sensibles (chiffrées)", notes),
            ("Rectifications", &e.rectifications),
            ("Rapprochements avec des fiches d'autres ménages", &e.rapprochements),
            ("Logements proposés", &e.logements_proposes),
        ],
    }
    .render()
}
