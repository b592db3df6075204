// Screenshots of a running parcours server, for docs/screenshots/.
//
//   node .ci/smoke/screenshots.mjs OUT_DIR [BASE_URL]
//
// BASE_URL defaults to $PARCOURS_URL, then http://127.0.0.1:18080. Logs in as
// the demo référent and writes full-page PNGs:
//   login.png           /login (before logging in)
//   liste.png           /menages, the list of households by name
//   menage.png          the first household of that list
//   nouveau.png         /menages/nouveau, the new-household form
//   liste-tablette.png  /menages again, at a tablet's 820x1180
// Desktop shots are 1280 wide. Full pages taller than $SCREENSHOT_MAX_HEIGHT
// (default 3000 px) are cut there, so that a long list stays a readable image.
// Exits 1 when a page cannot be reached or does not answer 200; console
// errors are reported as warnings.
import { launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const OUT = process.argv[2];
if (!OUT) {
  console.error('usage: node screenshots.mjs OUT_DIR [BASE_URL]');
  process.exit(2);
}
const ORIGIN = new URL(process.argv[3] ?? process.env.PARCOURS_URL ?? 'http://127.0.0.1:18080').origin;
const MAX_HEIGHT = Number(process.env.SCREENSHOT_MAX_HEIGHT ?? 3000);
const EMAIL = 'referent@demo.parcours.test';
const PASSWORD = 'demo';
const HOUSEHOLD_PATH = /^\/menages\/\d+$/;

mkdirSync(OUT, { recursive: true });
const url = (p) => new URL(p, ORIGIN).href;
const warnings = [];

const browser = await launch();

async function newPage(viewport, storageState) {
  const context = await browser.newContext({
    viewport,
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
    storageState,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.setDefaultNavigationTimeout(60_000);
  page.on('console', (m) => { if (m.type() === 'error') warnings.push(`${page.url()}: console error: ${m.text()}`); });
  page.on('pageerror', (e) => warnings.push(`${page.url()}: uncaught exception: ${e.message}`));
  return page;
}

function expectOk(resp, what) {
  if (!resp || resp.status() !== 200) throw new Error(`${what} answered ${resp?.status()}, expected 200`);
}

async function shot(page, file) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  const width = page.viewportSize().width;
  const target = path.join(OUT, file);
  await page.screenshot({
    path: target,
    fullPage: true,
    clip: { x: 0, y: 0, width, height: Math.min(height, MAX_HEIGHT) },
  });
  console.log(`${target}  (${page.url().replace(ORIGIN, '')}, ${width}x${Math.min(height, MAX_HEIGHT)}${height > MAX_HEIGHT ? `, cut from ${height}` : ''})`);
}

async function goto(page, p) {
  const resp = await page.goto(url(p), { waitUntil: 'load' });
  expectOk(resp, `GET ${p}`);
  return resp;
}

let exitCode = 0;
try {
  const page = await newPage({ width: 1280, height: 900 });

  await goto(page, '/login');
  await shot(page, 'login.png');

  const form = page.locator('form:has(input[name="email"]):has(input[name="password"])').first();
  await form.locator('input[name="email"]').fill(EMAIL);
  await form.locator('input[name="password"]').fill(PASSWORD);
  const [resp] = await Promise.all([
    page.waitForNavigation({ waitUntil: 'load' }),
    form.locator('button:not([type="button"]):not([type="reset"]), input[type="submit"]').first().click(),
  ]);
  expectOk(resp, 'logging in');
  if (new URL(page.url()).pathname !== '/menages') {
    throw new Error(`logging in led to ${page.url()}, expected /menages`);
  }
  await shot(page, 'liste.png');

  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
  const household = hrefs.find((h) => HOUSEHOLD_PATH.test(h));
  if (!household) throw new Error('/menages has no link to a household');
  await goto(page, household);
  await shot(page, 'menage.png');

  await goto(page, '/menages/nouveau');
  await shot(page, 'nouveau.png');

  // Tablet: same session, narrower and taller viewport.
  const state = await page.context().storageState();
  const tablet = await newPage({ width: 820, height: 1180 }, state);
  await goto(tablet, '/menages');
  await shot(tablet, 'liste-tablette.png');
} catch (err) {
  exitCode = 1;
  console.error(`screenshots: FAILED: ${String(err?.message ?? err).replace(/\x1b\[[0-9;]*m/g, '')}`);
} finally {
  await browser.close().catch(() => {});
}
for (const w of warnings) console.error(`screenshots: warning: ${w}`);
process.exit(exitCode);
