// Automated accessibility audit of a running parcours server: every screen, as the demo account
// that uses it, checked by axe-core against WCAG 2.0 and 2.1, levels A and AA (what RGAA 4
// builds on). Also the screens a form leads to: the check at entry, a form returned with errors.
//
//   node .ci/smoke/a11y.mjs http://127.0.0.1:18080
//
// Fails (exit 1) on any violation, listing each rule with the elements it found. axe cannot
// judge everything (the sense of a text alternative, the order of reading): it is a floor, not
// the audit a person does.
import { launch } from './browser.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const BASE = new URL(process.argv[2] ?? process.env.PARCOURS_URL ?? 'http://127.0.0.1:18080');
const url = (p) => new URL(p, BASE.origin).href;
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const browser = await launch();
const failures = [];
let audited = 0;

async function audit(page, label) {
  label = `${label} [${device}]`;
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(
    (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }),
    TAGS,
  );
  audited += 1;
  for (const v of result.violations) {
    const nodes = v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary?.split('\n').slice(1).join(' ').trim()}`);
    failures.push(`${label}: ${v.id} (${v.impact}) ${v.help}\n      ${nodes.join('\n      ')}`);
  }
  console.log(`  ${result.violations.length ? 'FAIL' : 'ok  '}  ${label}${result.violations.length ? ` (${result.violations.map((v) => v.id).join(', ')})` : ''}`);
}

async function session(email, fn) {
  const context = await browser.newContext({ viewport, locale: 'fr-FR', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(url('/login'));
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', 'demo');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  const visit = async (p, label = p) => {
    if (!p) {
      failures.push(`${label} [${device}]: no link to it found as ${email}`);
      return false;
    }
    const resp = await page.goto(url(p), { waitUntil: 'load' });
    if (!resp || resp.status() !== 200) {
      failures.push(`${label}: answered ${resp?.status()} as ${email}`);
      return false;
    }
    await audit(page, `${label} (${email.split('@')[0]})`);
    return true;
  };
  const firstLink = async (p, prefix) => {
    await page.goto(url(p), { waitUntil: 'load' });
    const hrefs = await page.locator(`a[href^="${prefix}"]`).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    return hrefs.find((h) => /\/\d+$/.test(h));
  };
  await fn({ page, visit, firstLink });
  await context.close();
}

// a laptop, then a tablet held upright (tables scroll sideways there)
const VIEWPORTS = [
  ['laptop', { width: 1280, height: 900 }],
  ['tablet', { width: 820, height: 1180 }],
];
let viewport;
let device;

try {
  for ([device, viewport] of VIEWPORTS) {
  // the login page, before anyone logs in
  {
    const context = await browser.newContext({ viewport, locale: 'fr-FR', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(url('/login'));
    await audit(page, '/login');
    await page.fill('input[name="email"]', 'referent@demo.parcours.test');
    await page.fill('input[name="password"]', 'not-the-password');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    await audit(page, '/login with a wrong password');
    await context.close();
  }

  await session('referent@demo.parcours.test', async ({ page, visit, firstLink }) => {
    await visit('/menages');
    await visit('/menages?statut=sans-solution&q=ma', '/menages, filtered');
    await visit('/a-faire');
    await visit('/menages/nouveau');
    const household = await firstLink('/menages', '/menages/');
    await visit(household, '/menages/{id}');
    await visit(`${household}/sensible`, '/menages/{id}/sensible');
    await visit(`${household}/saisine`, '/menages/{id}/saisine');
    // a household's reference person entered again: the check at entry
    await page.goto(url('/menages/nouveau'));
    const name = ((await page.evaluate(async (h) => {
      const r = await fetch(h);
      const doc = new DOMParser().parseFromString(await r.text(), 'text/html');
      return doc.querySelector('h1')?.textContent ?? '';
    }, household)) || '').trim().split(/\s+/);
    await page.fill('#family_name', name[0] ?? 'Martin');
    await page.fill('#given_names', name.slice(1).join(' ') || 'Marie');
    await Promise.all([page.waitForNavigation(), page.click('form.form button[type="submit"]')]);
    await audit(page, '/menages (POST), the check at entry');
    // the member form with a person on file who looks alike (the household's own reference)
    await page.goto(url(household));
    await page.fill('#mbr-nom', name[0] ?? 'Martin');
    await page.fill('#mbr-prenom', name.slice(1).join(' ') || 'Marie');
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/membres#f-mbr"] button[type="submit"]')]);
    await audit(page, '/menages/{id}/membres (POST), the check at entry');
    // a form returned with an error: a future date
    await page.goto(url(household));
    await page.fill('#mbr-nom', 'Zérobiane');
    await page.fill('#mbr-prenom', 'Ilyès');
    await page.fill('#mbr-from', '2099-01-01');
    await page.evaluate(() => document.querySelector('#mbr-from').removeAttribute('max'));
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/membres#f-mbr"] button[type="submit"]')]);
    await audit(page, '/menages/{id}/membres (POST), an error');
  });

  await session('siao@demo.parcours.test', async ({ page, visit, firstLink }) => {
    await visit('/menages');
    await visit('/doublons');
    await visit('/doublons/decisions');
    // filtered to nothing (the coordination follows no household), after a withdrawal
    await visit('/doublons/decisions?fait=retrait&suivis=1', '/doublons/decisions?fait=retrait&suivis=1');
    // the demo at its default size leaves pairs to review (at 300 households it leaves none)
    const pair = await firstLink('/doublons', '/doublons/');
    await visit(pair, '/doublons/{id}');
    // a decision sent without its ground (the browser would hold it): the form comes back with its error
    await page.goto(url(pair));
    await page.check('#d-meme');
    await page.evaluate(() => document.querySelectorAll('input[name="motif"]').forEach((i) => i.removeAttribute('required')));
    await Promise.all([page.waitForNavigation(), page.click('#decision button[type="submit"]')]);
    if ((await page.locator('#decision .alert').count()) !== 1) failures.push(`the pair's form came back without its error (${page.url()})`);
    await audit(page, '/doublons/{id} (POST), no ground given');
    // as a reviewer sees them after a decision: the next pair, or the queue when none is left
    await visit(`${pair}?fait=meme`, '/doublons/{id}?fait=meme');
    await visit('/doublons?fait=differente', '/doublons?fait=differente');
    await visit('/cca/statistiques');
  });

  await session('cca@demo.parcours.test', async ({ visit, firstLink }) => {
    await visit('/cca');
    await visit('/cca/seances');
    await visit('/cca/mesures');
    const referral = await firstLink('/cca', '/cca/saisines/');
    await visit(referral, '/cca/saisines/{id}');
    const session = await firstLink('/cca/seances', '/cca/seances/');
    await visit(session, '/cca/seances/{id}');
    await visit(`${session}/compte-rendu`, '/cca/seances/{id}/compte-rendu');
    const measure = await firstLink('/cca/mesures', '/cca/mesures/');
    await visit(measure, '/cca/mesures/{id}');
  });

  await session('ccapex@demo.parcours.test', async ({ visit, firstLink }) => {
    await visit('/ccapex');
    await visit('/ccapex/procedures/nouvelle');
    const procedure = await firstLink('/ccapex', '/ccapex/procedures/');
    await visit(procedure, '/ccapex/procedures/{id}');
  });

  await session('captation@demo.parcours.test', async ({ page, visit }) => {
    await visit('/logement/demandes');
    await visit('/logement/demandes?personnes=2&ressources=moins-500', '/logement/demandes?personnes=2&ressources=moins-500');
    await page.goto(url('/logement/demandes'));
    const summary = await page.locator('a[href$="/fiche-logement"]').first().getAttribute('href');
    await visit(summary, '/menages/{id}/fiche-logement');
    await visit('/logement/offres');
    await page.goto(url('/logement/offres'));
    const offer = await page.locator('table a[href^="/logement/offres/"]').first().getAttribute('href');
    await visit(offer, '/logement/offres/{id}');
    // the form returned with an error
    await page.goto(url('/logement/offres'));
    await page.selectOption('#commune', { index: 1 });
    await page.selectOption('#rooms', '2');
    await page.fill('#rent', '450');
    await page.fill('#available_on', '2027-01-04');
    await page.evaluate(() => { const r = document.querySelector('#rent'); r.removeAttribute('pattern'); r.value = 'beaucoup'; });
    await Promise.all([page.waitForNavigation(), page.click('#nouveau-logement button[type="submit"]')]);
    if ((await page.locator('#nouveau-logement .alert').count()) !== 1) failures.push(`the dwelling form came back without its error (${page.url()})`);
    await audit(page, '/logement/offres (POST), an error');
  });

  await session('observatoire@demo.parcours.test', async ({ visit }) => {
    await visit('/observatoire');
  });

  await session('dpo@demo.parcours.test', async ({ visit }) => {
    await visit('/dpo');
    await visit('/dpo/droits?menage=1', '/dpo/menages/{id}');
    await visit('/dpo/menages/1/export', '/dpo/menages/{id}/export');
  });

  await session('admin@demo.parcours.test', async ({ visit }) => {
    await visit('/admin');
    await visit('/admin/structures');
    await visit('/admin/comptes');
    await visit('/admin/habilitations');
  });
  }
} catch (err) {
  failures.push(`the audit stopped: ${err?.stack ?? err}`);
} finally {
  await browser.close().catch(() => {});
}

if (failures.length) {
  console.error(`a11y: ${failures.length} problem(s) on ${audited} screens:\n  - ${failures.join('\n  - ')}`);
  process.exit(1);
}
console.log(`a11y: ${audited} screens, no WCAG 2.1 A/AA violation found by axe-core`);
