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
} as const;
