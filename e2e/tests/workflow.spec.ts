import { ACCOUNTS } from '../support/accounts';
import { fillDateTime, ukDate } from '../support/dates';
import { expect, test } from '../support/fixtures';
import { expectMarkingBanners } from '../support/layout';

// The planning workflow: the coordinator creates an event with the date
// boxes, changes its details, picks someone for its team and is asked before
// removing them; Gold's home page shows the work waiting for them and the
// notifications can be read.

test.describe.configure({ mode: 'serial' });

test.describe('the planning workflow', () => {
  test.describe('as the security coordinator', () => {
    test.use({ as: 'secco' });

    test('create an event, change it, pick a team member and confirm a removal', async ({ page, a11y }, testInfo) => {
      test.setTimeout(300_000);
      const name = `E2E Harbour Fireworks (${testInfo.project.name}, ${Date.now()})`;

      await test.step('a date that does not exist is named against its box', async () => {
        await page.goto('/events/new');
        await a11y('new event');
        const form = page.locator('main form.event-form');
        await form.getByLabel('Name', { exact: true }).fill(name);
        await form.getByLabel('Kind of event').selectOption('music_or_festival');
        await fillDateTime(form.getByRole('group', { name: 'Start' }), '2027-02-31', '19:00');
        await fillDateTime(form.getByRole('group', { name: 'End' }), ukDate(60), '22:00');
        await form.getByLabel('Venue 1 name').fill('Harbour Quay');
        await form.getByLabel('Expected peak attendance').fill('12,000');
        await form.getByRole('button', { name: 'Create event' }).click();
        await a11y('new event, with an error');
        const summary = page.locator('.error-summary');
        await expect(summary.getByRole('link', { name: 'Start date must be a real date' })).toHaveAttribute('href', '#starts-day');
        await expect(page.getByLabel('Venue 1 name')).toHaveValue('Harbour Quay');
      });

      await test.step('with a real date it is created', async () => {
        const form = page.locator('main form.event-form');
        await fillDateTime(form.getByRole('group', { name: 'Start' }), ukDate(60), '19:00');
        await form.getByRole('button', { name: 'Create event' }).click();
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
        await a11y('the new event');
        await expect(page.locator('dt:text-is("Expected peak attendance") + dd')).toHaveText('12,000');
        await expect(page.locator('dt:text-is("Status") + dd')).toHaveText('Planning');
      });

      await test.step('change its details: a second venue and a new name', async () => {
        await page.getByRole('link', { name: /Change the event's details/ }).click();
        await a11y('change the event');
        await page.getByLabel('Name', { exact: true }).fill(`${name}, revised`);
        await page.getByLabel('Venue 2 name').fill('Lighthouse Point');
        await page.getByLabel('Venue 2 address').fill('Lighthouse Road, Northshire');
        await page.getByRole('button', { name: 'Save changes' }).click();
        await expect(page.getByRole('status')).toContainText("The event's details were saved.");
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${name}, revised`);
        await expect(page.locator('dt:text-is("Venues") + dd')).toContainText('Lighthouse Point');
        await a11y('the event, changed');
      });

      await test.step('a move the lifecycle refuses asks first, wants a reason and says the rule in words', async () => {
        const eventUrl = page.url();
        await page.goto(`${new URL(eventUrl).pathname}/status?to=live`);
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Move ${name}, revised to live?`);
        await a11y('confirm a move to live');
        await page.getByRole('button', { name: 'Move to live' }).click();
        await expect(page.locator('.error-summary')).toContainText('Enter the reason for the change');
        await a11y('confirm a move to live, without a reason');
        await page.getByLabel('Reason').fill('The route opens early for a rehearsal');
        await page.getByRole('button', { name: 'Move to live' }).click();
        await expect(page.locator('.error-summary')).toContainText('Issue the plan and have Gold endorse it before the event goes live');
        await a11y('confirm a move to live, refused');
        await page.getByRole('link', { name: 'Cancel' }).click();
        await expect(page.locator('dt:text-is("Status") + dd')).toContainText('Planning');
        await a11y('the event, still planning');
      });

      await test.step('pick Gold for the team, searching without script', async () => {
        await page.getByRole('link', { name: 'Add someone to the team' }).click();
        await a11y('the team picker');
        await page.getByLabel('Search by name, e-mail address or organisation').fill('Morgan');
        await page.getByRole('button', { name: 'Search' }).click();
        await a11y('the team picker, searched');
        await page.getByRole('button', { name: `Add ${ACCOUNTS.gold.name}` }).click();
        await expect(page.locator('table#team')).toContainText(ACCOUNTS.gold.email);
        await a11y('the event, Gold added');
      });

      await test.step('removing them asks first', async () => {
        await page.getByRole('link', { name: `Remove ${ACCOUNTS.gold.name}` }).click();
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Remove ${ACCOUNTS.gold.name} from the team?`);
        await a11y('confirm the removal');
        await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
        // Without a reason it asks for one; what happens is recorded with it.
        await page.getByRole('button', { name: 'Remove from the team' }).click();
        await expect(page.locator('.error-summary')).toContainText('Enter why they are being removed');
        await a11y('confirm the removal, without a reason');
        await page.getByLabel('Why are they being removed?').fill('Gold is briefed by the SecCo instead');
        await page.getByRole('button', { name: 'Remove from the team' }).click();
        await expect(page.locator('table#team')).not.toContainText(ACCOUNTS.gold.email);
        await a11y('the event, Gold removed');
      });
    });
  });

  test.describe('as Gold', () => {
    test.use({ as: 'gold' });

    test('the home page shows the work waiting, and notifications are read', async ({ page, a11y }) => {
      await page.goto('/');
      await a11y('home, as Gold');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your work');
      const actions = page.locator('section', { has: page.getByRole('heading', { name: 'Actions assigned to you' }) });
      await expect(actions.locator('.tag-overdue').first()).toHaveText('Overdue');
      await expect(actions).toContainText('Sign off the temporary traffic regulation order');
      const count = page.locator('.notifications-link .count');
      await expect(count).toBeVisible();
      await page.getByRole('link', { name: /^Notifications/ }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Notifications');
      await a11y('notifications');
      await expect(page.locator('.task-list li').first()).toBeVisible();
      await page.getByRole('button', { name: 'Mark all as read' }).click();
      await expect(page.locator('.notifications-link .count')).toHaveCount(0);
      await a11y('notifications, all read');
      await expect(page.locator('.task-list li.unread')).toHaveCount(0);
    });
  });
});
