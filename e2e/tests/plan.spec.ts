import type { Page } from '@playwright/test';
import { ACCOUNTS } from '../support/accounts';
import { displayDate, escapeRegExp, fillDate, fillDateTime, ukDate } from '../support/dates';
import { expect, test } from '../support/fixtures';
import { expectMarkingBanners, mainNav } from '../support/layout';

// The planning journey: the security coordinator creates an OFFICIAL-SENSITIVE
// event, writes its CT protective security plan until it is ready, issues it,
// changes it, issues it again and compares the two versions. Then a member of
// staff outside the event's team finds neither the event nor its plan.

/** The methodology rated High (4×4, residual 2×4), treated by a measure and a contingency. */
const TREATED = 'vehicle_as_a_weapon';

interface Methodology {
  id: string;
  name: string;
}

test.describe.configure({ mode: 'serial' });

test.describe('the CT protective security plan of a new event', () => {
  test.use({ as: 'secco' });

  let eventPath = '';

  test('the coordinator creates an event, plans it until ready, issues it twice and compares the versions', async ({
    page,
    a11y,
    request,
  }, testInfo) => {
    // Some thirty page loads, each checked with axe.
    test.setTimeout(600_000);

    const methodologies = await attackMethodologies(request);
    expect(methodologies.map((m) => m.id)).toContain(TREATED);
    const treated = methodologies.find((m) => m.id === TREATED)!;
    const eventName = `E2E Riverside Festival (${testInfo.project.name}, ${Date.now()})`;

    await test.step('the events page links to "Create an event"', async () => {
      await page.goto('/events');
      await a11y('events page');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Events and operations');
      await page.getByRole('link', { name: 'Create an event' }).click();
      await expect(page).toHaveURL(/\/events\/new$/);
      await a11y('new event page');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Create an event');
      await expect(mainNav(page).getByRole('link', { name: 'Events' })).toHaveAttribute('aria-current', 'page');
    });

    await test.step('create an OFFICIAL-SENSITIVE event: its page', async () => {
      const form = page.locator('main form[action="/events"]');
      await form.getByLabel('Name', { exact: true }).fill(eventName);
      await form.getByLabel('Kind').selectOption('music_or_festival');
      await fillDateTime(form.getByRole('group', { name: 'Start' }), ukDate(90), '10:00');
      await fillDateTime(form.getByRole('group', { name: 'End' }), ukDate(90), '22:30');
      await form.getByLabel('Venue 1 name').fill('Riverside Park');
      await form.getByLabel('Venue 1 address').fill('Riverside Park, Northshire NS1 2AB');
      await form.getByLabel('Expected peak attendance').fill('25,000');
      const marking = form.getByLabel('Protective marking');
      await expect(marking).toHaveValue('OFFICIAL-SENSITIVE');
      await expect(marking).toHaveAccessibleDescription(/OFFICIAL-SENSITIVE limits the event to its team/);
      await marking.selectOption('OFFICIAL-SENSITIVE');
      await form.getByRole('button', { name: 'Create event' }).click();

      await expect(page).toHaveURL(/\/events\/[^/]+$/);
      expect(new URL(page.url()).pathname).not.toBe('/events/new');
      eventPath = new URL(page.url()).pathname;
      await a11y('event page, just created');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(eventName);
      await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
      const summary = page.locator('dl.summary');
      await expect(summary.locator('dt:text-is("Kind") + dd')).toHaveText('Music or festival');
      await expect(summary.locator('dt:text-is("Venues") + dd')).toHaveText('Riverside Park, Riverside Park, Northshire NS1 2AB');
      await expect(summary.locator('dt:text-is("Expected peak attendance") + dd')).toHaveText('25,000');
      await expect(summary.locator('dt:text-is("Marking") + dd')).toHaveText('OFFICIAL-SENSITIVE');
      // The coordinator who created it is in its team; the member of staff is not.
      const team = page.locator('table#team');
      await expect(team.getByRole('row', { name: new RegExp(escapeRegExp(ACCOUNTS.secco.email)) })).toHaveCount(1);
      await expect(team.getByRole('row', { name: new RegExp(escapeRegExp(ACCOUNTS.staff.email)) })).toHaveCount(0);
    });

    const status = page.locator('#ready-status');
    const problems = page.locator('#problems li');

    await test.step('open its plan: not ready, with what to fix', async () => {
      await page.getByRole('link', { name: 'Open the CT protective security plan' }).click();
      await expect(page).toHaveURL(new RegExp(`${escapeRegExp(eventPath)}/plan$`));
      await a11y('plan page, new and empty');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`CT protective security plan: ${eventName}`);
      await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');

      await expect(status).toHaveText(/^Not ready: \d+ things to fix\.$/);
      const n = Number(/\d+/.exec((await status.textContent())!)![0]);
      // Tasking, intent, a threat assessment, reconnaissance, and each methodology.
      expect(n).toBe(4 + methodologies.length);
      await expect(problems).toHaveCount(n);
      for (const m of methodologies) {
        await expect(problems.getByRole('link', { name: `Assess ${m.name} or mark it not applicable with a reason` })).toHaveCount(1);
      }
      // Every problem links to something on the page.
      for (const href of await problems.getByRole('link').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
        expect(href, 'a problem links within the page').toMatch(/^#./);
        await expect(page.locator(`[id="${href!.slice(1)}"]`), `the target of ${href}`).toHaveCount(1);
      }
      await expect(page.locator('#risks')).toContainText('Not assessed');
    });

    await test.step('the plan page reads, and changes happen on pages of their own', async () => {
      // No section's form is on the plan page: "Add …" and "Change" lead to them.
      // (Only the offer to start from an earlier plan, while this one is empty.)
      await expect(page.locator('main form[method="post"]:not([action$="/copy-from"])')).toHaveCount(0);
      await expect(page.getByRole('link', { name: 'Add a measure' })).toBeVisible();
    });

    await test.step('record the tasking', async () => {
      const section = page.locator('#tasking');
      await section.getByRole('link', { name: 'Record the tasking' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tasking');
      await a11y('tasking page');
      await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
      await page.getByLabel('Commissioned by').fill('Ch Supt Alex Morgan (Gold)');
      await fillDate(page.getByRole('group', { name: 'Commissioned on' }), ukDate(-30));
      await page.getByLabel('Terms of reference').fill('Assess the CT risk to the festival and recommend proportionate measures.');
      await saveAndCheck(page, a11y, page.getByRole('button', { name: 'Save tasking' }), 'plan page, tasking saved', '#tasking');
      await expect(section).toContainText('Commissioned by Ch Supt Alex Morgan (Gold)');
      await expect(section).toContainText(displayDate(ukDate(-30)));
      await expect(problems.getByText('Record who tasked the plan', { exact: false })).toHaveCount(0);
    });

    await test.step("record the commander's intent", async () => {
      const section = page.locator('#intent');
      await section.getByRole('link', { name: "Record the commander's intent" }).click();
      await a11y('intent page');
      await page.getByLabel('Intent', { exact: true }).fill('Deliver a safe festival with proportionate protective security.');
      await page
        .getByLabel('Strategic objectives, one per line')
        .fill('Protect the public from a terrorist attack\nMaintain public confidence\nKeep the event running');
      await saveAndCheck(page, a11y, page.getByRole('button', { name: 'Save intent' }), 'plan page, intent saved', '#intent');
      await expect(section.locator('ol li')).toHaveCount(3);
      await expect(problems.getByText("Record the commander's intent", { exact: false })).toHaveCount(0);
    });

    await test.step('add a threat assessment', async () => {
      const section = page.locator('#threat-assessment');
      await section.getByRole('link', { name: 'Add a threat assessment' }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add a threat assessment');
      await a11y('add a threat assessment');
      // A date that does not exist is named against its field, and nothing is added.
      await page.getByLabel('Source').fill('CTP North CTIU');
      await fillDate(page.getByRole('group', { name: 'Date of the assessment' }), '2027-02-31');
      await page.getByLabel('Summary').fill('No specific intelligence; the general threat applies to crowded places.');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await expect(page.locator('.error-summary')).toContainText('Date of the assessment must be a real date');
      await a11y('add a threat assessment, with a date that does not exist');
      await expect(page.getByLabel('Source')).toHaveValue('CTP North CTIU');
      await fillDate(page.getByRole('group', { name: 'Date of the assessment' }), ukDate(-7));
      await expect(page.getByLabel('Marking', { exact: true })).toHaveValue('OFFICIAL-SENSITIVE');
      await saveAndCheck(
        page,
        a11y,
        page.getByRole('button', { name: 'Add', exact: true }),
        'plan page, threat assessment added',
        '#threat-assessment',
      );
      await expect(section.locator('tbody tr')).toHaveCount(1);
      await expect(section.locator('tbody tr')).toContainText('CTP North CTIU');
      await expect(problems.getByText('Record at least one threat assessment')).toHaveCount(0);
    });

    await test.step('add a reconnaissance visit', async () => {
      const section = page.locator('#recon-visit');
      await section.getByRole('link', { name: 'Add a reconnaissance visit' }).click();
      await a11y('add a reconnaissance visit');
      await fillDate(page.getByRole('group', { name: 'Date of the visit' }), ukDate(-3));
      await page.getByLabel('Who attended').fill('Insp Sam Patel, CTSA');
      await page.getByLabel('Areas visited').fill('Main arena, north gate, river path');
      await page.getByLabel('Findings').fill('The north gate opens onto a straight road with no vehicle barriers.');
      await saveAndCheck(page, a11y, page.getByRole('button', { name: 'Add', exact: true }), 'plan page, reconnaissance visit added', '#recon-visit');
      await expect(section.locator('tbody tr')).toHaveCount(1);
      await expect(problems.getByText('Record at least one venue reconnaissance visit', { exact: false })).toHaveCount(0);
    });

    await test.step(`assess every methodology: 2×2, and ${TREATED} 4×4 with residual 2×4`, async () => {
      for (const m of methodologies) {
        const high = m.id === TREATED;
        // Each methodology's assessment has a page of its own.
        await page.locator(`#risks tr[id="risk-${m.id}"]`).getByRole('link', { name: `Assess ${m.name}` }).click();
        await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Risk assessment: ${m.name}`);
        await a11y(`risk assessment page of ${m.id}`);
        await page.getByLabel('Applies to this event?').selectOption('yes');
        await page.getByLabel('Likelihood', { exact: true }).selectOption(high ? '4' : '2');
        await page.getByLabel('Impact', { exact: true }).selectOption(high ? '4' : '2');
        await page.getByLabel('Residual likelihood').selectOption('2');
        await page.getByLabel('Residual impact').selectOption(high ? '4' : '2');
        await saveAndCheck(
          page,
          a11y,
          page.getByRole('button', { name: 'Save assessment' }),
          `plan page, ${m.id} assessed`,
          `#risk-${m.id}`,
        );
        const row = page.locator(`#risks tr[id="risk-${m.id}"]`);
        await expect(row.locator('td').nth(0)).toHaveText(high ? 'High (16)' : 'Low (4)');
        // Until a measure is accepted the residual rating is the inherent one.
        await expect(row.locator('td').nth(2)).toHaveText(high ? 'High (16)' : 'Low (4)');
        await expect(problems.getByText(`Assess ${m.name} or mark`, { exact: false })).toHaveCount(0);
      }
    });

    await test.step(`only ${TREATED} is left: rated High, it needs an accepted measure and a contingency`, async () => {
      await expect(status).toHaveText('Not ready: 2 things to fix.');
      await expect(problems).toHaveText([
        `${treated.name} is rated High (at or above tolerance): accept at least one measure, or record why none`,
        `The residual risk of ${treated.name} is at or above tolerance: add a contingency plan`,
      ]);
      await expect(page.locator('#coverage-table').getByRole('row', { name: new RegExp(escapeRegExp(treated.name)) })).toContainText('Gap');
    });

    const hvm = 'Impact-tested hostile vehicle mitigation at the north gate';

    await test.step('add an accepted measure for it', async () => {
      await addMeasure(page, a11y, treated.name, hvm, 'Reconnaissance found an open approach road', 'plan page, measure added');
      await expect(page.locator('#measures tbody tr', { hasText: hvm })).toContainText('Accepted');
      const coverage = page.locator('#coverage-table').getByRole('row', { name: new RegExp(escapeRegExp(treated.name)) });
      await expect(coverage).toContainText(hvm);
      await expect(coverage).not.toContainText('Gap');
      const row = page.locator(`#risks tr[id="risk-${TREATED}"] td`);
      await expect(row.nth(1)).toHaveText('1 accepted');
      // Treated, the residual rating (2×4) applies: below tolerance.
      await expect(row.nth(2)).toHaveText('Medium (8)');
    });

    await test.step('add a contingency plan for its residual risk', async () => {
      const section = page.locator('#contingency');
      await section.getByRole('link', { name: 'Add a contingency plan' }).click();
      await a11y('add a contingency plan');
      await page.getByRole('group', { name: 'Residual risks it manages' }).getByRole('checkbox', { name: treated.name }).check();
      await page.getByLabel('Trigger').fill('A vehicle breaches the north gate barriers');
      await page.getByLabel('Actions').fill('Stop the music, direct the crowd away from the gate, call 999.');
      await page.getByLabel('Owner').fill('Event control');
      await saveAndCheck(
        page,
        a11y,
        page.getByRole('button', { name: 'Add', exact: true }),
        'plan page, contingency plan added',
        '#contingency',
      );
      await expect(section.locator('tbody tr')).toHaveCount(1);
      await expect(section.locator('tbody tr')).toContainText(treated.name);
    });

    await test.step('the plan is ready to issue', async () => {
      await expect(status).toHaveText('Ready to issue. Nothing stops this plan being issued.');
      await expect(page.locator('#problems')).toHaveCount(0);
    });

    let firstHash = '';

    await test.step('issue it: version 1', async () => {
      firstHash = await issue(page, a11y, 'First issue, for the safety advisory group', 1);
    });

    await test.step('back on the plan, one version and nothing to compare yet', async () => {
      await page.getByRole('link', { name: 'Back to the plan' }).click();
      await expect(page).toHaveURL(new RegExp(`${escapeRegExp(eventPath)}/plan$`));
      await a11y('plan page, after issuing version 1');
      await expect(page.locator('#readiness')).toContainText('Issued versions: 1.');
      await expect(page.locator('#cmp-a')).toHaveCount(0);
    });

    const stewards = 'Stewards search vehicles at the service gate';

    await test.step('a measure with no risk: its form again on its own page, as typed, the error by the field', async () => {
      await page.locator('#measure').getByRole('link', { name: 'Add a measure' }).click();
      await a11y('add a measure');
      await page.getByLabel('Measure', { exact: true }).fill('Stewards check bags at the gate');
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add a measure');
      await a11y('add a measure, with an error');
      await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
      await expect(page.locator('#risks-error')).toContainText('at least one risk');
      await expect(page.getByLabel('Measure', { exact: true })).toHaveValue('Stewards check bags at the gate');
      await page.getByRole('link', { name: 'Back to the plan' }).click();
      await expect(page).toHaveURL(new RegExp(`${escapeRegExp(eventPath)}/plan#measure$`));
      await a11y('plan page, back from the refused measure');
      await expect(page.locator('#measure tbody')).not.toContainText('Stewards check bags at the gate');
    });

    await test.step('change it: a second accepted measure', async () => {
      await addMeasure(page, a11y, treated.name, stewards, 'Service vehicles need access during the event', 'plan page, second measure added');
      await expect(page.locator(`#risks tr[id="risk-${TREATED}"] td`).nth(1)).toHaveText('2 accepted');
      await expect(status).toHaveText(/^Ready to issue\./);
    });

    await test.step('change the new measure on its own page', async () => {
      await page.locator('#measure').getByRole('link', { name: `Change ${stewards}` }).click();
      await expect(page).toHaveURL(new RegExp(`${escapeRegExp(eventPath)}/plan/measure/[^/]+$`));
      await a11y('measure page');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(`Measure: ${stewards}`);
      await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
      await expect(page.getByLabel('Status', { exact: true })).toHaveValue('accepted');
      await expect(page.getByRole('group', { name: 'Risks it treats' }).getByRole('checkbox', { name: treated.name })).toBeChecked();
      // An empty title is named next to its field, and what else was typed is kept.
      await page.getByLabel('Measure', { exact: true }).fill('');
      await page.getByLabel('Rationale', { exact: true }).fill('Searched at the gate by trained stewards');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await a11y('measure page, with an error');
      await expect(page.locator('.error-summary')).toBeVisible();
      await expect(page.locator('#title-error')).toBeVisible();
      await expect(page.getByLabel('Rationale', { exact: true })).toHaveValue('Searched at the gate by trained stewards');
      await page.getByLabel('Measure', { exact: true }).fill(stewards);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await expect(page).toHaveURL(new RegExp(`${escapeRegExp(eventPath)}/plan\\?changed=measure#measure$`));
      await a11y('plan page, measure changed');
      await expect(page.locator('#saved-notice')).toHaveText('Your changes to the measure were saved.');
      await expect(page.locator('#measure tbody')).toContainText('Searched at the gate by trained stewards');
      await expect(status).toHaveText(/^Ready to issue\./);
    });

    await test.step('issue it again: version 2, with a different hash', async () => {
      const secondHash = await issue(page, a11y, 'Second issue: vehicle searches at the service gate', 2);
      expect(secondHash).not.toBe(firstHash);
    });

    await test.step('compare version 1 with version 2', async () => {
      await page.getByRole('link', { name: 'Back to the plan' }).click();
      await a11y('plan page, after issuing version 2');
      await expect(page.locator('#readiness')).toContainText('Issued versions: 2.');
      await page.getByLabel('Compare version').selectOption('1');
      await page.getByLabel('with version').selectOption('2');
      await page.getByRole('button', { name: 'Compare' }).click();
      await expect(page).toHaveURL(new RegExp(`${escapeRegExp(eventPath)}/plan/versions/1/diff/2$`));
      await a11y('differences between versions 1 and 2');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(
        `${eventName}: what changed from version 1 to version 2`,
      );
      await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
      const diff = page.locator('table#diff');
      await expect(diff).toBeVisible();
      const rows = diff.locator('tbody tr');
      expect(await rows.count()).toBeGreaterThan(0);
      await expect(page.getByText(/^\d+ differences\./)).toContainText(`${await rows.count()} differences.`);
      await expect(diff.getByRole('columnheader')).toHaveText(['What', 'Version 1', 'Version 2']);
      // The new measure is in version 2 only; the risk has one more accepted measure.
      const field = (label: string) => rows.filter({ has: page.locator('th', { hasText: label }) });
      // In words: labels and names, never ids or field names.
      await expect(field(`Plan › Measures › ${stewards} › Title`).locator('td')).toHaveText(['Not there', stewards]);
      await expect(field(`Plan › Measures › ${stewards} › Decision`).locator('td')).toHaveText(['Not there', 'Accepted']);
      await expect(field(`Risk ratings › ${treated.name} › Accepted measures`).locator('td')).toHaveText(['1', '2']);
      await expect(diff).not.toContainText('_id');
      // The first measure did not change.
      await expect(field(hvm)).toHaveCount(0);
    });
  });

  test.describe('as a member of staff outside its team', () => {
    test.use({ as: 'staff' });

    test('the event and its plan are "Page not found" (404)', async ({ page, a11y }) => {
      expect(eventPath, 'the journey above created the event').toMatch(/^\/events\/[^/]+$/);

      const plan = await page.goto(`${eventPath}/plan`);
      expect(plan?.status()).toBe(404);
      await a11y('plan page of an event outside the team');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
      await expect(page.locator('body')).not.toContainText('Riverside');
      await expectMarkingBanners(page, 'OFFICIAL');

      const event = await page.goto(eventPath);
      expect(event?.status()).toBe(404);
      await a11y('page of an event outside the team');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
      await expect(page.locator('body')).not.toContainText('Riverside');
    });

    // The not-found page keeps the signed-in header (it once showed "Sign in").
    test('the "Page not found" page keeps the signed-in header and navigation', async ({ page, a11y }) => {
      expect(eventPath, 'the journey above created the event').toMatch(/^\/events\/[^/]+$/);
      const plan = await page.goto(`${eventPath}/plan`);
      expect(plan?.status()).toBe(404);
      await a11y('plan page of an event outside the team');
      const header = page.getByRole('banner');
      await expect(header.locator('.signed-in-as')).toHaveText(ACCOUNTS.staff.name);
      await expect(header.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible();
      await expect(header.getByRole('link', { name: 'Sign in' })).toHaveCount(0);
      await expect(mainNav(page).getByRole('link', { name: 'Events' })).toBeVisible();
      await expect(mainNav(page).getByRole('link', { name: 'Account' })).toBeVisible();
    });
  });
});

async function attackMethodologies(request: import('@playwright/test').APIRequestContext): Promise<Methodology[]> {
  const res = await request.get('/api/v1/reference/attack-methodologies');
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { items: Methodology[] };
  expect(body.items.length).toBeGreaterThan(1);
  return body.items.map(({ id, name }) => ({ id, name }));
}

/**
 * Submits a plan form with `button`, then checks the plan page it returns to
 * (at `anchor`), with axe, and that it shows no error.
 */
async function saveAndCheck(
  page: Page,
  a11y: (state: string) => Promise<void>,
  button: import('@playwright/test').Locator,
  state: string,
  anchor: string,
): Promise<void> {
  await button.click();
  await expect(page).toHaveURL(new RegExp(`/plan\\?(added|changed)=[a-z_]+${escapeRegExp(anchor)}$`));
  await a11y(state);
  await expect(page.locator('.error-summary')).toHaveCount(0);
  // The page says what the change did.
  await expect(page.locator('#saved-notice')).toBeVisible();
}

/** Adds a measure, accepted, treating the risk named `risk`. */
async function addMeasure(
  page: Page,
  a11y: (state: string) => Promise<void>,
  risk: string,
  title: string,
  rationale: string,
  state: string,
): Promise<void> {
  await page.locator('#measure').getByRole('link', { name: 'Add a measure' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Add a measure');
  await a11y(`add a measure: ${title}`);
  await page.getByLabel('Measure', { exact: true }).fill(title);
  await page.getByRole('group', { name: 'Risks it treats' }).getByRole('checkbox', { name: risk }).check();
  await page.getByLabel('Status', { exact: true }).selectOption('accepted');
  await page.getByLabel('Rationale', { exact: true }).fill(rationale);
  await saveAndCheck(page, a11y, page.getByRole('button', { name: 'Add', exact: true }), state, '#measure');
}

/** Issues the plan with `reason`; checks version `n`'s page and returns its hash. */
async function issue(page: Page, a11y: (state: string) => Promise<void>, reason: string, n: number): Promise<string> {
  await page.getByRole('link', { name: 'Issue this plan' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(`Issue version ${n} of the plan`);
  await a11y(`issue version ${n}: confirm`);
  await page.getByLabel('Reason for issuing this version').fill(reason);
  await page.getByRole('button', { name: `Issue version ${n}` }).click();
  await expect(page).toHaveURL(new RegExp(`/plan/versions/${n}$`));
  await a11y(`plan version ${n}`);
  // The version reads as the plan document: its title block, then the sections.
  await expect(page.locator('.doc-kind')).toHaveText('Protective security plan');
  await expect(page.locator('.doc-reference')).toContainText(`Version ${n}`);
  await expect(page.locator('.doc-section h2').first()).toHaveText('1. Tasking and intent');
  await expectMarkingBanners(page, 'OFFICIAL-SENSITIVE');
  const summary = page.locator('.doc-actions dl.summary');
  await expect(summary.locator('dt:text-is("Reason") + dd')).toHaveText(reason);
  await expect(summary.locator('dt:text-is("Issued") + dd')).toContainText(`by`);
  const hash = page.locator('#version-hash');
  await expect(hash).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.locator('#endorsement')).toHaveText('Not endorsed');
  return ((await hash.textContent()) ?? '').trim();
}
