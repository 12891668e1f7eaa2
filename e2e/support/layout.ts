import type { Page } from '@playwright/test';
import { expect } from './fixtures';

/** The "Main" navigation landmark. */
export function mainNav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

/**
 * Both protective-marking banners show `marking` (a pattern: the same text
 * in both): one at the very top of the page (before the header), one at the
 * very bottom (after the footer).
 */
export async function expectMarkingBanners(page: Page, marking: string | RegExp = 'OFFICIAL'): Promise<void> {
  const banners = page.locator('.marking');
  await expect(banners).toHaveCount(2);
  await expect(banners.first()).toBeVisible();
  await expect(banners.last()).toBeVisible();
  await expect(banners.first()).toHaveText(marking);
  await expect(banners.last()).toHaveText(marking);
  if (marking instanceof RegExp) {
    await expect(banners.last()).toHaveText((await banners.first().textContent())!.trim());
  }

  const where = await page.evaluate(() => {
    const all = Array.from(document.querySelectorAll('.marking'));
    const [top, bottom] = [all[0], all[all.length - 1]];
    const main = document.querySelector('main');
    const follows = (a: Element | null, b: Element | null) =>
      !!a && !!b && !!(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    const pageTop = (e: Element) => e.getBoundingClientRect().top + window.scrollY;
    const pageBottom = (e: Element) => e.getBoundingClientRect().bottom + window.scrollY;
    // The lowest edge of anything rendered other than the bottom banner. (On
    // a page shorter than the window the banner need not touch the window's
    // bottom edge, but nothing may be drawn below it.)
    let contentBottom = 0;
    for (const e of Array.from(document.body.querySelectorAll('*'))) {
      if (e === bottom || bottom.contains(e)) continue;
      // checkVisibility() leaves out the contents of closed <details>, which
      // Chromium lays out but does not draw.
      if (!e.checkVisibility({ visibilityProperty: true })) continue;
      const r = e.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) contentBottom = Math.max(contentBottom, r.bottom + window.scrollY);
    }
    return {
      topBeforeMain: follows(top, main),
      bottomAfterMain: follows(main, bottom),
      topOffset: Math.round(pageTop(top)),
      belowBottomBanner: Math.round(contentBottom - pageBottom(bottom)),
    };
  });
  expect(where.topBeforeMain, 'the top banner comes before <main>').toBe(true);
  expect(where.bottomAfterMain, 'the bottom banner comes after <main>').toBe(true);
  expect(where.topOffset, 'the top banner is at the very top of the page (px from the top)').toBeLessThanOrEqual(1);
  expect(where.belowBottomBanner, 'the bottom banner is the lowest thing on the page (px drawn below it)').toBeLessThanOrEqual(1);
}

/** What has focus: a short description for assertions and messages. */
export async function focused(page: Page) {
  return page.evaluate(() => {
    const e = document.activeElement as HTMLElement | null;
    if (!e || e === document.body) return { tag: 'body', id: '', text: '', href: '', insideMain: false };
    return {
      tag: e.tagName.toLowerCase(),
      id: e.id,
      text: (e.textContent ?? '').replace(/\s+/g, ' ').trim(),
      href: e.getAttribute('href') ?? '',
      insideMain: !!e.closest('main'),
    };
  });
}
