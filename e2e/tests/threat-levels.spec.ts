import { expect, test } from '../support/fixtures';
import { expectMarkingBanners, mainNav } from '../support/layout';
import { THREAT_LEVEL_RE } from '../support/pages';

test('threat levels: from home, read the national level, its history and the levels on a date', async ({
  page,
  a11y,
}, testInfo) => {
  await test.step('home page shows the national threat level', async () => {
    await page.goto('/');
    await a11y('home page');
    const national = page.getByRole('region', { name: 'UK national threat level' });
    await expect(national.locator('.level').first()).toHaveText(THREAT_LEVEL_RE);
    await expectMarkingBanners(page, 'OFFICIAL');
  });

  await test.step('follow "Threat levels" in the main navigation', async () => {
    await mainNav(page).getByRole('link', { name: 'Threat levels' }).click();
    await expect(page).toHaveURL(/\/threat-levels$/);
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Threat levels');
    await expect(mainNav(page).getByRole('link', { name: 'Threat levels' })).toHaveAttribute('aria-current', 'page');
    await a11y('threat levels page');
  });

  const national = page.getByRole('region', { name: 'UK national threat level' });

  await test.step('the national series shows a level, a definition and a response level', async () => {
    await expect(national.getByRole('heading', { level: 2 })).toHaveText('UK national threat level');
    const level = national.locator('dt:text-is("Threat level") + dd');
    await expect(level.locator('.level')).toHaveText(THREAT_LEVEL_RE);
    // The definition follows the level, e.g. "SEVERE An attack is highly likely".
    await expect(level).toHaveText(/^[A-Z]+ An attack is .+/);
    await expect(national.locator('dt:text-is("Response level") + dd')).toHaveText(/^[A-Z]+: .+/);
    await expectMarkingBanners(page, 'OFFICIAL');
    await testInfo.attach('threat levels page', {
      body: await page.screenshot({ fullPage: true }),
      contentType: 'image/png',
    });
  });

  await test.step('open the national history', async () => {
    const details = national.locator('details');
    const summary = details.locator('summary');
    await expect(summary).toHaveText(/^History: \d+ recorded levels$/);
    await expect(details).not.toHaveAttribute('open');
    const history = details.getByRole('table');
    await expect(history).toBeHidden();

    await summary.click();
    await expect(details).toHaveAttribute('open', '');
    await expect(history).toBeVisible();
    const count = Number((await summary.textContent())!.match(/\d+/)![0]);
    await expect(history.locator('tbody tr')).toHaveCount(count);
    await expect(history.locator('tbody tr').first().locator('.level')).toHaveText(THREAT_LEVEL_RE);
    await a11y('threat levels page, national history open');
  });

  const date = page.getByLabel('Date', { exact: true });
  const show = page.getByRole('button', { name: 'Show levels' });

  await test.step('ask for the levels on 2017-05-24: the national level was CRITICAL', async () => {
    await date.fill('2017-05-24');
    await show.click();
    await expect(page).toHaveURL(/\/threat-levels\?on=2017-05-24$/);
    const results = page.locator('table#on-results');
    await expect(results).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Levels in force on 24 May 2017' })).toBeVisible();
    const row = results.getByRole('row', { name: /UK national threat level/ });
    await expect(row.locator('.level')).toHaveText('CRITICAL');
    await expect(date).toHaveValue('2017-05-24');
    await a11y('threat levels page, levels on 2017-05-24');
  });

  await test.step('an impossible date (2020-13-01) is refused with an error on the field', async () => {
    await date.fill('2020-13-01');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.url().includes('on=2020-13-01')),
      show.click(),
    ]);
    expect(response.status()).toBe(400);
    await expect(page).toHaveURL(/\/threat-levels\?on=2020-13-01$/);

    const error = page.locator('#on-error');
    await expect(error).toBeVisible();
    await expect(error).toHaveText(/\S/);
    await expect(page.locator('table#on-results')).toHaveCount(0);

    // The field keeps what was typed and is described by its hint and its error.
    await expect(date).toHaveValue('2020-13-01');
    await expect(date).toHaveAttribute('aria-describedby', /(^|\s)on-hint(\s|$)/);
    await expect(date).toHaveAttribute('aria-describedby', /(^|\s)on-error(\s|$)/);
    const errorText = ((await error.textContent()) ?? '').replace(/\s+/g, ' ').trim();
    await expect(date).toHaveAccessibleDescription(new RegExp(escapeRegExp(errorText)));
    // The error sits with its field, between the label and the input.
    const between = await page.evaluate(() => {
      const label = document.querySelector('label[for="on"]')!;
      const err = document.getElementById('on-error')!;
      const input = document.getElementById('on')!;
      const F = Node.DOCUMENT_POSITION_FOLLOWING;
      return !!(label.compareDocumentPosition(err) & F) && !!(err.compareDocumentPosition(input) & F);
    });
    expect(between, 'the error message is between the label and the input').toBe(true);

    // The label focuses the field; focus lands on the field the error describes.
    await page.locator('label[for="on"]').click();
    await expect(date).toBeFocused();
    await a11y('threat levels page, date error, field focused');
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
