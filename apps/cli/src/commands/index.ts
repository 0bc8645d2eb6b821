import type { CliCommand } from '../command.js';
import { dbRolesCommand } from './db-roles.command.js';
import { hashKeyCommand } from './hash-key.command.js';
import { migrateCommand } from './migrate.command.js';
import { rebuildCommand } from './rebuild.command.js';
import { replayCommand } from './replay.command.js';
import { seedCommand } from './seed.command.js';
import { skipCommand } from './skip.command.js';
import { verifyCommand } from './verify.command.js';

/** Every command the CLI offers, in `--help` order. */
export const COMMANDS: readonly CliCommand[] = [
  migrateCommand,
  dbRolesCommand,
  hashKeyCommand,
  seedCommand,
  rebuildCommand,
  verifyCommand,
  replayCommand,
  skipCommand,
];
