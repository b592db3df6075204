// One screenshot of a page of a running parcours server, logged in as a demo account.
//
//   node .ci/smoke/shot-once.mjs BASE_URL EMAIL PATH OUT.png
//
// For a look at one screen while working on it (docs/screenshots/ has the curated set).
import { launch } from './browser.mjs';

const [base, email, path, out] = process.argv.slice(2);
if (!out) {
  console.error('usage: node shot-once.mjs BASE_URL EMAIL PATH OUT.png');
  process.exit(2);
}
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
const page = await context.newPage();
await page.goto(new URL('/login', base).href);
await page.fill('input[name="email"]', email);
await page.fill('input[name="password"]', 'demo');
await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
const resp = await page.goto(new URL(path, base).href);
await page.screenshot({ path: out, fullPage: true });
await browser.close();
if (!resp || resp.status() !== 200) {
  console.error(`${path} answered ${resp?.status()}`);
  process.exit(1);
}
