import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FullConfig } from '@playwright/test';
import { ACCOUNTS, markCurrentTotpStepUsed, signInAndSaveState, type AccountKey } from './accounts';
import { E2E_DIR, env } from './server-env';

const STARTUP_TIMEOUT_MS = 120_000;
const LISTENING = /Cordon is listening on (http:\/\/\S+)/;
// `cordon demo` then lists the demo accounts and the administrator's two-step key...
const TOTP_KEY = /Key: ([A-Z2-7]+=*)/;
// ...and ends its greeting with this line.
const GREETING_END = /Press Ctrl\+C to stop/;

/**
 * Starts `cordon demo` on a fresh database and a free port, waits for the
 * "Cordon is listening on http://…" line on its stdout, checks /healthz and
 * hands the address to the tests (through CORDON_E2E_BASE_URL, which the
 * worker processes inherit). global-teardown.ts stops it.
 *
 * With CORDON_E2E_BASE_URL already set, nothing is started: the tests run
 * against that server (which must have the demo accounts; give the
 * administrator's two-step key in CORDON_E2E_ADMIN_TOTP_KEY).
 *
 * Then it signs each demo account in ACCOUNTS in once and saves the sessions
 * as storage states in a shared state directory (see accounts.ts), for tests
 * that start signed in (`test.use({ as: 'secco' })`).
 */
export default async function globalSetup(_config: FullConfig): Promise<void> {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-e2e-state-'));
  process.env[env.stateDir] = stateDir;

  const existing = process.env[env.baseUrl];
  if (existing) {
    await waitHealthy(existing, 10_000);
    console.log(`[cordon-e2e] using the server already running at ${existing}`);
  } else {
    await startServer();
  }
  // The administrator's code for this time step may have been used already
  // (`cordon demo` uses one to turn two-step verification on).
  markCurrentTotpStepUsed();
  await signInAccounts(process.env[env.baseUrl]!);
}

async function signInAccounts(baseURL: string): Promise<void> {
  for (const account of Object.keys(ACCOUNTS) as AccountKey[]) {
    if (ACCOUNTS[account].totp && !process.env[env.adminTotpKey]) {
      console.warn(`[cordon-e2e] no two-step key for ${ACCOUNTS[account].email} (${env.adminTotpKey}): not signing it in`);
      continue;
    }
    await signInAndSaveState(baseURL, account);
  }
}

async function startServer(): Promise<void> {
  const bin = path.resolve(E2E_DIR, process.env.CORDON_BIN || '../target/debug/cordon');
  if (!fs.existsSync(bin)) {
    throw new Error(`[cordon-e2e] no cordon binary at ${bin}: run \`cargo build\` first, or set CORDON_BIN`);
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-e2e-'));
  const databaseUrl = process.env.CORDON_E2E_DATABASE_URL || `sqlite://${path.join(dir, 'demo.db')}`;
  const logPath = path.join(dir, 'server.log');
  const log = fs.createWriteStream(logPath);

  // Settings from the developer's environment must not leak into the server.
  const childEnv = { ...process.env };
  for (const k of ['CORDON_DATABASE_URL', 'CORDON_LISTEN', 'CORDON_PUBLIC_URL', 'CORDON_JOURNAL_KEY']) {
    delete childEnv[k];
  }
  childEnv.NO_COLOR = '1';

  const args = [
    'demo',
    '--listen',
    '127.0.0.1:0',
    '--database-url',
    databaseUrl,
    '--journal-key',
    path.join(dir, 'journal.key'),
  ];
  console.log(`[cordon-e2e] starting ${bin} ${args.join(' ')}`);
  const child = spawn(bin, args, { cwd: dir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });

  // If the runner dies without running the teardown, do not leave the server behind.
  process.on('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    let listening: string | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`[cordon-e2e] cordon did not report its address within ${STARTUP_TIMEOUT_MS / 1000} s\n${tail(logPath)}`));
    }, STARTUP_TIMEOUT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      stdout += chunk.toString();
      listening ??= LISTENING.exec(stdout)?.[1]?.replace(/\/$/, '');
      // Wait for the whole greeting: the two-step key comes after the address.
      if (listening && GREETING_END.test(stdout)) {
        clearTimeout(timer);
        const key = TOTP_KEY.exec(stdout)?.[1];
        if (key) process.env[env.adminTotpKey] = key;
        else console.warn("[cordon-e2e] cordon demo printed no two-step key (`Key: …`) for the administrator");
        resolve(listening);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => log.write(chunk));
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`[cordon-e2e] cannot start ${bin}: ${e.message}`));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      // Give the log stream a moment to flush before reading it back.
      setTimeout(
        () => reject(new Error(`[cordon-e2e] cordon exited early (code ${code}, signal ${signal})\n${tail(logPath)}`)),
        200,
      );
    });
  });

  process.env[env.baseUrl] = url;
  process.env[env.pid] = String(child.pid);
  process.env[env.dir] = dir;
  const backend = databaseUrl.startsWith('postgres') ? 'PostgreSQL' : 'SQLite';
  console.log(`[cordon-e2e] cordon demo (${backend}) is listening on ${url}; log: ${logPath}`);
  await waitHealthy(url, 30_000);
}

async function waitHealthy(base: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${base}/healthz`);
      const body = await res.text();
      if (res.ok && JSON.parse(body).status === 'ok') return;
      last = `HTTP ${res.status}: ${body}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`[cordon-e2e] ${base}/healthz is not ok: ${last}`);
}

function tail(file: string, lines = 40): string {
  try {
    const all = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    return `--- last lines of ${file} ---\n${all.slice(-lines).join('\n')}`;
  } catch {
    return '(no server log)';
  }
}
