import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '@timeline/config';
import { hashApiKey } from '@timeline/http';
import { UsageError, type CliCommand } from '../command.js';

/** Generates (or hashes) an API key and prints the API_KEYS entry to configure. */
export const hashKeyCommand: CliCommand = {
  name: 'hash-key',
  summary: 'generate an API key (or hash one from stdin) and print its API_KEYS entry',
  usage: 'hash-key --name <name> --role reader|editor|admin [--key <existing key>]',
  async run(argv) {
    const { values } = parseArgs({
      args: argv,
      options: { name: { type: 'string' }, role: { type: 'string' }, key: { type: 'string' } },
    });
    if (!values.name) throw new UsageError('--name is required');
    if (!values.role || !(ROLES as readonly string[]).includes(values.role)) {
      throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    }
    const key = values.key ?? randomBytes(24).toString('base64url');
    if (!values.key) console.log(`key (give it to the client, it is not stored): ${key}`);
    console.log(`API_KEYS entry: ${values.name}:${values.role as Role}:${hashApiKey(key)}`);
    return 0;
  },
};
