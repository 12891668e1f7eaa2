import { defineConfig, devices } from '@playwright/test';

// Browser journeys for Cordon. The global setup starts `cordon demo` on a
// fresh database and a free port; tests get its address as `baseURL` (see
// support/fixtures.ts). Environment:
//   CORDON_BIN                path to the cordon binary (default ../target/debug/cordon)
//   CORDON_E2E_DATABASE_URL   run the server against this database instead of a
//                             fresh temporary SQLite one (e.g. a fresh PostgreSQL database)
//   CORDON_E2E_BASE_URL       use an already running server; nothing is started
//   CORDON_E2E_CHROMIUM       the browser to drive (default /usr/bin/chromium)

const isCI = !!process.env.CI;

// Debian's Chromium: Playwright may not download its own browsers here.
const launchOptions = {
  executablePath: process.env.CORDON_E2E_CHROMIUM || '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    // Without these Chromium can hang on refused background connections.
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // CI containers often have a tiny /dev/shm.
    '--disable-dev-shm-usage',
  ],
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  globalSetup: './support/global-setup.ts',
  globalTeardown: './support/global-teardown.ts',
  fullyParallel: true,
  forbidOnly: isCI,
  retries: 0,
  workers: isCI ? 2 : undefined,
  // Generous: CI machines have 2 cores shared with the server and Chromium.
  timeout: isCI ? 120_000 : 60_000,
  expect: { timeout: 10_000 },
  reporter: isCI ? [['list'], ['html', { open: 'never' }]] : [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    locale: 'en-GB',
    timezoneId: 'Europe/London',
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
  },
  projects: [
    { name: 'desktop', use: { ...devices['Desktop Chrome'], launchOptions } },
    // 320 CSS px wide: the WCAG 1.4.10 reflow width (a 1280 px window zoomed to 400 %).
    { name: 'narrow', use: { ...devices['Desktop Chrome'], viewport: { width: 320, height: 640 }, launchOptions } },
    // A tablet at a venue, held upright and used by touch: every page's layout and the
    // plan's journey (the other journeys run at desktop and 320 px).
    {
      name: 'tablet',
      testMatch: /(layout|plan)\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], viewport: { width: 810, height: 1080 }, hasTouch: true, launchOptions },
    },
  ],
});
