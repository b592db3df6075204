// Shared by smoke.mjs and screenshots.mjs: Debian's Chromium, headless, with the flags this
// machine's closed network needs (no background connections).
import { chromium } from 'playwright-core';

export const EXECUTABLE = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: EXECUTABLE,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
