import { expect, test } from '../support/fixtures';
import { expectMarkingBanners, focused, mainNav } from '../support/layout';
import { PAGES } from '../support/pages';

// What every page shares: the protective-marking banners, the skip link, the
// main navigation. Pages are listed in support/pages.ts; some are visited
// signed in (`as`).

for (const p of PAGES) {
  test.describe(`${p.name} page (${p.path}${p.as ? `, as ${p.as}` : ''})`, () => {
    test.use({ as: p.as });

    test('has its heading, the marking banners and the main navigation', async ({ page, a11y }) => {
      const response = await page.goto(p.path);
      expect(response?.status()).toBe(200);
      // Not sent elsewhere (to the sign-in page, or to set up two-step verification).
      expect(new URL(page.url()).pathname).toBe(p.path);
      await a11y(`${p.name} page`);

      await expect(page.getByRole('heading', { level: 1 })).toHaveText(p.heading);
      await expect(page).toHaveTitle(/ – Cordon$/);
      await expectMarkingBanners(page, p.marking);

      const nav = mainNav(page);
      await expect(nav).toBeVisible();
      await expect(page.getByRole('main')).toHaveCount(1);
      if (p.navCurrent) {
        await expect(nav.locator('[aria-current="page"]')).toHaveText(p.navCurrent);
      }
    });

    test('skip link is the first focusable element and moves focus to main', async ({ page, a11y }) => {
      await page.goto(p.path);
      await a11y(`${p.name} page`);

      // The first Tab from the top of a fresh page lands on the skip link...
      await page.keyboard.press('Tab');
      const first = await focused(page);
      expect(first, 'the first focusable element').toMatchObject({ tag: 'a', text: 'Skip to main content', href: '#main' });

      // ...which must then be visible, on screen.
      const skip = page.getByRole('link', { name: 'Skip to main content' });
      await expect(skip).toBeFocused();
      await expect(skip).toBeInViewport();
      const box = await skip.boundingBox();
      expect(box && box.width > 1 && box.height > 1, 'the focused skip link has a visible size').toBe(true);
      await a11y(`${p.name} page, skip link focused`);

      // Following it moves focus to <main>.
      await page.keyboard.press('Enter');
      await expect(page).toHaveURL(/#main$/);
      await expect(page.getByRole('main')).toBeFocused();
      await a11y(`${p.name} page, focus on main`);

      // And the next Tab continues from inside main, not from the top of the page.
      const mainHasFocusable = await page
        .locator('main')
        .locator('a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])')
        .count();
      if (mainHasFocusable > 0) {
        await page.keyboard.press('Tab');
        const next = await focused(page);
        expect(next.insideMain, `Tab after the skip link focuses something in main (got ${JSON.stringify(next)})`).toBe(
          true,
        );
      }
    });
  });
}
