import { expect, test } from '../support/fixtures';
import { expectMarkingBanners } from '../support/layout';

test('the health check answers ok', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok' });
});

test('an unknown page is a 404 in the usual layout, with a way home', async ({ page, a11y }) => {
  const res = await page.goto('/no-such-page');
  expect(res?.status()).toBe(404);
  await a11y('not-found page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await expectMarkingBanners(page, 'OFFICIAL');
  await page.getByRole('main').getByRole('link', { name: 'Go to the home page' }).click();
  await expect(page).toHaveURL(/\/$/);
  await a11y('home page, from the not-found page');
});
