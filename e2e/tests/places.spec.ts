import { expect, test } from '../support/fixtures';
import { expectMarkingBanners } from '../support/layout';

// The register of crowded places and Martyn's Law: the CTSA imports places
// (a bad file first: nothing imported, its line and column named), runs the
// allocation and reads why a place was left out; anyone, signed out, checks
// their premises' tier and duties.

test.describe.configure({ mode: 'serial' });

const stamp = Date.now().toString(36).toUpperCase();

test.describe('crowded places and the adviser allocation', () => {
  test.use({ as: 'ctsa' });

  test('import places, run the allocation and read a place\'s reason', async ({ page, a11y }, testInfo) => {
    test.setTimeout(120_000);
    const ref = `E2E-${stamp}-${testInfo.project.name}`.replace(/[^A-Za-z0-9-]/g, '');
    await page.goto('/places');
    await a11y('crowded places');
    await page.getByRole('link', { name: 'Import places from CSV' }).click();
    await a11y('import form');

    await test.step('a bad row imports nothing and is named by line and column', async () => {
      const bad = 'reference,name,sector,use,capacity,latitude,longitude,address\n' +
        `${ref}-1,Good Hall,retail,shop,300,54.97,-1.61,1 Good Street\n` +
        `${ref}-2,Bad Hall,retail,shop,-5,54.97,-1.61,2 Bad Street\n`;
      await page.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from(bad) });
      await page.getByRole('button', { name: 'Import' }).click();
      await a11y('import refused');
      await expect(page.locator('.error-summary')).toContainText('Nothing was imported. Line 3, column capacity');
    });

    await test.step('a good file is imported', async () => {
      const good = 'reference,name,sector,use,capacity,latitude,longitude,address\n' +
        `${ref}-1,Quayside Arena,stadiums_and_arenas,sports_ground,9000,54.97,-1.61,"1 Quay, Northtown"\n` +
        `${ref}-2,Faraway Inn,hotels,hotel,250,57.60,-3.90,"2 Far Road, Elsewhere"\n`;
      await page.getByLabel('CSV file').setInputFiles({ name: 'good.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
      await page.getByRole('button', { name: 'Import' }).click();
      await expect(page).toHaveURL(/\/places\?imported=2$/);
      await a11y('imported');
      await expect(page.getByRole('status')).toContainText('Imported 2 places');
    });

    await test.step('run the allocation', async () => {
      await page.goto('/allocation');
      await a11y('allocation runs');
      await page.getByLabel('Period starts').fill('2027-04-01');
      await page.getByLabel('Period ends').fill('2027-06-30');
      await page.getByRole('button', { name: 'Run the allocation' }).click();
      await expect(page).toHaveURL(/\/allocation\/[0-9a-f-]+$/);
      await a11y('the run');
      await expect(page.locator('main')).toContainText('Proven upper bound');
      await expectMarkingBanners(page, 'OFFICIAL');
    });

    await test.step('read why the faraway place was not allocated', async () => {
      await page.goto(`/places?q=${ref}-2`);
      await a11y('the faraway place listed');
      await page.getByRole('link', { name: 'Faraway Inn' }).click();
      await a11y('the faraway place');
      await expect(page.locator('main')).toContainText('Not allocated in the latest run');
      await expect(page.locator('main')).toContainText("no adviser's base is within their travel distance");
      await page.getByRole('link', { name: 'The score in full' }).click();
      await a11y('the place in the run');
      await expect(page.locator('#reason')).toContainText('Ranked');
    });

    await test.step('record the arena\'s duties and flag it from its page', async () => {
      await page.goto(`/places?q=${ref}-1`);
      await a11y('the arena listed');
      await page.getByRole('link', { name: 'Quayside Arena' }).click();
      await a11y('the arena');
      await expect(page.locator('#duties')).toContainText('Not started');
      await expect(page.locator('#advice-pack')).toHaveAttribute('href', /sector=stadiums_and_arenas/);
      await page.getByRole('link', { name: /Change the duty statuses/ }).click();
      await a11y('duty checklist change page');
      await page.getByRole('group', { name: /Notify the Security Industry Authority/ }).getByLabel('Met').check();
      await page.getByRole('group', { name: /Security document for the SIA/ }).getByLabel('In progress').check();
      await page.getByRole('button', { name: 'Save the duty statuses' }).click();
      await expect(page.locator('#notice')).toContainText('The duty statuses were saved.');
      await a11y('duties saved');
      await expect(page.locator('#duties')).toContainText('Met');
      await expect(page.locator('#duties')).toContainText('In progress');

      await page.getByRole('link', { name: /Flag this place/ }).click();
      await a11y('flag page');
      await page.getByRole('button', { name: 'Flag the place' }).click();
      await a11y('flag page with an error');
      await expect(page.locator('.error-summary')).toContainText('Enter why the place is flagged');
      await page.getByLabel('Why the place is flagged').fill('Hostile reconnaissance reported by staff');
      await page.getByRole('button', { name: 'Flag the place' }).click();
      await expect(page.locator('#notice')).toContainText('The flag was recorded.');
      await expect(page.locator('#flag')).toContainText('Hostile reconnaissance reported by staff');
      await a11y('flagged place');

      await page.getByRole('link', { name: /Record a visit/ }).click();
      await a11y('visit page');
      await page.getByLabel('Day of the visit').fill(new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
      await page.getByLabel('Improvements agreed').check();
      await page.getByRole('button', { name: 'Record the visit' }).click();
      await expect(page.locator('#notice')).toContainText('The visit was recorded.');
      await a11y('visit recorded');
    });
  });
});

test.describe("Martyn's Law self-check, signed out", () => {
  test('check premises and read the sector guidance', async ({ page, a11y }) => {
    await page.goto('/martyns-law');
    await a11y('self-check');
    await page.getByRole('button', { name: 'Check' }).click();
    await a11y('self-check errors');
    await expect(page.locator('.error-summary')).toContainText('Select what the premises are mainly used for');

    await page.getByLabel('What are the premises wholly or mainly used for?').selectOption('sports_ground');
    await page.getByLabel('How many people may reasonably be expected there at the same time?').fill('800');
    await page.getByLabel('A company, charity, public body or other organisation').check();
    await page.getByRole('button', { name: 'Check' }).click();
    await a11y('self-check answer');
    await expect(page.locator('#result-heading')).toHaveText('Your premises: Enhanced duty premises');
    await expect(page.locator('#result')).toContainText('Designated senior individual');
    await expect(page.locator('#result')).toContainText('£18,000,000');

    await page.getByLabel('How many people may reasonably be expected there at the same time?').fill('799');
    await page.getByRole('button', { name: 'Check' }).click();
    await a11y('self-check standard');
    await expect(page.locator('#result-heading')).toHaveText('Your premises: Standard duty premises');

    await page.getByLabel('Which sector are the premises in? (optional)').selectOption('stadiums_and_arenas');
    await page.getByRole('button', { name: 'Check' }).click();
    await a11y('self-check with a sector');
    await expect(page.getByRole('link', { name: 'Download your advice pack (PDF)' }))
      .toHaveAttribute('href', /sector=stadiums_and_arenas/);

    await page.getByRole('link', { name: 'Stadiums and arenas' }).click();
    await a11y('sector guidance');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Stadiums and arenas');
  });
});
