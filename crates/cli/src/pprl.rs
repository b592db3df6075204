//! `parcours pprl …`: privacy-preserving linkage between partners.
//!
//! `keygen` creates the campaign's shared secret; `encode` turns a partner's records into keyed
//! Bloom filters (all or nothing: a malformed row stops everything, nothing is written); `link`
//! links the encodings of several partners and counts the unique persons. See `docs/pprl.md`.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Subcommand;
use linkage::pprl::{
    link, synthetic, Dataset, EncodedRecord, Encoder, Filter, LinkOptions, LinkReport, Params, PlainRecord, Scheme,
    Secret, Slot, Var,
};

#[derive(Subcommand)]
pub enum PprlCommand {
    /// Create a campaign's shared secret: 32 random bytes, in hexadecimal, in a new file only
    /// its owner can read. To be handed to the partners out of band, never to the linkage unit.
    Keygen {
        /// The file to create (refused if it exists).
        out: PathBuf,
    },
    /// Encode a partner's records as keyed Bloom filters (CSV on standard output).
    ///
    /// Input header: id,family_name,given_names,birth_date,sex,commune (any order; other
    /// columns, e.g. truth, are ignored), and optionally birth_name (the birth name kept apart
    /// from the used one; `Martin née Dupont` in family_name works too). Output: partner, id,
    /// scheme, block_key and one filter per field, in base64 — no name, no date, no commune.
    Encode {
        /// The shared secret (at least 32 bytes of entropy; `parcours pprl keygen`).
        #[arg(long)]
        secret_file: PathBuf,
        /// The partner's name in the encodings (default: the input file's name).
        #[arg(long)]
        partner: Option<String>,
        /// BLIP ε: each bit flipped with probability 1/(1+e^ε). Smaller is more private and
        /// less precise.
        #[arg(long, default_value_t = 4.0)]
        blip_epsilon: f64,
        /// No BLIP (deterministic filters: identical values give identical filters).
        #[arg(long)]
        no_blip: bool,
        /// Length in bits of the name filters.
        #[arg(long, default_value_t = 1000)]
        bits: usize,
        /// Hash positions per bigram in the name filters.
        #[arg(long, default_value_t = 20)]
        hashes: usize,
        /// Do not write the keyed birth-year + sex blocking key (the linkage unit then learns
        /// neither, and blocks on the name LSH only: about 3 % of the true pairs lost).
        #[arg(long)]
        no_block_key: bool,
        /// Deduplicate the partner's own records first, in clear and on the spot, with the
        /// engine of the by-name list: the records found to be one person share a person number
        /// in the encodings, and the linkage unit counts them once.
        #[arg(long)]
        dedupe: bool,
        /// Write here instead of standard output (created only if every row is valid).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// The partner's records (CSV).
        input: PathBuf,
    },
    /// Link the encodings of several partners and count the unique persons across them.
    Link {
        /// Encoding files (`parcours pprl encode`), one or more per partner.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Minimum match probability of a link.
        #[arg(long, default_value_t = 0.9)]
        threshold: f64,
        /// Number of MinHash LSH bands over the name filters (0: blocking on the keyed
        /// birth-year + sex key only).
        #[arg(long, default_value_t = 24)]
        lsh_bands: usize,
        /// No blocking on the keyed birth-year + sex key (LSH only: 5 to 12 times fewer pairs,
        /// about 3 % of the true pairs lost, and the m keep their priors; see docs/pprl.md).
        #[arg(long)]
        no_year_sex: bool,
        /// Write the retained links here (partner and record ids, probability, levels).
        #[arg(long)]
        pairs_out: Option<PathBuf>,
        /// Write each record's person number here.
        #[arg(long)]
        clusters_out: Option<PathBuf>,
        /// Also print the fitted models (m, u and weight of every comparison level).
        #[arg(long)]
        verbose: bool,
        /// Print the exact report, for the linkage unit's operator only: every count as
        /// computed, candidate pairs, links, times. Without it, only the figures that may leave
        /// the unit are printed: those under the threshold masked, and those that would give
        /// them back withheld (at most 10 partners).
        #[arg(long)]
        exact: bool,
        /// The statistical disclosure threshold of the publishable figures.
        #[arg(long, default_value_t = domain::publication::DEFAULT_THRESHOLD)]
        publication_threshold: u32,
    },
    /// Invented records of two partners overlapping by a share, for trials and measures
    /// (`a.csv`, `b.csv` with a truth column).
    #[command(hide = true)]
    Synth {
        #[arg(long, default_value_t = 1000)]
        records: usize,
        #[arg(long, default_value_t = 0.5)]
        overlap: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out_dir: PathBuf,
    },
}

pub fn run(command: &PprlCommand) -> anyhow::Result<()> {
    match command {
        PprlCommand::Keygen { out } => keygen(out),
        PprlCommand::Encode {
            secret_file,
            partner,
            blip_epsilon,
            no_blip,
            bits,
            hashes,
            no_block_key,
            dedupe,
            output,
            input,
        } => {
            let mut params = Params { blip_epsilon: (!no_blip).then_some(*blip_epsilon), ..Params::default() };
            for f in [0, 1, 2] {
                params.fields[f] = linkage::pprl::FieldParams { bits: *bits, k: *hashes };
            }
            let partner = match partner {
                Some(p) => p.clone(),
                None => {
                    input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "partenaire".into())
                }
            };
            let options = EncodeOptions { block_key: !no_block_key, dedupe: *dedupe };
            encode(secret_file, &partner, params, options, input, output.as_deref())
        }
        PprlCommand::Link {
            files,
            threshold,
            lsh_bands,
            no_year_sex,
            pairs_out,
            clusters_out,
            verbose,
            exact,
            publication_threshold,
        } => {
            if !(0.0..=1.0).contains(threshold) {
                bail!("--threshold est une probabilité, entre 0 et 1");
            }
            if *no_year_sex && *lsh_bands == 0 {
                bail!("--no-year-sex avec --lsh-bands 0 : aucune règle de blocage");
            }
            let options = LinkOptions {
                threshold: *threshold,
                lsh_bands: *lsh_bands,
                block_on_year_sex: !no_year_sex,
                ..LinkOptions::default()
            };
            let outputs = LinkOutputs {
                pairs_out: pairs_out.as_deref(),
                clusters_out: clusters_out.as_deref(),
                verbose: *verbose,
                publish: (!exact).then_some(*publication_threshold),
            };
            link_files(files, &options, &outputs)
        }
        PprlCommand::Synth { records, overlap, seed, out_dir } => synth(*records, *overlap, *seed, out_dir),
    }
}

// ---- keygen -----------------------------------------------------------------------------------

fn keygen(out: &Path) -> anyhow::Result<()> {
    if out.exists() {
        bail!("{} existe déjà : refus de l'écraser", out.display());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(out).with_context(|| format!("création de {}", out.display()))?;
    file.write_all(Secret::generate_file_content().as_bytes())?;
    file.sync_all()?;
    let secret = read_secret(out)?;
    eprintln!(
        "Secret créé : {} (empreinte {}). À remettre aux partenaires hors bande, jamais à l'unité de couplage ; \
         un nouveau secret par campagne.",
        out.display(),
        secret.fingerprint()
    );
    Ok(())
}

/// Reads and checks the secret file; its content never appears in a message.
fn read_secret(path: &Path) -> anyhow::Result<Secret> {
    let content = match std::fs::read(path) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            bail!("fichier secret introuvable : {}", path.display())
        }
        Err(e) => bail!("lecture du fichier secret {} impossible : {e}", path.display()),
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if std::fs::metadata(path).map(|m| m.permissions().mode() & 0o077 != 0).unwrap_or(false) {
            eprintln!("attention : {} est lisible par d'autres utilisateurs (chmod 600 conseillé)", path.display());
        }
    }
    Secret::from_file_content(&content).map_err(|e| anyhow::anyhow!("{} : {e}", path.display()))
}

// ---- encode -----------------------------------------------------------------------------------

const INPUT_COLUMNS: [&str; 6] = ["id", "family_name", "given_names", "birth_date", "sex", "commune"];

struct EncodeOptions {
    /// Write the keyed birth-year + sex blocking key.
    block_key: bool,
    /// Deduplicate the partner's records first ([`crate::pprl_dedupe`]).
    dedupe: bool,
}

fn encode(
    secret_file: &Path,
    partner: &str,
    params: Params,
    options: EncodeOptions,
    input: &Path,
    output: Option<&Path>,
) -> anyhow::Result<()> {
    let EncodeOptions { block_key, dedupe } = options;
    if partner.trim().is_empty() {
        bail!("--partner : nom de partenaire vide");
    }
    let secret = read_secret(secret_file)?;
    let mut encoder = Encoder::new(&secret, params).map_err(|e| anyhow::anyhow!("paramètres : {e}"))?;
    drop(secret);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(input)
        .with_context(|| format!("ouverture de {}", input.display()))?;
    let headers =
        reader.headers().with_context(|| format!("{} : ligne 1 (en-tête) illisible", input.display()))?.clone();
    let mut columns = [0usize; 6];
    for (c, name) in columns.iter_mut().zip(INPUT_COLUMNS) {
        *c = headers.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == name).with_context(|| {
            format!(
                "{} : ligne 1 : colonne « {name} » absente (en-tête attendu : {})",
                input.display(),
                INPUT_COLUMNS.join(",")
            )
        })?;
    }
    // optional: the birth name when the file keeps it apart from the used name
    let birth_name_c = headers.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == "birth_name");

    let mut records: Vec<PlainRecord> = Vec::new();
    // the same rows as the clear-text engine reads them, for --dedupe
    let mut rows: Vec<crate::pprl_dedupe::Row> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    let mut ids: HashSet<String> = HashSet::new();
    for row in reader.records() {
        let row = match row {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or_else(|| "?".into(), |p| p.line().to_string());
                let reason = match e.kind() {
                    csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                        format!("{len} colonne(s) au lieu de {expected_len}")
                    }
                    csv::ErrorKind::Utf8 { .. } => "texte qui n'est pas de l'UTF-8".into(),
                    _ => "ligne CSV illisible".into(),
                };
                errors.push(format!("ligne {line} : {reason}"));
                continue;
            }
        };
        let line = row.position().map_or(0, |p| p.line());
        let v = |i: usize| row.get(columns[i]).unwrap_or("");
        let birth_name = birth_name_c.and_then(|c| row.get(c)).unwrap_or("");
        match PlainRecord::parse(v(0), v(1), v(2), v(3), v(4), v(5)).map(|r| r.with_birth_name(birth_name)) {
            Ok(r) if !ids.insert(r.id.clone()) => {
                errors.push(format!("ligne {line} : identifiant « {} » en double", r.id))
            }
            Ok(r) => {
                if dedupe {
                    let values = [v(1), v(2), v(3), v(4), v(5), birth_name].map(str::to_owned);
                    rows.push(crate::pprl_dedupe::Row { id: r.id.clone(), values });
                }
                records.push(r)
            }
            Err(reason) => errors.push(format!("ligne {line} : {reason}")),
        }
    }
    if !errors.is_empty() {
        let shown: Vec<&str> = errors.iter().take(20).map(String::as_str).collect();
        let more = if errors.len() > 20 { format!("\n… et {} autre(s)", errors.len() - 20) } else { String::new() };
        bail!(
            "{} : {} ligne(s) invalide(s), rien n'a été écrit :\n{}{more}",
            input.display(),
            errors.len(),
            shown.join("\n")
        );
    }

    let persons = if dedupe {
        let (numbers, n) = crate::pprl_dedupe::local_persons(&rows, birth_name_c.is_some())?;
        eprintln!("Dédoublonnage chez le partenaire : {} enregistrement(s), {n} personne(s)", rows.len());
        Some(numbers)
    } else {
        None
    };
    drop(rows);
    let mut out = csv::Writer::from_writer(Vec::with_capacity(records.len() * 1500));
    let mut header = vec!["partner", "id", "scheme", "block_key"];
    header.extend(Slot::ALL.iter().map(|s| s.column()));
    header.push("person");
    out.write_record(&header)?;
    let scheme = encoder.scheme().to_string();
    for (i, r) in records.iter().enumerate() {
        let e = encoder.encode(partner, r);
        let block = if block_key { e.block.unwrap_or_default() } else { String::new() };
        let mut row = vec![e.partner, e.id, scheme.clone(), block];
        row.extend(e.filters.iter().map(|f| f.as_ref().map(Filter::to_base64).unwrap_or_default()));
        row.push(persons.as_ref().map(|p| p[i].to_string()).unwrap_or_default());
        out.write_record(&row)?;
    }
    let bytes = out.into_inner().map_err(|e| anyhow::anyhow!("écriture : {e}"))?;
    match output {
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&bytes)?;
            stdout.flush()?;
        }
        Some(path) => {
            let tmp = path.with_extension("tmp-pprl");
            std::fs::write(&tmp, &bytes).with_context(|| format!("écriture de {}", tmp.display()))?;
            std::fs::rename(&tmp, path).with_context(|| format!("écriture de {}", path.display()))?;
        }
    }
    eprintln!("{} enregistrement(s) encodé(s) pour « {partner} » ({scheme})", records.len());
    Ok(())
}

// ---- link -------------------------------------------------------------------------------------

fn read_encodings(files: &[PathBuf]) -> anyhow::Result<Dataset> {
    let mut dataset: Option<Dataset> = None;
    let mut scheme_text = String::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut partners_by_file: Vec<(String, HashSet<String>)> = Vec::new();
    for (file_no, path) in files.iter().enumerate() {
        let name = path.display().to_string();
        let mut reader = csv::Reader::from_path(path).with_context(|| format!("ouverture de {name}"))?;
        let headers = reader.headers().with_context(|| format!("{name} : en-tête illisible"))?.clone();
        let col = |c: &str| {
            headers
                .iter()
                .position(|h| h == c)
                .with_context(|| format!("{name} : colonne « {c} » absente (pas un encodage ?)"))
        };
        let (partner_c, id_c, scheme_c, block_c) = (col("partner")?, col("id")?, col("scheme")?, col("block_key")?);
        let slot_c: Vec<usize> = Slot::ALL.iter().map(|s| col(s.column())).collect::<Result<_, _>>()?;
        // optional: the partner's own person numbers (`encode --dedupe`)
        let person_c = headers.iter().position(|h| h == "person");
        let mut partners_here = HashSet::new();
        for row in reader.records() {
            let row = row.with_context(|| format!("{name} : ligne illisible"))?;
            let line = row.position().map_or(0, |p| p.line());
            let at = |msg: String| anyhow::anyhow!("{name} : ligne {line} : {msg}");
            let scheme_here = row.get(scheme_c).unwrap_or("");
            let ds = match &mut dataset {
                Some(ds) => {
                    if scheme_here != scheme_text {
                        return Err(at(format!(
                            "schéma « {scheme_here} » différent de « {scheme_text} » : autre secret ou autres paramètres, \
                             les encodages ne sont pas comparables"
                        )));
                    }
                    ds
                }
                None => {
                    let scheme: Scheme = scheme_here.parse().map_err(at)?;
                    scheme_text = scheme_here.to_string();
                    dataset.insert(Dataset::new(scheme))
                }
            };
            let params = &ds.scheme().params;
            let mut filters: [Option<Filter>; Slot::COUNT] = Default::default();
            for (k, slot) in Slot::ALL.iter().enumerate() {
                let text = row.get(slot_c[k]).unwrap_or("");
                if !text.is_empty() {
                    let f = Filter::from_base64(text, params.field(slot.field()).bits)
                        .map_err(|e| at(format!("{} : {e}", slot.column())))?;
                    filters[k] = Some(f);
                }
            }
            let partner = row.get(partner_c).unwrap_or("").to_string();
            let id = row.get(id_c).unwrap_or("").to_string();
            if partner.is_empty() || id.is_empty() {
                return Err(at("partenaire ou identifiant vide".into()));
            }
            if !seen.insert((partner.clone(), id.clone())) {
                return Err(at(format!("enregistrement « {id} » de « {partner} » en double")));
            }
            partners_here.insert(partner.clone());
            let block = Some(row.get(block_c).unwrap_or("").to_string()).filter(|b| !b.is_empty());
            // a partner's numbers hold within one of its files (each `encode --dedupe` numbers
            // from 1): two files of one partner must not join their number 1s
            let person = person_c.and_then(|c| row.get(c)).filter(|p| !p.is_empty()).map(|p| format!("{file_no}:{p}"));
            ds.push(&EncodedRecord { partner, id, block, filters, person }).map_err(at)?;
        }
        for (other, theirs) in &partners_by_file {
            if let Some(p) = theirs.intersection(&partners_here).next() {
                eprintln!("attention : le partenaire « {p} » figure dans {other} et dans {name} (traités comme un seul partenaire)");
            }
        }
        partners_by_file.push((name, partners_here));
    }
    dataset.context("aucun enregistrement dans les encodages")
}

/// What `pprl link` writes besides its report.
struct LinkOutputs<'a> {
    pairs_out: Option<&'a Path>,
    clusters_out: Option<&'a Path>,
    verbose: bool,
    /// Only the publishable figures, at this threshold (`None`: the exact report).
    publish: Option<u32>,
}

fn link_files(files: &[PathBuf], options: &LinkOptions, outputs: &LinkOutputs<'_>) -> anyhow::Result<()> {
    let LinkOutputs { pairs_out, clusters_out, verbose, publish } = *outputs;
    let t0 = std::time::Instant::now();
    let ds = read_encodings(files)?;
    let read_time = t0.elapsed();
    if ds.partners().len() < 2 {
        eprintln!("attention : un seul partenaire, aucune paire à comparer");
    }
    let report = link(&ds, options);
    match publish {
        Some(threshold) => print!("{}", crate::pprl_publish::publishable(&ds, &report, threshold)?),
        None => print_report(&ds, &report, options, read_time),
    }
    if verbose && publish.is_none() {
        print_models(&report);
    }
    if let Some(path) = pairs_out {
        write_pairs(&ds, &report, path)?;
    }
    if let Some(path) = clusters_out {
        let mut w = csv::Writer::from_path(path).with_context(|| format!("écriture de {}", path.display()))?;
        w.write_record(["partner", "id", "person"])?;
        for (i, c) in report.cluster_of.iter().enumerate() {
            w.write_record([ds.partner_of(i), ds.id(i), &(c + 1).to_string()])?;
        }
        w.flush()?;
    }
    Ok(())
}

fn secs(d: std::time::Duration) -> String {
    format!("{:.2} s", d.as_secs_f64()).replace('.', ",")
}

fn print_report(ds: &Dataset, r: &LinkReport, o: &LinkOptions, read_time: std::time::Duration) {
    let partners = ds.partners();
    let per: Vec<String> = partners.iter().zip(&r.records_per_partner).map(|(p, n)| format!("{p} : {n}")).collect();
    println!("Enregistrements : {} ({} partenaires — {})", r.records, partners.len(), per.join(" ; "));
    if r.grouped_by_partners > 0 {
        println!(
            "  dont {} regroupé(s) avec un autre du même partenaire par son propre dédoublonnage",
            r.grouped_by_partners
        );
    }
    println!("Paires candidates : {}", r.candidates);
    let (ys, lsh): (Vec<_>, Vec<_>) = r.candidates_by_rule.iter().partition(|(name, _)| !name.starts_with("LSH"));
    for (name, n) in ys {
        println!("  {name} : {n}");
    }
    if !lsh.is_empty() {
        let n: u64 = lsh.iter().map(|(_, n)| n).sum();
        println!("  LSH MinHash sur les filtres nom + premier prénom ({} bandes) : {n} paires de plus", lsh.len());
    }
    if r.skipped_blocks > 0 {
        println!("  {} bloc(s) de plus de {} enregistrements ignoré(s)", r.skipped_blocks, o.max_block);
    }
    let refused = r.links.iter().filter(|l| l.refused).count();
    println!(
        "Liens (probabilité ≥ {}) : {} retenus, {} refusés (deux enregistrements d'un même partenaire)",
        o.threshold.to_string().replace('.', ","),
        r.links.len() - refused,
        refused
    );
    println!("Personnes uniques : {}", r.unique_persons);
    println!("Personnes connues de plusieurs partenaires : {}", r.shared_persons);
    println!("Recouvrement (personnes connues des deux partenaires) :");
    for (p, name) in partners.iter().enumerate() {
        let others: Vec<String> = partners
            .iter()
            .enumerate()
            .filter(|&(q, _)| q != p)
            .map(|(q, other)| format!("{} avec {other}", r.overlap[p][q]))
            .collect();
        println!("  {name} : {} personnes, dont {}", r.overlap[p][p], others.join(", "));
    }
    println!(
        "Temps : lecture {} ; blocage {} ; comparaisons et EM {} ; total {}",
        secs(read_time),
        secs(r.blocking_time),
        secs(r.comparison_time),
        secs(read_time + r.total_time)
    );
}

fn print_models(r: &LinkReport) {
    for (name, m) in &r.models {
        println!("Modèle des paires « {name} » : part de liens {:.4}, {} itérations d'EM", m.lambda, m.iterations);
        for (k, v) in Var::ALL.iter().enumerate() {
            for (l, level) in v.levels().iter().enumerate().take(v.levels().len() - 1) {
                println!(
                    "  {:10} {:22} m = {:.4}  u = {:.6}  poids = {:+.2}",
                    v.name(),
                    level,
                    m.m[k][l],
                    m.u[k][l],
                    m.level_weight(k, l as u8)
                );
            }
        }
    }
}

fn write_pairs(ds: &Dataset, r: &LinkReport, path: &Path) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_path(path).with_context(|| format!("écriture de {}", path.display()))?;
    let mut header = vec!["partner_a", "id_a", "partner_b", "id_b", "probability", "weight", "retained"];
    header.extend(Var::ALL.iter().map(|v| v.name()));
    header.push("person");
    w.write_record(&header)?;
    for l in &r.links {
        let (a, b) = (l.a as usize, l.b as usize);
        let mut row = vec![
            ds.partner_of(a).to_string(),
            ds.id(a).to_string(),
            ds.partner_of(b).to_string(),
            ds.id(b).to_string(),
            format!("{:.6}", l.probability),
            format!("{:.2}", l.weight),
            (!l.refused).to_string(),
        ];
        row.extend(Var::ALL.iter().zip(&l.levels).map(|(v, &x)| v.levels()[usize::from(x)].to_string()));
        row.push((r.cluster_of[a] + 1).to_string());
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

// ---- synth ------------------------------------------------------------------------------------

fn synth(records: usize, overlap: f64, seed: u64, out_dir: &Path) -> anyhow::Result<()> {
    if !(0.0..=1.0).contains(&overlap) {
        bail!("--overlap : entre 0 et 1");
    }
    std::fs::create_dir_all(out_dir)?;
    let (a, b) = synthetic::two_partners(records, overlap, seed);
    for (name, rows) in [("a.csv", a), ("b.csv", b)] {
        let path = out_dir.join(name);
        let mut w = csv::Writer::from_path(&path).with_context(|| format!("écriture de {}", path.display()))?;
        w.write_record(["id", "family_name", "given_names", "birth_date", "sex", "commune", "truth"])?;
        for r in rows {
            w.write_record([
                &r.id,
                &r.family_name,
                &r.given_names,
                &r.birth_date,
                &r.sex,
                &r.commune,
                &r.truth.to_string(),
            ])?;
        }
        w.flush()?;
    }
    eprintln!("{} et {} écrits", out_dir.join("a.csv").display(), out_dir.join("b.csv").display());
    Ok(())
}
