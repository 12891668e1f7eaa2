import { expect, test } from '../support/fixtures';
import { expectMarkingBanners } from '../support/layout';
import { fillDateTime, ukDate } from '../support/dates';

// A SECO from request to plan: the coordinator creates an event and names its
// Gold, asks for a SECO with the three criteria; the deployment authority
// (Superintendent CTSU) records the discussion; Gold appoints the first
// coordinator suggested; the plan then names the SECO.

test.describe.configure({ mode: 'serial' });

let eventName = '';
let eventPath = '';
let requestPath = '';
let appointed = '';

test.describe('a SECO request, discussed and appointed', () => {
  test.describe('as the security coordinator', () => {
    test.use({ as: 'secco' });

    test('create an event, name its Gold and ask for a SECO', async ({ page, a11y }, testInfo) => {
      test.setTimeout(180_000);
      // Each project's event on its own dates, so that the runs do not overlap.
      const days = testInfo.project.name === 'narrow' ? 200 : 150;
      eventName = `SECO journey festival (${testInfo.project.name} ${Date.now()})`;
      await page.goto('/events/new');
      await a11y('the new event form');
      const form = page.locator('main form.event-form');
      await form.getByLabel('Name', { exact: true }).fill(eventName);
      await form.getByLabel('Kind of event').selectOption('music_or_festival');
      await fillDateTime(form.getByRole('group', { name: 'Start' }), ukDate(days), '10:00');
      await fillDateTime(form.getByRole('group', { name: 'End' }), ukDate(days), '22:30');
      await form.getByLabel('Venue 1 name').fill('Riverside Park');
      await form.getByLabel('Venue 1 address').fill('Riverside Park, Northshire NS1 2AB');
      await form.getByLabel('Expected peak attendance').fill('45,000');
      await form.getByLabel('Protective marking').selectOption('OFFICIAL');
      await form.getByRole('button', { name: 'Create event' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(eventName);
      eventPath = new URL(page.url()).pathname;
      await a11y('the new event');

      await page.goto(`${eventPath}/plan`);
      await a11y('the plan');
      await page.getByRole('link', { name: 'Choose the commanders' }).click();
      await a11y('the commanders picker');
      await page.getByLabel('Strategic commander (Gold)').selectOption('gold@northshire.police.example');
      await page.getByRole('button', { name: 'Save the commanders' }).click();
      await expect(page.locator('#seco')).toContainText('none appointed');
      await a11y('the plan, no SECO yet');

      await page.locator('#seco').getByRole('link', { name: /Ask for a SECO/ }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Ask for a security coordinator (SECO)');
      await a11y('the request form');
      await expect(page.getByLabel('Event')).toHaveValue(eventPath.split('/').pop()!);
      await page.getByRole('button', { name: 'Send the request' }).click();
      // Refused in words: the reason and each rationale are needed.
      await expect(page.locator('.error-summary')).toContainText('Enter the reason a SECO is required');
      await a11y('the request form with errors');

      await page.getByLabel('Why a SECO is required').fill('45,000 people over a day in a riverside park.');
      const scale = page.getByRole('group', { name: /scale and complexity/ });
      await scale.getByLabel('Met', { exact: true }).check();
      await scale.getByLabel('Rationale').fill('Three stages, two entrances and a road closure.');
      await page.getByRole('group', { name: /multi-agency/ }).getByLabel('Rationale').fill('No specific threat.');
      await page.getByRole('group', { name: /Protocol or national interest/ }).getByLabel('Rationale').fill('No protected persons.');
      await page.getByRole('button', { name: 'Send the request' }).click();
      await expect(page.locator('#status')).toHaveText('Submitted');
      requestPath = new URL(page.url()).pathname;
      await expect(page.locator('#criteria')).toContainText('Three stages, two entrances and a road closure.');
      await expectMarkingBanners(page, 'OFFICIAL');
      await a11y('the submitted request');

      // Withdrawing asks first, on a page of its own (not sent here).
      await page.goto(`${requestPath}/withdrawal`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Withdraw the request');
      await expect(page.locator('#what-happens')).toContainText('closed as withdrawn');
      await a11y('the withdrawal confirmation page');
      await page.getByRole('link', { name: 'Cancel and go back to the request' }).click();
      await expect(page.locator('#status')).toHaveText('Submitted');
      await a11y('the request after cancelling the withdrawal');
    });
  });

  test.describe('as the deployment authority', () => {
    test.use({ as: 'ctsu' });

    test('find the request on the dashboard and record the discussion', async ({ page, a11y }) => {
      await page.goto('/seco');
      await a11y('the SECO dashboard');
      await expect(page.locator('#capacity')).toContainText('4 of 4 qualified SECOs');
      await page.locator('#open-requests').getByRole('link', { name: eventName }).click();
      await expect(page).toHaveURL(new RegExp(`${requestPath}$`));
      await a11y('the submitted request, for the deployment authority');
      const form = page.locator('#discussion-form');
      await form.getByLabel('Date of the discussion').fill(ukDate(-1));
      await form.getByLabel('Notes of the discussion').fill('Spoke to Gold: scale warrants a SECO.');
      await form.getByRole('button', { name: 'Record the discussion' }).click();
      await expect(page.locator('#status')).toHaveText('Under discussion');
      await expect(page.locator('#discussion')).toContainText('Appoint a SECO');
      await a11y('the request under discussion');
    });
  });

  test.describe('as Gold', () => {
    test.use({ as: 'gold' });

    test('appoint the first coordinator suggested', async ({ page, a11y }) => {
      // Declining asks first, on a page of its own (not sent here).
      await page.goto(`${requestPath}/decline`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Decline to appoint a SECO');
      await a11y('the decline confirmation page');
      await page.getByRole('button', { name: 'Decline the request' }).click();
      await expect(page.locator('.error-summary')).toContainText('Enter the reason a SECO is not appointed');
      await a11y('the decline confirmation page with errors');

      await page.goto(requestPath);
      await a11y('the request, for Gold');
      await expect(page.locator('#suggested li').first()).toContainText('Qualified, and free');
      const choice = page.locator('#appointment-form select');
      appointed = ((await choice.locator('option').first().textContent()) ?? '').trim();
      expect(appointed).not.toBe('');
      await page.locator('#appointment-form').getByRole('button', { name: 'Appoint' }).click();
      await expect(page.locator('#status')).toContainText('SECO appointed: ');
      await expect(page.locator('#status')).toContainText(appointed.split(' ').pop()!);
      await expect(page.locator('#steps li')).toHaveCount(3);
      await a11y('the request, appointed');

      // Standing the SECO down asks first, saying they leave the team (not sent here).
      await page.goto(`${requestPath}/stand-down`);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stand the SECO down');
      await expect(page.locator('#what-happens')).toContainText('leaves its team');
      await a11y('the stand-down confirmation page');
    });
  });

  test.describe('the plan afterwards', () => {
    test.use({ as: 'secco' });

    test('names the SECO', async ({ page, a11y }) => {
      await page.goto(`${eventPath}/plan`);
      await expect(page.locator('#seco')).toContainText(`Security coordinator (SECO): ${appointed}, appointed by Gold.`);
      await a11y('the plan with its SECO');
    });
  });
});

test.describe('the deployment authority\'s other SECO pages', () => {
  test.use({ as: 'ctsu' });

  test('a coordinator, its change page, a vacancy, its add-candidate page and a policy review', async ({ page, a11y }) => {
    await page.goto('/seco/roster');
    await a11y('the roster');
    await page.locator('#roster a[href^="/seco/roster/"]').first().click();
    await expect(page.locator('h1')).not.toHaveText('Roster of security coordinators');
    await a11y("a coordinator's record");
    await page.getByRole('link', { name: 'Change', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Change a coordinator');
    await a11y('the change-coordinator page');

    await page.goto('/seco');
    await a11y('the SECO dashboard, for the vacancies');
    await page.getByRole('link', { name: 'SECO, London East area' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Vacancy: SECO, London East area');
    await expect(page.locator('#candidates')).toContainText('Jo Marsh');
    await a11y('the vacancy');
    await page.getByRole('link', { name: 'Add a candidate' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add a candidate');
    await a11y('the add-candidate page');
    await page.getByRole('button', { name: 'Add the candidate' }).click();
    await expect(page.locator('.error-summary')).toContainText("Enter the candidate's name");
    await a11y('the add-candidate page with errors');

    await page.goto('/policies');
    await a11y('the policy records');
    await page.locator('a[href$="/review"]').first().click();
    await expect(page).toHaveURL(/\/policies\/[^/]+\/review$/);
    await a11y('the policy review form');
  });
});
