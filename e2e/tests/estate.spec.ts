import { expect, test } from '../support/fixtures';
import { expectMarkingBanners } from '../support/layout';

// The police estate from the estates manager's raise to the member of staff's
// acknowledgement: the manager raises the Central station to EXCEPTIONAL and
// puts an option in force; PC Clarke, who works there, sees the new level and
// what to do on the home page and acknowledges in one click; the manager sees
// who has acknowledged on the site's page.

test.describe.configure({ mode: 'serial' });

const SITE = 'Northshire Central Police Station';
let sitePath = '';

test.describe('a raised response level, told to staff and acknowledged', () => {
  test.describe('as the estates manager', () => {
    test.use({ as: 'estates' });

    test('raise the site, confirming first, and put an option in force', async ({ page, a11y }, testInfo) => {
      test.skip(testInfo.project.name !== 'desktop', 'one journey: it changes the demo estate');
      await page.goto('/sites');
      await a11y('the estate register');
      await page.getByRole('link', { name: SITE, exact: true }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(SITE);
      sitePath = new URL(page.url()).pathname;
      await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
      await a11y('the site page with its options');
      await page.getByRole('link', { name: 'Raise the response level' }).click();
      await a11y('the raise form');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.locator('.error-summary')).toContainText('Choose a response level');
      await a11y('the raise form with an error');
      await page.getByLabel('EXCEPTIONAL').check();
      await page.getByLabel('Reason').fill('Hostile reconnaissance reported at the front counter');
      await page.getByRole('button', { name: 'Continue' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Raise the response level to EXCEPTIONAL?');
      await a11y('the raise confirmation');
      await page.getByRole('button', { name: 'Raise the response level' }).click();
      await expect(page.locator('#notice')).toContainText('The response level is now EXCEPTIONAL');
      await expect(page.locator('#outstanding')).toContainText('not acknowledged');
      await a11y('the raised site');
      // At EXCEPTIONAL the menu offers vehicle checks: put them in force here.
      await page.locator('#site-option-vehicle-checks').getByRole('link', { name: /Record a decision/ }).click();
      await a11y('the decision form');
      await page.getByLabel('In force: staff are told what to do').check();
      await page.getByRole('button', { name: 'Save the decision' }).click();
      await expect(page.locator('#site-option-vehicle-checks')).toContainText('In force');
      await a11y('the site with the option in force');
    });
  });

  test.describe('as the member of staff', () => {
    test.use({ as: 'staff' });

    test('see the new level and what to do, and acknowledge it', async ({ page, a11y }, testInfo) => {
      test.skip(testInfo.project.name !== 'desktop', 'one journey: it changes the demo estate');
      await page.goto('/');
      const card = page.locator('section.card', { hasText: `${SITE}: response level EXCEPTIONAL` });
      await expect(card).toBeVisible();
      await expect(card).toContainText('Expect your vehicle to be checked at the gate');
      // Staff are not shown the option itself, its cost, or what was declined.
      await expect(card).not.toContainText('Vehicle checks at the vehicle entrance');
      await a11y('the home page with a notice to acknowledge');
      await card.getByRole('button', { name: /I have read this/ }).click();
      await expect(card).toContainText('You have acknowledged the latest change');
      await a11y('the home page, acknowledged');
    });
  });

  test.describe('as the estates manager again', () => {
    test.use({ as: 'estates' });

    test('see who has acknowledged', async ({ page, a11y }, testInfo) => {
      test.skip(testInfo.project.name !== 'desktop', 'one journey: it changes the demo estate');
      await page.goto(sitePath);
      await a11y('the site with its acknowledgements');
      const row = page.locator('#staff tr', { hasText: 'PC Jamie Clarke' });
      await expect(row).toContainText('Acknowledged EXCEPTIONAL');
    });

    test('see who has not acknowledged across the estate, and remind them', async ({ page, a11y }, testInfo) => {
      test.skip(testInfo.project.name !== 'desktop', 'one journey: it changes the demo estate');
      await page.goto('/sites');
      await a11y('the estate register with its sub-navigation');
      await page.getByRole('navigation', { name: 'Police estate' }).getByRole('link', { name: 'Acknowledgements' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Who has acknowledged across the estate');
      await a11y('acknowledgements across the estate');
      const site = page.locator('#by-site tr', { hasText: SITE });
      await site.getByRole('link', { name: /Send reminders/ }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Send reminders to the staff at ${SITE}?`);
      await a11y('the reminder confirmation');
      await page.getByRole('button', { name: 'Send the reminders' }).click();
      await expect(page.locator('#notice')).toContainText(/A reminder was sent to the \d+ (person|people) who/);
      await a11y('the site after the reminders');
    });

    test('add a member of staff found by name', async ({ page, a11y }, testInfo) => {
      test.skip(testInfo.project.name !== 'desktop', 'one journey: it changes the demo estate');
      await page.goto(sitePath);
      await a11y('the site before adding staff');
      await page.getByRole('link', { name: 'Add staff' }).click();
      await a11y('the staff picker');
      await page.getByLabel('Name or e-mail address').fill('northshire');
      await page.getByRole('button', { name: 'Find' }).click();
      await a11y('the staff picker with results');
      const first = page.locator('#people tbody tr').first();
      const name = (await first.locator('td').first().innerText()).trim();
      await first.getByRole('button', { name: /Add/ }).click();
      await expect(page.locator('#notice')).toContainText('The member of staff is added.');
      await expect(page.locator('#staff')).toContainText(name);
      await a11y('the site with its new member of staff');
    });
  });
});
