import path from 'node:path';

/** The e2e directory: relative paths such as CORDON_BIN are resolved from here. */
export const E2E_DIR = path.resolve(__dirname, '..');

/** Environment variables the global setup uses to hand state to the tests and the teardown. */
export const env = {
  /** The server's address (set by the global setup, or by you to use a running server). */
  baseUrl: 'CORDON_E2E_BASE_URL',
  /** The pid of the server the global setup started. */
  pid: 'CORDON_E2E_SERVER_PID',
  /** The temporary directory holding its database, journal key and log. */
  dir: 'CORDON_E2E_SERVER_DIR',
  /**
   * The administrator's two-step (TOTP) key, base32. The global setup reads it
   * from `cordon demo`'s output; set it yourself with CORDON_E2E_BASE_URL.
   */
  adminTotpKey: 'CORDON_E2E_ADMIN_TOTP_KEY',
  /**
   * A temporary directory shared by the runner and its workers: the signed-in
   * browser states (one per demo account) and the record of TOTP steps used.
   */
  stateDir: 'CORDON_E2E_STATE_DIR',
} as const;
