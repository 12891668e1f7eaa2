import AxeBuilder from '@axe-core/playwright';
import { expect, type Page, type TestInfo } from '@playwright/test';
import { KNOWN_A11Y_ISSUES } from './known-a11y-issues';

/** The WCAG rule sets every page state is checked against. */
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Violations with these impacts fail the test; the others are printed only. */
export const BLOCKING_IMPACTS = new Set(['serious', 'critical']);

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;
type Violation = AxeResults['violations'][number];

/**
 * Runs axe-core on the page as it is now and records a soft failure (the
 * journey carries on, the test fails) for every serious or critical
 * violation not listed in known-a11y-issues.ts. All violations, whatever
 * their impact, are printed and the full results are attached to the test.
 *
 * Prefer the `a11y` fixture from fixtures.ts, which also makes sure no page
 * a test visits goes unchecked.
 */
export async function checkA11y(page: Page, testInfo: TestInfo, state: string): Promise<AxeResults> {
  const results = await new AxeBuilder({ page }).withTags(AXE_TAGS).analyze();
  const where = `${state} (${page.url()})`;
  await testInfo.attach(`axe: ${state}`, {
    body: JSON.stringify({ url: results.url, violations: results.violations, incomplete: results.incomplete }, null, 2),
    contentType: 'application/json',
  });

  if (results.violations.length > 0) {
    console.log(`\n[axe] ${results.violations.length} violation(s) on ${where}:\n${formatViolations(results.violations)}`);
  }
  const serious = results.violations.filter((v) => BLOCKING_IMPACTS.has(v.impact ?? ''));
  const strict = process.env.CORDON_E2E_STRICT_A11Y === '1';
  const known = strict ? [] : serious.filter((v) => isKnown(v, testInfo.project.name));
  const blocking = serious.filter((v) => !known.includes(v));
  for (const v of known) {
    const issue = KNOWN_A11Y_ISSUES.find((k) => k.rule === v.id)!;
    console.log(`[axe] KNOWN, not failing: ${v.id} [${v.impact}] on ${where}: ${issue.reason}`);
    testInfo.annotations.push({ type: 'known accessibility issue', description: `${v.id} on ${where}` });
  }
  expect
    .soft(
      blocking.map((v) => `${v.id} [${v.impact}]`),
      `serious or critical accessibility violations on ${where}:\n${formatViolations(blocking)}`,
    )
    .toEqual([]);
  return results;
}

/** Whether every node of the violation is covered by an entry in known-a11y-issues.ts. */
function isKnown(v: Violation, project: string): boolean {
  return v.nodes.every((n) =>
    KNOWN_A11Y_ISSUES.some(
      (k) => k.rule === v.id && k.target === n.target.join(' ') && (k.project === undefined || k.project === project),
    ),
  );
}

export function formatViolations(violations: Violation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => {
          const summary = (n.failureSummary ?? '').replace(/\s+/g, ' ').trim();
          return `      at ${n.target.join(' ')}\n        ${n.html.replace(/\s+/g, ' ').slice(0, 300)}${summary ? `\n        ${summary}` : ''}`;
        })
        .join('\n');
      return `  - ${v.id} [${v.impact ?? 'unknown'}] ${v.help}\n    ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}
