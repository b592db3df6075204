// Screenshots of the CCA screens of a running demo server, for docs/screenshots/.
//
//   node .ci/smoke/screenshots-cca.mjs OUT_DIR [BASE_URL]
//
// As the demo CCA manager: cca-boite.png (/cca), cca-saisine.png (a submitted referral),
// cca-seance.png (the coming session, agenda published), cca-compte-rendu.png (the past
// session's minutes). As the demo référent: cca-saisine-formulaire.png (a new referral).
// Exits 1 when a page does not answer 200.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const OUT = process.argv[2];
if (!OUT) {
  console.error('usage: node screenshots-cca.mjs OUT_DIR [BASE_URL]');
  process.exit(2);
}
const ORIGIN = new URL(process.argv[3] ?? process.env.PARCOURS_URL ?? 'http://127.0.0.1:18080').origin;
mkdirSync(OUT, { recursive: true });
const url = (p) => new URL(p, ORIGIN).href;
const browser = await launch();

async function loggedIn(email) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') console.error(`console error on ${page.url()}: ${m.text()}`); });
  await page.goto(url('/login'));
  await page.fill('input[name="email"]', email);
  await page.fill('input[name="password"]', 'demo');
  await Promise.all([page.waitForNavigation(), page.click('form button[type="submit"]')]);
  return page;
}

async function go(page, p) {
  const resp = await page.goto(url(p), { waitUntil: 'load' });
  if (!resp || resp.status() !== 200) throw new Error(`GET ${p} answered ${resp?.status()}`);
}

async function shot(page, file) {
  const height = Math.min(await page.evaluate(() => document.documentElement.scrollHeight), 3200);
  await page.screenshot({ path: path.join(OUT, file), clip: { x: 0, y: 0, width: 1280, height }, fullPage: true });
  console.log(path.join(OUT, file), page.url().replace(ORIGIN, ''));
}

const links = (page, re) =>
  page.locator('a[href]').evaluateAll((as, src) => as.map((a) => a.getAttribute('href')).filter((h) => new RegExp(src).test(h)), re.source);

let code = 0;
try {
  const cca = await loggedIn('cca@demo.parcours.test');
  await go(cca, '/cca');
  await shot(cca, 'cca-boite.png');
  const referrals = await links(cca, /^\/cca\/saisines\/\d+$/);
  await go(cca, referrals[0]);
  await shot(cca, 'cca-saisine.png');
  await go(cca, '/cca/seances');
  const sessions = await links(cca, /^\/cca\/seances\/\d+$/);
  await go(cca, sessions[0]);
  await shot(cca, 'cca-seance.png');
  await go(cca, `${sessions[sessions.length - 1]}/compte-rendu`);
  await shot(cca, 'cca-compte-rendu.png');

  const ref = await loggedIn('referent@demo.parcours.test');
  const households = await links(ref, /^\/menages\/\d+$/);
  await go(ref, `${households[0]}/saisine`);
  await shot(ref, 'cca-saisine-formulaire.png');
} catch (e) {
  code = 1;
  console.error(`screenshots-cca: FAILED: ${e.message}`);
} finally {
  await browser.close();
}
process.exit(code);
