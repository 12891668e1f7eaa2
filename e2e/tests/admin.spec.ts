import { ACCOUNTS, DEMO_PASSWORD, freshAdminTotpCode } from '../support/accounts';
import { displayDate, escapeRegExp, ukDate } from '../support/dates';
import { expect, test } from '../support/fixtures';
import { expectMarkingBanners, mainNav } from '../support/layout';

const admin = ACCOUNTS.admin;
const NI_IN_NI = 'Northern Ireland-related terrorism in Northern Ireland';

test('the administrator signs in with a two-step code', async ({ page, a11y }) => {
  // Each sign-in needs a two-step code of a time step not used before, so this
  // may wait for the next 30 s step (or two, with the other project's run).
  test.setTimeout(150_000);

  await test.step('the administration page sends you to sign in', async () => {
    await page.goto('/admin');
    await expect(page).toHaveURL(/\/sign-in\?next=(%2F|\/)admin$/);
    await a11y('sign-in page, from the administration page');
  });

  await test.step('open "I use two-step verification"', async () => {
    await page.getByLabel('E-mail address').fill(admin.email);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    const details = page.locator('details', { has: page.getByText('I use two-step verification') });
    const code = page.getByLabel('Code from your authenticator app');
    await expect(code).toBeHidden();
    await details.locator('summary').click();
    await expect(details).toHaveAttribute('open', '');
    await expect(code).toBeVisible();
    await expect(code).toHaveAccessibleDescription('The 6-digit code for Cordon, which changes every 30 seconds');
    await a11y('sign-in page, two-step code field shown');
  });

  await test.step('sign in with the current code: the administration page', async () => {
    await page.getByLabel('Code from your authenticator app').fill(await freshAdminTotpCode());
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/admin$/);
    await a11y('administration page, just signed in');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Administration');
    await expect(page.getByRole('banner').locator('.signed-in-as')).toHaveText(admin.name);
    await expect(mainNav(page).getByRole('link', { name: 'Administration' })).toHaveAttribute('aria-current', 'page');
    await expectMarkingBanners(page, 'OFFICIAL');
  });
});

test.describe('as the administrator', () => {
  test.use({ as: 'admin' });

  test('record a change of the Northern Ireland threat level, and see it on the threat levels page', async ({
    page,
    a11y,
  }, testInfo) => {
    const section = page.getByRole('region', { name: 'Record a change of threat level' });
    const recordChange = async (level: string, date: string, note: string) => {
      await section.getByLabel('Series').selectOption('ni-in-ni');
      await section.getByLabel('New level').selectOption(level);
      await section.getByLabel('Announced on').fill(date);
      await section.getByLabel('Note').fill(note);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().isNavigationRequest() && r.url().endsWith('/admin/threat-levels')),
        section.getByRole('button', { name: 'Record the change' }).click(),
      ]);
      return response.status();
    };

    await page.goto('/admin');
    await a11y('administration page');

    await test.step('a date in the future is refused, with the error on the field', async () => {
      const status = await recordChange('MODERATE', ukDate(1), 'Announced tomorrow (e2e)');
      expect(status).toBe(422);
      await a11y('administration page, threat level date refused');
      const summary = page.locator('.error-summary');
      await expect(summary).toBeVisible();
      await expect(summary.getByRole('link', { name: /in the future/ })).toHaveAttribute('href', '#effective');
      const date = section.getByLabel('Announced on');
      await expect(date).toHaveAttribute('aria-invalid', 'true');
      await expect(date).toHaveAccessibleDescription(/in the future/);
      // What was typed is kept.
      await expect(date).toHaveValue(ukDate(1));
      await expect(section.getByLabel('Note')).toHaveValue('Announced tomorrow (e2e)');
    });

    // History is append-only: a level can change only once a day, and both
    // projects share one server. The change itself is recorded in one project.
    if (testInfo.project.name !== 'desktop') return;

    const today = ukDate(0);
    const note = `Lowered to MODERATE, announced by the Secretary of State (e2e ${Date.now()})`;

    await test.step(`record ni-in-ni MODERATE from ${today}`, async () => {
      const status = await recordChange('MODERATE', today, note);
      expect(status).toBe(200);
      await a11y('administration page, threat level change recorded');
      await expect(page.locator('.error-summary')).toHaveCount(0);
      await expect(page.locator('#notice')).toHaveText(
        `Recorded: ${NI_IN_NI} is MODERATE from ${displayDate(today)}.`,
      );
    });

    await test.step('the threat levels page shows it, and its history', async () => {
      await mainNav(page).getByRole('link', { name: 'Threat levels' }).click();
      await expect(page).toHaveURL(/\/threat-levels$/);
      await a11y('threat levels page, after the change');
      const ni = page.getByRole('region', { name: NI_IN_NI });
      await expect(ni.locator('dt:text-is("Threat level") + dd .level')).toHaveText('MODERATE');
      await expect(ni.locator('dt:text-is("In force since") + dd')).toHaveText(displayDate(today));
      await ni.locator('details summary').click();
      const newest = ni.getByRole('table').locator('tbody tr').first();
      await expect(newest.locator('.level')).toHaveText('MODERATE');
      await expect(newest).toContainText(note);
      await a11y('threat levels page, Northern Ireland history open');
    });
  });

  test('add a user with a generated password', async ({ page, a11y, playwright, baseURL }, testInfo) => {
    await page.goto('/admin');
    await a11y('administration page');

    const email = `e2e-${testInfo.project.name}-${Date.now()}@northshire.police.example`;
    const name = `E2E New User ${testInfo.project.name}`;
    const usersHeading = page.getByRole('heading', { name: /^Users \(\d+\)$/ });
    const before = Number(/\d+/.exec((await usersHeading.textContent()) ?? '')![0]);

    const form = page.locator('form[action="/admin/users"]');
    await form.getByLabel('E-mail address').fill(email);
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Organisation').selectOption({ label: 'Northshire Police' });
    await form.getByRole('group', { name: 'Roles' }).getByRole('checkbox', { name: 'Member of staff' }).check();
    await form.getByLabel('Vetting clearance').selectOption({ index: 0 });
    await expect(form.getByLabel('Password (optional)')).toHaveValue('');
    await form.getByRole('button', { name: 'Add user' }).click();
    await expect(page).toHaveURL(/\/admin\/users$/);
    await a11y('administration page, user added');

    await expect(page.locator('.error-summary')).toHaveCount(0);
    const notice = page.locator('#notice');
    await expect(notice).toHaveAttribute('role', 'status');
    await expect(notice).toHaveText(new RegExp(`^Added ${name} <${escapeRegExp(email)}>\\. Their password, shown only now: \\S{8,}$`));
    const password = /shown only now: (\S+)$/.exec(((await notice.textContent()) ?? '').trim())![1];
    // Users are counted (a parallel run may add one more).
    const after = Number(/\d+/.exec((await usersHeading.textContent()) ?? '')![0]);
    expect(after).toBeGreaterThan(before);

    // The generated password signs the new user in (in a new, signed-out context).
    const ctx = await playwright.request.newContext({ baseURL, storageState: { cookies: [], origins: [] } });
    try {
      const form = await ctx.get('/sign-in');
      expect(form.url()).toMatch(/\/sign-in$/);
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(await form.text())![1];
      const res = await ctx.post('/sign-in', {
        form: { csrf_token: csrf, next: '/account', email, password },
        maxRedirects: 0,
      });
      expect(res.status(), 'signing in with the generated password redirects').toBe(303);
      expect(res.headers()['location']).toBe('/account');
    } finally {
      await ctx.dispose();
    }
  });
});

test.describe('as a member of staff', () => {
  test.use({ as: 'staff' });

  test('the administration page says "Administrators only" (403)', async ({ page, a11y }) => {
    const response = await page.goto('/admin');
    expect(response?.status()).toBe(403);
    await a11y('administration page, refused to a member of staff');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Administrators only');
    await expect(page.getByRole('main')).toContainText('This page is for administrators.');
    await expect(page.getByRole('banner').locator('.signed-in-as')).toHaveText(ACCOUNTS.staff.name);
    await expect(mainNav(page).getByRole('link', { name: 'Administration' })).toHaveCount(0);
    await expectMarkingBanners(page, 'OFFICIAL');
  });
});
