import { ACCOUNTS } from '../support/accounts';
import { expect, test } from '../support/fixtures';
import { expectMarkingBanners } from '../support/layout';

// The plan Gold signs and what an auditor hands over: the coordinator issues
// the demo marathon's plan again, reads the version as a document and
// downloads it as PDF and Word; Gold reads and endorses it; the auditor reads
// the audit trail, which says so in words.

test.describe.configure({ mode: 'serial' });

const MARATHON = /Northshire City Marathon/;
let versionPath = '';

test.describe('documents and the audit trail', () => {
  test.describe('as the security coordinator', () => {
    test.use({ as: 'secco' });

    test('issue the plan, read the version as a document and download it', async ({ page, a11y, request }, testInfo) => {
      test.setTimeout(300_000);
      await page.goto('/events');
      await a11y('events page');
      await page.getByRole('link', { name: MARATHON }).first().click();
      await a11y('the marathon');
      await page.getByRole('link', { name: /plan/i }).first().click();
      await a11y('the marathon plan');

      await test.step('the draft reads as a document, marked DRAFT', async () => {
        await page.getByRole('link', { name: 'Read the plan as a document' }).click();
        await a11y('the draft as a document');
        await expect(page.locator('.doc-draft-flag')).toContainText('Draft.');
        await expect(page.locator('.doc-contents li')).toHaveCount(9);
        await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
        await page.getByRole('link', { name: 'Back to the plan' }).click();
        await a11y('the marathon plan, again');
      });

      await test.step('issue it and read the version', async () => {
        await page.getByRole('link', { name: 'Issue this plan' }).click();
        await a11y('issue the plan: confirm');
        await page.getByLabel('Reason for issuing this version').fill(`Reissued for Gold (${testInfo.project.name})`);
        await page.getByRole('button', { name: /^Issue version \d+$/ }).click();
        await expect(page).toHaveURL(/\/plan\/versions\/\d+$/);
        versionPath = new URL(page.url()).pathname;
        await a11y('the issued version');
        await expect(page.locator('.doc-kind')).toHaveText('Protective security plan');
        await expect(page.locator('h1')).toHaveText(MARATHON);
        await expect(page.locator('#doc-endorsement')).toContainText('This version has not been endorsed.');
        // Ratings in words as well as colour.
        await expect(page.locator('#doc-risk td.tone').first()).toHaveText(/\(\d+: likelihood \d × impact \d\)/);
        await expect(page.locator('main')).not.toContainText('gold_user_id');
      });

      await test.step('download it as PDF and Word', async () => {
        for (const [name, type] of [
          ['(PDF)', 'application/pdf'],
          ['(Word)', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
        ] as const) {
          const link = page.getByRole('link', { name: new RegExp(`Download version \\d+ ${name.replace(/[()]/g, '\\$&')}`) });
          const href = await link.getAttribute('href');
          expect(href).toMatch(/\/document\.(pdf|docx)$/);
          const res = await page.request.get(href!);
          expect(res.status()).toBe(200);
          expect(res.headers()['content-type']).toBe(type);
          expect(res.headers()['x-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
          expect((await res.body()).length).toBeGreaterThan(1000);
        }
      });
    });
  });

  test.describe('as Gold', () => {
    test.use({ as: 'gold' });

    test('read the version and endorse it with conditions', async ({ page, a11y }) => {
      expect(versionPath, 'the coordinator issued a version').toMatch(/\/plan\/versions\/\d+$/);
      await page.goto(versionPath);
      await a11y('the version, as Gold');
      await page.getByLabel('Conditions (optional)').fill('Review if the threat level rises');
      await page.getByRole('button', { name: /^Endorse version \d+$/ }).click();
      await expect(page).toHaveURL(new RegExp(`${versionPath}$`));
      await a11y('the version, endorsed');
      const block = page.locator('#doc-endorsement');
      await expect(block).toContainText(`${ACCOUNTS.gold.name}, strategic commander (Gold)`);
      await expect(block).toContainText('Review if the threat level rises');
    });
  });

  test.describe('as the auditor', () => {
    test.use({ as: 'auditor' });

    test('read the audit trail in words', async ({ page, a11y }) => {
      expect(versionPath, 'the coordinator issued a version').toMatch(/\/plan\/versions\/\d+$/);
      const eventPath = versionPath.replace(/\/plan\/versions\/\d+$/, '');
      const n = versionPath.split('/').pop();
      await page.goto(`${eventPath}/audit`);
      await a11y('the audit trail');
      await expect(page.locator('main')).toContainText(`Endorsed version ${n}`);
      await expect(page.locator('main')).toContainText(`Issued version ${n}`);
      await expect(page.getByRole('link', { name: 'Download as CSV' })).toBeVisible();
    });
  });
});
