import fs from 'node:fs';
import path from 'node:path';
import { E2E_DIR, env } from './server-env';

/**
 * Removes the state directory (signed-in sessions, TOTP record), stops the
 * server the global setup started (SIGTERM, then SIGKILL after 10 s), copies
 * its log to test-results/cordon-server.log and removes its temporary
 * directory (kept when CORDON_E2E_KEEP=1).
 */
export default async function globalTeardown(): Promise<void> {
  const stateDir = process.env[env.stateDir];
  if (stateDir) {
    fs.rmSync(stateDir, { recursive: true, force: true });
    delete process.env[env.stateDir];
  }

  const pid = Number(process.env[env.pid]);
  const dir = process.env[env.dir];
  if (!pid) return; // we did not start a server

  if (alive(pid)) {
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + 10_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (alive(pid)) {
      console.warn(`[cordon-e2e] cordon (pid ${pid}) did not stop within 10 s of SIGTERM; killing it`);
      process.kill(pid, 'SIGKILL');
    }
  } else {
    console.warn(`[cordon-e2e] cordon (pid ${pid}) had already exited before the teardown: see its log`);
  }
  delete process.env[env.pid];

  if (dir) {
    const results = path.join(E2E_DIR, 'test-results');
    try {
      fs.mkdirSync(results, { recursive: true });
      fs.copyFileSync(path.join(dir, 'server.log'), path.join(results, 'cordon-server.log'));
      console.log(`[cordon-e2e] server log: ${path.join(results, 'cordon-server.log')}`);
    } catch (e) {
      console.warn(`[cordon-e2e] could not keep the server log: ${e}`);
    }
    if (process.env.CORDON_E2E_KEEP === '1') {
      console.log(`[cordon-e2e] kept ${dir}`);
    } else {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
