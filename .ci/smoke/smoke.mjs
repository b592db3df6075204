// Real-browser smoke test of a running parcours server.
//
//   node .ci/smoke/smoke.mjs http://127.0.0.1:18080
//
// Drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM_PATH) through
// playwright-core: log in as the demo référent, open the list of households
// by name, open one household, log out. Fails (exit 1) on any step that does
// not go as expected, and on any console error, uncaught page exception,
// failed request or same-origin response with status >= 400, except the
// ones the test provokes on purpose (a wrong password, a page asked for after
// logging out). Screenshots go to $SCREENSHOT_DIR when it is set.
import { EXECUTABLE, launch } from './browser.mjs';
import { mkdirSync } from 'node:fs';
import path from 'node:path';

const BASE = new URL(process.argv[2] ?? process.env.PARCOURS_URL ?? 'http://127.0.0.1:18080');
const ORIGIN = BASE.origin;
const SCREENSHOT_DIR = process.env.SCREENSHOT_DIR || '';
const EMAIL = 'referent@demo.parcours.test';
const PASSWORD = 'demo';
const HOUSEHOLD_PATH = /^\/menages\/\d+$/;
const OVERALL_TIMEOUT_MS = 5 * 60 * 1000;

const url = (p) => new URL(p, ORIGIN).href;

// ---------------------------------------------------------------------------
// Bookkeeping: what went wrong, what was provoked on purpose, what was checked.

const problems = [];   // unexpected errors seen in the browser
const provoked = [];   // errors seen while `deliberate` was set
let deliberate = null; // label of the step that provokes errors on purpose
let checks = 0;
let currentStep = '(start)';

function seen(what) {
  if (what.includes('/favicon.ico')) {
    what += ' (browsers ask for /favicon.ico: serve one, or name an icon with <link rel="icon">)';
  }
  if (deliberate) provoked.push(`${what}  [expected: ${deliberate}]`);
  else problems.push(`${what}  [during: ${currentStep}]`);
}

class SmokeFailure extends Error {}

function check(cond, message) {
  if (!cond) throw new SmokeFailure(message);
  checks += 1;
}

function noProblemsSoFar() {
  if (problems.length) {
    throw new SmokeFailure(`the browser reported ${problems.length} error(s):\n  - ${problems.join('\n  - ')}`);
  }
}

async function step(name, fn) {
  currentStep = name;
  const t0 = Date.now();
  await fn();
  noProblemsSoFar();
  console.log(`  ok  ${name} (${Date.now() - t0} ms)`);
}

// ---------------------------------------------------------------------------

const watchdog = setTimeout(() => {
  console.error(`smoke: FAILED: still running after ${OVERALL_TIMEOUT_MS / 1000} s (step: ${currentStep})`);
  process.exit(1);
}, OVERALL_TIMEOUT_MS);
watchdog.unref();

if (SCREENSHOT_DIR) mkdirSync(SCREENSHOT_DIR, { recursive: true });

console.log(`smoke: ${ORIGIN} with ${EXECUTABLE}`);

const browser = await launch();

let page;
let exitCode = 0;
try {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'fr-FR',
    timezoneId: 'Europe/Paris',
  });
  page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.setDefaultNavigationTimeout(60_000);

  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const loc = msg.location();
    seen(`console error: ${msg.text()}${loc?.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
  });
  page.on('pageerror', (err) => seen(`uncaught exception in the page: ${err.message}`));
  page.on('response', (resp) => {
    const u = new URL(resp.url());
    if (u.origin === ORIGIN && resp.status() >= 400) {
      seen(`HTTP ${resp.status()} for ${resp.request().method()} ${u.pathname}${u.search}`);
    }
  });
  page.on('requestfailed', (req) => {
    const u = new URL(req.url());
    const err = req.failure()?.errorText ?? 'unknown error';
    // A request cut short by the next navigation is not a failure of the server.
    if (u.origin === ORIGIN && !err.includes('ERR_ABORTED')) {
      seen(`request failed: ${req.method()} ${u.pathname}${u.search}: ${err}`);
    }
  });

  const pathname = () => new URL(page.url()).pathname;

  // Runs `action` (a click, a submit) and waits for the page it leads to;
  // returns the final response (after redirects).
  async function navigateBy(action) {
    const [resp] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), action()]);
    return resp;
  }

  async function h1Text() {
    const h1 = page.locator('h1');
    check((await h1.count()) >= 1, `${pathname()} has no <h1>`);
    const text = ((await h1.first().textContent()) ?? '').trim();
    check(text.length > 0, `the <h1> of ${pathname()} is empty`);
    return text;
  }

  async function shot(file) {
    if (!SCREENSHOT_DIR) return;
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, file), fullPage: true });
    console.log(`      screenshot ${path.join(SCREENSHOT_DIR, file)}`);
  }

  // The login form: the form holding the inputs `email` and `password`.
  async function loginForm() {
    const form = page.locator('form:has(input[name="email"]):has(input[name="password"])');
    check((await form.count()) >= 1, `${pathname()} has no form with inputs named "email" and "password"`);
    const submit = form.first().locator('button:not([type="button"]):not([type="reset"]), input[type="submit"]');
    check((await submit.count()) >= 1, `the login form on ${pathname()} has no submit button`);
    return { form: form.first(), submit: submit.first() };
  }

  async function submitLogin(email, password) {
    const { form, submit } = await loginForm();
    await form.locator('input[name="email"]').fill(email);
    await form.locator('input[name="password"]').fill(password);
    return navigateBy(() => submit.click());
  }

  await step('GET /login shows the login form', async () => {
    const resp = await page.goto(url('/login'), { waitUntil: 'load' });
    check(resp && resp.status() === 200, `GET /login answered ${resp?.status()}, expected 200`);
    check(pathname() === '/login', `GET /login ended on ${page.url()}`);
    await loginForm();
  });

  await step('a wrong password is refused', async () => {
    deliberate = 'login with a wrong password';
    let resp;
    try {
      resp = await submitLogin(EMAIL, 'not-the-password');
    } finally {
      deliberate = null;
    }
    const status = resp?.status();
    check([200, 400, 401, 403, 422].includes(status),
      `a wrong password answered ${status}, expected 200, 400, 401, 403 or 422`);
    check(pathname() === '/login', `a wrong password led to ${page.url()}, expected to stay on /login`);
    await loginForm();
  });

  let householdHref;
  await step(`log in as ${EMAIL} and land on /menages`, async () => {
    const resp = await submitLogin(EMAIL, PASSWORD);
    check(pathname() === '/menages', `after logging in the browser is on ${page.url()}, expected /menages`);
    check(resp && resp.status() === 200, `/menages answered ${resp?.status()}, expected 200`);
    const title = await h1Text();
    const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const households = hrefs.filter((h) => HOUSEHOLD_PATH.test(h));
    check(households.length >= 1,
      `/menages has no link whose href matches ${HOUSEHOLD_PATH} (${hrefs.length} links in all)`);
    householdHref = households[0];
    console.log(`      h1 "${title}", ${households.length} household links, first ${householdHref}`);
    await shot('liste.png');
  });

  await step('open the first household', async () => {
    const link = page.locator(`a[href="${householdHref}"]`).first();
    const resp = await navigateBy(() => link.click());
    check(pathname() === householdHref, `clicking ${householdHref} led to ${page.url()}`);
    check(resp && resp.status() === 200, `${householdHref} answered ${resp?.status()}, expected 200`);
    const title = await h1Text();
    const timeline = await page.locator('section').evaluateAll(
      (ss) => ss.some((s) => (s.textContent ?? '').includes('Parcours')));
    check(timeline, `${householdHref} has no <section> containing the text "Parcours"`);
    console.log(`      h1 "${title}"`);
    await shot('menage.png');
  });

  await step('a member already on file is shown before being added, the form kept as typed', async () => {
    // the household's own first member with a birth date, typed again in the member form
    const people = await page.locator('ul.people li').evaluateAll((lis) => lis.map((li) => li.textContent ?? ''));
    const typedAgain = people
      .map((t) => [t, t.match(/le (\d\d)\/(\d\d)\/(\d{4})/), t.match(/^\s*((?:[A-ZÀ-Ý'-]+\s)+)(\S+)/)])
      .find(([, date, name]) => date && name);
    check(typedAgain, `${householdHref} lists no member with a name and a birth date`);
    const [, date, name] = typedAgain;
    const form = page.locator('form[action$="/membres#f-mbr"]');
    check((await form.count()) === 1, `${householdHref} has no member form`);
    await form.locator('input[name="family_name"]').fill(name[1].trim());
    await form.locator('input[name="given_names"]').fill(name[2]);
    await form.locator('input[name="birth_date"]').fill(`${date[3]}-${date[2]}-${date[1]}`);
    const resp = await navigateBy(() => form.locator('button[type="submit"]').click());
    check(resp && resp.status() === 200, `adding a member answered ${resp?.status()}, expected 200 with the check`);
    check(new URL(page.url()).hash === '#f-mbr', `the answer is not scrolled to the member form: ${page.url()}`);
    const again = page.locator('form[action$="/membres#f-mbr"]');
    check((await again.locator('.alert', { hasText: 'peut-être déjà connue' }).count()) === 1, 'no « déjà connue » alert');
    check((await again.locator(`ul.similar a[href="${householdHref}"]`).count()) >= 1, 'the member on file is not linked');
    check((await again.locator('input[name="confirmer"]').count()) === 1, 'no confirmation field');
    check((await again.locator('input[name="family_name"]').inputValue()) === name[1].trim(), 'the family name was not kept');
    await shot('membre-deja-connu.png');
  });

  await step('log out', async () => {
    const form = page.locator('form[action="/logout"]');
    check((await form.count()) >= 1, `${pathname()} has no form with action="/logout"`);
    const button = form.first().locator('button:not([type="button"]):not([type="reset"]), input[type="submit"]');
    check((await button.count()) >= 1, 'the logout form has no submit button');
    const resp = await navigateBy(() => button.first().click());
    check(pathname() === '/login', `after logging out the browser is on ${page.url()}, expected /login`);
    check(resp && resp.status() === 200, `${pathname()} answered ${resp?.status()} after logging out, expected 200`);
    await loginForm();
  });

  await step('/menages is refused once logged out', async () => {
    deliberate = 'GET /menages after logging out';
    let resp;
    try {
      resp = await page.goto(url('/menages'), { waitUntil: 'load' });
    } finally {
      deliberate = null;
    }
    const status = resp?.status();
    check(pathname() === '/login' || status === 401 || status === 403,
      `GET /menages after logging out answered ${status} on ${page.url()}: expected a redirect to /login, 401 or 403`);
  });

  await step('the CCA manager: inbox, a session, its minutes and their PDF', async () => {
    await page.goto(url('/login'), { waitUntil: 'load' });
    await submitLogin('cca@demo.parcours.test', PASSWORD);
    let resp = await page.goto(url('/cca'), { waitUntil: 'load' });
    check(resp && resp.status() === 200, `/cca answered ${resp?.status()}`);
    const referrals = await page.locator('a[href^="/cca/saisines/"]').count();
    check(referrals >= 1, '/cca lists no referral (the demo seeds some)');
    resp = await page.goto(url('/cca/seances'), { waitUntil: 'load' });
    check(resp && resp.status() === 200, `/cca/seances answered ${resp?.status()}`);
    const sessions = await page.locator('a[href^="/cca/seances/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    check(sessions.length >= 1, '/cca/seances lists no session');
    resp = await page.goto(url(`${sessions[sessions.length - 1]}/compte-rendu`), { waitUntil: 'load' });
    check(resp && resp.status() === 200, `the minutes answered ${resp?.status()}`);
    check((await h1Text()).startsWith('Compte rendu'), 'the minutes page has no "Compte rendu" title');
    const pdf = await page.request.get(url(`${sessions[sessions.length - 1]}/compte-rendu.pdf`));
    check(pdf.status() === 200 && pdf.headers()['content-type'] === 'application/pdf', `the minutes PDF answered ${pdf.status()}`);
    const body = await pdf.body();
    check(body.subarray(0, 5).toString() === '%PDF-', 'the minutes PDF does not start with %PDF-');
    resp = await page.goto(url('/a-faire'), { waitUntil: 'load' });
    check(resp && resp.status() === 200, `/a-faire answered ${resp?.status()}`);
    resp = await page.goto(url('/cca/statistiques'), { waitUntil: 'load' });
    check(resp && resp.status() === 200, `/cca/statistiques answered ${resp?.status()}`);
    check((await page.locator('svg').count()) >= 1, '/cca/statistiques draws no chart');
  });

  await step('the CCAPEX correspondent: procedures and their export', async () => {
    const form = page.locator('form[action="/logout"]');
    await navigateBy(() => form.first().locator('button').first().click());
    await submitLogin('ccapex@demo.parcours.test', PASSWORD);
    const resp = await page.goto(url('/ccapex'), { waitUntil: 'load' });
    check(resp && resp.status() === 200, `/ccapex answered ${resp?.status()}`);
    check((await page.locator('a[href^="/ccapex/procedures/"]').count()) >= 1, '/ccapex lists no procedure');
    const csv = await page.request.get(url('/ccapex/export.csv'));
    check(csv.status() === 200 && (await csv.text()).startsWith('dossier,'), 'the CCAPEX export is not a CSV of cases');
  });

  await step('the SIAO coordinator settles contradictory decisions on duplicates', async () => {
    const form = page.locator('form[action="/logout"]');
    await navigateBy(() => form.first().locator('button').first().click());
    await submitLogin('siao@demo.parcours.test', PASSWORD);
    let resp = await page.goto(url('/doublons'), { waitUntil: 'load' });
    check(resp && resp.status() === 200, `/doublons answered ${resp?.status()}`);
    const alert = page.locator('.alert', { hasText: 'contradictoire' });
    check((await alert.count()) === 1, '/doublons shows no contradictory decisions (the demo stages one)');
    await navigateBy(() => alert.locator('a').first().click());
    check(pathname() === '/doublons/decisions', `the alert's link led to ${page.url()}`);
    check((await page.locator('#contradictions').count()) === 1, 'the decisions page has no contradictions section');
    const withdraw = page.locator('article.contradiction form[action$="/retrait"] button');
    check((await withdraw.count()) >= 1, 'no « Retirer cette décision » button on the contradiction');
    await navigateBy(() => withdraw.first().click());
    check(pathname() === '/doublons/decisions', `withdrawing led to ${page.url()}`);
    check((await page.locator('.notice', { hasText: 'est retirée' }).count()) === 1, 'no notice after withdrawing');
    check((await page.locator('#contradictions').count()) === 0, 'the contradiction is still listed after withdrawing');
  });

  await step('the SIAO coordinator runs the linkage now from the queue', async () => {
    await page.goto(url('/doublons'), { waitUntil: 'load' });
    const run = page.locator('form[action="/doublons/rapprochement"] button');
    check((await run.count()) === 1, 'no « Recalculer les paires maintenant » button on /doublons');
    await navigateBy(() => run.click());
    check(page.url().endsWith('/doublons?fait=lance'), `asking for a run led to ${page.url()}`);
    check((await page.locator('.notice', { hasText: 'Rapprochement lancé' }).count()) === 1, 'no notice after asking for a run');
    // the demo's run takes about a second: the queue comes back without « en cours »
    let running = true;
    for (let i = 0; i < 60 && running; i++) {
      await page.waitForTimeout(250);
      await page.goto(url('/doublons'), { waitUntil: 'load' });
      running = (await page.locator('text=Un rapprochement est en cours').count()) > 0;
    }
    check(!running, 'the run asked from the queue never ended');
    check((await page.locator('text=Paires calculées par le dernier rapprochement').count()) === 1, 'no date of the last run');
  });

  await step('« pas la même personne » on an automatic link, then withdrawn: both show at once', async () => {
    // a household of the first page whose file shows an automatic link the coordinator may contest
    await page.goto(url('/menages'), { waitUntil: 'load' });
    const hrefs = await page.locator('table a[href^="/menages/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    let target = null;
    for (const href of hrefs) {
      const html = await (await page.request.get(url(href))).text();
      if (html.includes('action="/liens/separation"')) {
        target = href;
        break;
      }
    }
    check(target, `no household of the first page of /menages shows an automatic link (${hrefs.length} looked at)`);
    await page.goto(url(target), { waitUntil: 'load' });
    const links = page.locator('section[aria-labelledby="rapprochements"] form[action="/liens/separation"]');
    const before = await links.count();
    const other = await links.first().locator('input[name="other"]').inputValue();
    // « pas la même personne » opens the grounds; one is asked before the decision is recorded
    const item = page.locator('section[aria-labelledby="rapprochements"] details.separate').first();
    await item.locator('summary').click();
    await item.getByLabel('Confirmé par la personne').check();
    await navigateBy(() => item.locator('button').click());
    check(pathname() === target, `« pas la même personne » led to ${page.url()}, expected ${target}`);
    check((await page.locator('text=motif : Confirmé par la personne').count()) >= 1, 'the decision does not show its ground');
    check((await page.locator(`section[aria-labelledby="rapprochements"] form[action="/liens/separation"] input[name="other"][value="${other}"]`).count()) === 0,
      'the contested link is still shown as automatic');
    check((await links.count()) < before, 'no fewer automatic links after « pas la même personne »');
    const withdraw = page.locator('section[aria-labelledby="rapprochements"] form[action$="/retrait"] button');
    check((await withdraw.count()) >= 1, 'the decision is not listed under « Jugées différentes » with « Retirer la décision »');
    await shot('fiche-jugees-differentes.png');
    await navigateBy(() => withdraw.first().click());
    check(pathname() === target, `withdrawing led to ${page.url()}`);
    check((await page.locator(`section[aria-labelledby="rapprochements"] form[action="/liens/separation"] input[name="other"][value="${other}"]`).count()) === 1,
      'the automatic link is not back at once after withdrawing the decision');
  });

  await step('a pair of the queue: skipped, an opinion asked, then decided with its ground', async () => {
    await page.goto(url('/doublons'), { waitUntil: 'load' });
    const pairs = page.locator('table a[href^="/doublons/"]');
    check((await pairs.count()) >= 2, 'fewer than two pairs left in the demo queue');
    const first = await pairs.first().getAttribute('href');
    await navigateBy(() => pairs.first().click());
    await navigateBy(() => page.getByRole('link', { name: 'Passer cette paire sans décider' }).click());
    check(/^\/doublons\/\d+$/.test(pathname()) && pathname() !== first, `skipping ${first} led to ${page.url()}`);
    await navigateBy(() => page.getByRole('button', { name: "Demander l'avis des structures qui suivent" }).click());
    check((await page.locator('.notice', { hasText: /Demande d'avis envoyée|Personne d'autre/ }).count()) === 1,
      `no notice after asking for an opinion (${page.url()})`);
    await page.getByLabel('Personnes différentes : ne plus proposer cette paire').check();
    await page.getByLabel('Les deux fiches suffisent à trancher').check();
    await navigateBy(() => page.getByRole('button', { name: 'Enregistrer la décision' }).click());
    check((await page.locator('.notice', { hasText: 'Décision enregistrée : personnes différentes' }).count()) === 1,
      `no notice after deciding (${page.url()})`);
    await page.goto(url('/doublons/decisions'), { waitUntil: 'load' });
    check((await page.locator('td', { hasText: 'Les deux fiches suffisent à trancher' }).count()) >= 1,
      'the decisions log does not show the ground');
  });

  await step('the social rental agency finds the housing requests shared with it, by number only', async () => {
    const form = page.locator('form[action="/logout"]');
    await navigateBy(() => form.first().locator('button').first().click());
    await submitLogin('captation@demo.parcours.test', PASSWORD);
    check(pathname() === '/logement/demandes', `the agency landed on ${page.url()}`);
    const rows = page.locator('table a[href$="/fiche-logement"]');
    check((await rows.count()) >= 1, 'no housing request listed for the agency');
    await page.selectOption('#personnes', '1');
    await navigateBy(() => page.getByRole('button', { name: 'Filtrer' }).click());
    check(page.url().includes('personnes=1'), `the filter did not apply (${page.url()})`);
    const cells = await page.locator('table tbody td:first-of-type').allTextContents();
    check(cells.length >= 1 && cells.every((c) => c.includes('1 adulte(s), 0 enfant(s)')), `a household of more than one person listed: ${cells.slice(0, 3)}`);
    await navigateBy(() => rows.first().click());
    check(/^\/menages\/\d+\/fiche-logement$/.test(pathname()), `a request led to ${page.url()}`);
    check((await page.locator('h1', { hasText: 'Fiche logement' }).count()) === 1, 'the tenancy summary is not shown');
  });

  await step('the agency records a captured dwelling, sees the requests it fits and proposes it', async () => {
    await page.goto(url('/logement/offres'), { waitUntil: 'load' });
    check((await page.locator('table a[href^="/logement/offres/"]').count()) >= 1, 'the demo agency has no captured dwelling');
    await page.selectOption('#commune', { index: 1 });
    await page.selectOption('#rooms', '3');
    await page.fill('#rent', '540');
    await page.fill('#available_on', '2027-01-04');
    await page.getByLabel('Ascenseur').check();
    await navigateBy(() => page.getByRole('button', { name: 'Enregistrer le logement' }).click());
    check(/^\/logement\/offres\/\d+$/.test(pathname()), `recording a dwelling led to ${page.url()}`);
    check((await page.locator('h1', { hasText: 'T3 n°' }).count()) === 1, 'the new dwelling is not shown');
    const fits = await page.locator('#convient-tableau').textContent();
    check(/\d+ demande\(s\) lui conviennent/.test(fits ?? ''), `no request fits a T3: ${fits}`);
    const sizes = await page.locator('table tbody td:first-of-type').allTextContents();
    const persons = sizes.map((c) => [...c.matchAll(/(\d+) (adulte|enfant)/g)].reduce((n, m) => n + Number(m[1]), 0));
    check(persons.every((n) => n >= 2 && n <= 5), `a T3 offered to households of ${persons.filter((n) => n < 2 || n > 5).slice(0, 3)} persons`);
    const first = await page.locator('form[action$="/propositions"] input[name="menage"]').first().inputValue();
    await navigateBy(() => page.locator('form[action$="/propositions"] button').first().click());
    check((await page.locator('#propositions-section', { hasText: `Ménage n° ${first}` }).count()) === 1,
      `the proposal to household ${first} is not listed`);
    check((await page.locator(`form[action$="/propositions"] input[name="menage"][value="${first}"]`).count()) === 0,
      'the household proposed to can still be proposed to');
  });

  for (const p of provoked) console.log(`      provoked: ${p}`);
  console.log(`smoke: all ${checks} checks passed; ${provoked.length} error(s) provoked on purpose`);
} catch (err) {
  exitCode = 1;
  console.error(`smoke: FAILED at step "${currentStep}":`);
  const detail = err instanceof SmokeFailure ? err.message : String(err?.stack ?? err);
  console.error(`  ${detail.replace(/\x1b\[[0-9;]*m/g, '')}`);
  if (problems.length && !(err instanceof SmokeFailure && err.message.includes('the browser reported'))) {
    console.error(`  the browser also reported:\n  - ${problems.join('\n  - ')}`);
  }
  if (page) {
    try {
      console.error(`  page: ${page.url()}`);
      const text = (await page.locator('body').innerText({ timeout: 2_000 })).trim();
      console.error(`  page text (start):\n    ${text.slice(0, 1500).replace(/\n/g, '\n    ')}`);
      if (SCREENSHOT_DIR) {
        await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'echec.png'), fullPage: true, timeout: 5_000 });
        console.error(`  screenshot ${path.join(SCREENSHOT_DIR, 'echec.png')}`);
      }
    } catch {
      // nothing more to show
    }
  }
} finally {
  await browser.close().catch(() => {});
}
process.exit(exitCode);
