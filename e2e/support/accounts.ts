import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { request, type APIRequestContext } from '@playwright/test';
import { env } from './server-env';

/** The password `cordon demo` gives every demo account. */
export const DEMO_PASSWORD = 'demo-cordon-planning-2026';

/** The demo accounts the journeys use (see the output of `cordon demo`). */
export const ACCOUNTS = {
  /** CT security coordinator (SecCo): creates events and writes their plans. */
  secco: { email: 'secco@northshire.police.example', name: 'Insp Sam Patel', totp: false },
  /** Strategic commander (Gold). */
  gold: { email: 'gold@northshire.police.example', name: 'Ch Supt Alex Morgan', totp: false },
  /** Auditor: reads the audit trails of the force's records without being on their teams. */
  auditor: { email: 'auditor@northshire.police.example', name: 'Robin Shaw', totp: false },
  /** Superintendent CTSU (CTP North), the deployment authority: keeps the SECO roster, discusses requests. */
  ctsu: { email: 'ctsu@ctp-north.police.example', name: 'Supt Jordan Reid', totp: false },
  /** CT security adviser (CTP North): writes security advice and reviews. */
  ctsa: { email: 'ctsa@ctp-north.police.example', name: 'Casey Burns', totp: false },
  /** Estates and security manager: keeps the police estate and its response levels. */
  estates: { email: 'estates@northshire.police.example', name: 'Taylor Hughes', totp: false },
  /** Member of staff, BPSS: in no event's team. */
  staff: { email: 'staff@northshire.police.example', name: 'PC Jamie Clarke', totp: false },
  /** Administrator: signs in with a two-step code. */
  admin: { email: 'admin@northshire.police.example', name: 'Drew Fletcher', totp: true },
} as const;

export type AccountKey = keyof typeof ACCOUNTS;

/** The state directory the global setup created (see server-env.ts). */
export function stateDir(): string {
  const dir = process.env[env.stateDir];
  if (!dir) throw new Error(`${env.stateDir} is not set: the global setup did not run`);
  return dir;
}

/** The browser storage state (cookies) of a session the global setup signed in for `account`. */
export function storageStatePath(account: AccountKey): string {
  return path.join(stateDir(), `signed-in-${account}.json`);
}

// ----- two-step codes (RFC 6238) ---------------------------------------------

const STEP_SECONDS = 30;

/** The administrator's TOTP key (base32), or an error saying how to provide it. */
export function adminTotpKey(): string {
  const key = process.env[env.adminTotpKey];
  if (!key) {
    throw new Error(
      `${env.adminTotpKey} is not set: the global setup did not find the administrator's key in the output of ` +
        '`cordon demo` (set it yourself when testing a running server with CORDON_E2E_BASE_URL)',
    );
  }
  return key;
}

/** Decodes RFC 4648 base32 (padding, spaces and case ignored). */
export function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of clean) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${JSON.stringify(c)}`);
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The 6-digit RFC 6238 code (HMAC-SHA1, 30 s steps) of `keyBase32` for the time step `step`. */
export function totpCode(keyBase32: string, step: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = crypto.createHmac('sha1', base32Decode(keyBase32)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

function currentStep(): number {
  return Math.floor(Date.now() / 1000 / STEP_SECONDS);
}

/**
 * A two-step code for the administrator that no other sign-in of this run has
 * used or will use. Cordon refuses a code whose time step was already used
 * (replay protection), so the runner and its workers share a record of the
 * last step taken (in the state directory, under a lock); when the current
 * step is taken this waits for the next one, up to 30 s for each sign-in
 * queued before it. Allow for that in the test's timeout.
 */
export async function freshAdminTotpCode(): Promise<string> {
  const key = adminTotpKey();
  const step = await claimStep(totpRecord());
  const startsAt = step * STEP_SECONDS * 1000;
  // A little past the boundary, so that the server's clock is surely in the step too.
  const wait = startsAt + 250 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  return totpCode(key, step);
}

/**
 * Notes that the administrator's current time step may already be used:
 * `cordon demo` turns two-step verification on with a code of the step it
 * starts in. Later claims then take the next step.
 */
export function markCurrentTotpStepUsed(): void {
  fs.writeFileSync(totpRecord(), String(currentStep()));
}

function totpRecord(): string {
  return path.join(stateDir(), 'totp-last-step');
}

async function claimStep(file: string): Promise<number> {
  const lock = `${file}.lock`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (Date.now() > deadline) throw new Error(`could not take the lock ${lock} within 30 s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  try {
    const last = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8')) : -1;
    const step = Math.max(currentStep(), last + 1);
    fs.writeFileSync(file, String(step));
    return step;
  } finally {
    fs.rmdirSync(lock);
  }
}

// ----- signing in without a browser -------------------------------------------

/**
 * Signs `account` in through the sign-in form (as a browser without scripts
 * would) and saves the session cookie as a Playwright storage state at
 * storageStatePath(account). Used by the global setup, so that tests that
 * need a signed-in user do not each sign in (and the administrator's
 * two-step codes are not used up).
 */
export async function signInAndSaveState(baseURL: string, account: AccountKey): Promise<void> {
  const ctx: APIRequestContext = await request.newContext({ baseURL });
  try {
    const form = await ctx.get('/sign-in');
    if (!form.ok()) throw new Error(`GET /sign-in: HTTP ${form.status()}`);
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(await form.text())?.[1];
    if (!csrf) throw new Error('GET /sign-in: no csrf_token in the form');
    const a = ACCOUNTS[account];
    const fields: Record<string, string> = { csrf_token: csrf, next: '/', email: a.email, password: DEMO_PASSWORD };
    if (a.totp) fields.totp = await freshAdminTotpCode();
    const res = await ctx.post('/sign-in', { form: fields, maxRedirects: 0 });
    const location = res.headers()['location'] ?? '';
    if (res.status() < 300 || res.status() >= 400 || location.startsWith('/sign-in') || location.startsWith('/account/two-step')) {
      throw new Error(`signing in ${a.email}: HTTP ${res.status()}, location ${JSON.stringify(location)}\n${(await res.text()).slice(0, 2000)}`);
    }
    await ctx.storageState({ path: storageStatePath(account) });
  } finally {
    await ctx.dispose();
  }
}
