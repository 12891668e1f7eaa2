/** The date in the UK `days` days from now, written YYYY-MM-DD (as Cordon's date fields want it). */
export function ukDate(days = 0): string {
  const when = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(when);
}

/** 2026-11-21 as Cordon shows a date: "21 November 2026". */
export function displayDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  const month = new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
  return `${d} ${month} ${y}`;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Fills a GOV.UK date input (day, month, year) and its time box, inside `group`, from YYYY-MM-DD and HH:MM. */
export async function fillDateTime(group: import('@playwright/test').Locator, iso: string, time: string): Promise<void> {
  const [y, m, d] = iso.split('-');
  await group.getByLabel('Day').fill(String(Number(d)));
  await group.getByLabel('Month').fill(String(Number(m)));
  await group.getByLabel('Year').fill(y);
  await group.getByLabel('Time').fill(time);
}

/** Fills a GOV.UK date input (day, month, year) inside `group` from YYYY-MM-DD. */
export async function fillDate(group: import('@playwright/test').Locator, iso: string): Promise<void> {
  const [y, m, d] = iso.split('-');
  await group.getByLabel('Day').fill(String(Number(d)));
  await group.getByLabel('Month').fill(String(Number(m)));
  await group.getByLabel('Year').fill(y);
}
