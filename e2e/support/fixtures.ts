import fs from 'node:fs';
import { test as base, expect } from '@playwright/test';
import { ACCOUNTS, storageStatePath, type AccountKey } from './accounts';
import { checkA11y } from './a11y';
import { env } from './server-env';

type Fixtures = {
  /**
   * Checks the current page state with axe-core (see a11y.ts). Call it on
   * every page a journey visits and after every change of state worth
   * checking (a disclosure opened, an error shown, focus moved): a test that
   * loads a page and does not check it fails.
   */
  a11y: (state: string) => Promise<void>;
};

type Options = {
  /**
   * Start the test signed in as this demo account (see accounts.ts), e.g.
   * `test.use({ as: 'secco' })`: the page's context gets the session the
   * global setup signed in. Signed out when absent. Sessions are shared
   * between tests: do not sign them out (sign in through the form instead).
   */
  as: AccountKey | undefined;
};

/** Import `test` and `expect` from here, not from @playwright/test. */
export const test = base.extend<Fixtures & Options>({
  as: [undefined, { option: true }],

  storageState: async ({ as, storageState }, use) => {
    if (!as) return use(storageState);
    const file = storageStatePath(as);
    if (!fs.existsSync(file)) {
      throw new Error(`the global setup did not sign in ${ACCOUNTS[as].email} (no ${file}); see its output`);
    }
    await use(file);
  },

  // The address of the server the global setup started.
  baseURL: async ({}, use) => {
    const url = process.env[env.baseUrl];
    if (!url) throw new Error(`${env.baseUrl} is not set: the global setup did not start the server`);
    await use(url);
  },

  // Automatic, so that the "every page was checked" guard covers every test.
  a11y: [
    async ({ page }, use, testInfo) => {
      // Count the documents the page loads, and note any left unchecked.
      let loaded = 0;
      let lastChecked = 0;
      let currentUrl = '';
      const unchecked: string[] = [];
      page.on('domcontentloaded', () => {
        if (loaded > lastChecked) unchecked.push(currentUrl);
        loaded += 1;
        currentUrl = page.url();
      });

      await use(async (state: string) => {
        await page.waitForLoadState('load');
        await checkA11y(page, testInfo, state);
        // Nothing scrolls sideways, at 320 px or any width (UX.md, Layout).
        const { scroll, view } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          view: document.documentElement.clientWidth,
        }));
        expect(scroll, `${state}: the page is ${scroll} px wide in a ${view} px window`).toBeLessThanOrEqual(view);
        lastChecked = loaded;
      });

      if (loaded > lastChecked) unchecked.push(currentUrl);
      expect(unchecked, 'every page a test visits must be checked with a11y(); these were not').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
