import { ACCOUNTS, DEMO_PASSWORD } from '../support/accounts';
import { escapeRegExp } from '../support/dates';
import { expect, test } from '../support/fixtures';
import { expectMarkingBanners, mainNav } from '../support/layout';

const secco = ACCOUNTS.secco;

test('sign in as the security coordinator, create an API token, sign out', async ({
  page,
  a11y,
  request,
}, testInfo) => {
  const header = page.getByRole('banner');

  await test.step('the sign-in page', async () => {
    await page.goto('/sign-in');
    await a11y('sign-in page');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
    await expect(header.getByRole('link', { name: 'Sign in' })).toBeVisible();
  });

  await test.step('sign in: home page, with the name in the header and both banners', async () => {
    await page.getByLabel('E-mail address').fill(secco.email);
    await page.getByLabel('Password', { exact: true }).fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/$/);
    await a11y('home page, signed in');
    // The home page lists the coordinator's events: the banners show the highest marking among them.
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your work');
    await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
    await expect(header.locator('.signed-in-as')).toHaveText(secco.name);
    await expect(header.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
    await expect(header.getByRole('link', { name: 'Sign in' })).toHaveCount(0);
    // Signed in, the main navigation offers the events and the account.
    await expect(mainNav(page).getByRole('link', { name: 'Events' })).toBeVisible();
    await expect(mainNav(page).getByRole('link', { name: 'Administration' })).toHaveCount(0);
  });

  await test.step('the account page shows the details and this session', async () => {
    await mainNav(page).getByRole('link', { name: 'Account' }).click();
    await expect(page).toHaveURL(/\/account$/);
    await a11y('account page');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Your account');
    await expect(mainNav(page).getByRole('link', { name: 'Account' })).toHaveAttribute('aria-current', 'page');
    const details = page.getByRole('region', { name: 'Details' });
    await expect(details.locator('dt:text-is("Name") + dd')).toHaveText(secco.name);
    await expect(details.locator('dt:text-is("E-mail address") + dd')).toHaveText(secco.email);
    const sessions = page.getByRole('table', { name: 'Your sessions' });
    await expect(sessions.getByRole('cell', { name: /\(this device\)$/ })).toHaveCount(1);
    await expectMarkingBanners(page, 'OFFICIAL');
  });

  const tokenName = `e2e ${testInfo.project.name} export ${Date.now()}`;
  let token = '';

  await test.step('create an API token: it is shown once', async () => {
    await page.getByLabel('Token name').fill(tokenName);
    await page.getByLabel('Expires after (days)').fill('30');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().isNavigationRequest() && r.url().endsWith('/account/tokens')),
      page.getByRole('button', { name: 'Create token' }).click(),
    ]);
    expect(response.status()).toBe(201);
    await a11y('account page, new API token shown');

    const shown = page.locator('#new-token');
    await expect(shown).toBeVisible();
    token = ((await shown.textContent()) ?? '').trim();
    expect(token).toMatch(/^cordon_\S{20,}$/);
    await expect(page.getByRole('heading', { name: 'Your new API token' })).toBeVisible();
    const tokens = page.getByRole('table', { name: 'Your API tokens' });
    await expect(tokens.getByRole('row', { name: new RegExp(escapeRegExp(tokenName)) })).toHaveCount(1);
  });

  await test.step('the token works on the API as the coordinator', async () => {
    const me = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    expect(me.status()).toBe(200);
    expect(JSON.stringify(await me.json())).toContain(secco.email);
  });

  await test.step('reloaded, the account page lists the token but never shows it again', async () => {
    await page.goto('/account');
    await a11y('account page, after creating a token');
    await expect(page.locator('#new-token')).toHaveCount(0);
    const tokens = page.getByRole('table', { name: 'Your API tokens' });
    const row = tokens.getByRole('row', { name: new RegExp(escapeRegExp(tokenName)) });
    await expect(row).toHaveCount(1);
    await expect(row.getByRole('button', { name: `Revoke ${tokenName}` })).toBeVisible();
    expect(await page.content()).not.toContain(token);
  });

  await test.step('sign out', async () => {
    await header.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect(page).toHaveURL(/\/sign-in(\?|$)/);
    await a11y('sign-in page, after signing out');
    await expect(header.locator('.signed-in-as')).toHaveCount(0);
    await expect(header.getByRole('link', { name: 'Sign in' })).toBeVisible();
    await expect(mainNav(page).getByRole('link', { name: 'Account' })).toHaveCount(0);
  });

  await test.step('signed out, the account page sends you to sign in', async () => {
    const response = await page.goto('/account');
    await expect(page).toHaveURL(/\/sign-in\?next=(%2F|\/)account$/);
    expect(response?.status()).toBe(200);
    await a11y('sign-in page, from the account page when signed out');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
    await expect(page.locator('input[name="next"]')).toHaveValue('/account');
  });
});

test('a wrong password is refused with an error summary, and the e-mail address is kept', async ({
  page,
  a11y,
}) => {
  await page.goto('/sign-in');
  await a11y('sign-in page');

  const email = page.getByLabel('E-mail address');
  const password = page.getByLabel('Password', { exact: true });
  await email.fill(secco.email);
  await password.fill('not-the-right-password');
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  expect(response.status()).toBe(401);
  await a11y('sign-in page, wrong password');

  const summary = page.locator('.error-summary');
  await expect(summary).toBeVisible();
  await expect(summary).toHaveAttribute('role', 'alert');
  await expect(summary.getByRole('heading', { name: 'There is a problem' })).toBeVisible();
  const link = summary.getByRole('link', { name: 'The e-mail address or password is not right' });
  await expect(link).toHaveAttribute('href', '#email');

  // The form keeps the e-mail address (not the password), marked as the field in error.
  await expect(email).toHaveValue(secco.email);
  await expect(password).toHaveValue('');
  await expect(email).toHaveAttribute('aria-invalid', 'true');
  await expect(email).toHaveAccessibleDescription(/The e-mail address or password is not right/);
  await expect(page.getByRole('banner').locator('.signed-in-as')).toHaveCount(0);

  // The summary's link takes you to the field.
  await link.click();
  await expect(email).toBeFocused();
  await a11y('sign-in page, wrong password, e-mail field focused');
});
