import { parseArgs } from 'node:util';
import { loadConfig } from '@timeline/config';
import { applyDatabaseRoles, createDataSource, roleNameProblem } from '@timeline/store';
import { UsageError, type CliCommand } from '../command.js';

/** Least-privilege database roles: a read-only one for the API, an owner/writer one for the projector. */
export const dbRolesCommand: CliCommand = {
  name: 'db:roles',
  summary: 'create/grant a read-only role for the API and a writer role for the projector on DATABASE_SCHEMA',
  usage: 'db:roles [--reader <role>] [--writer <role>]   (defaults: <schema>_reader, <schema>_writer; run as the schema owner)',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { reader: { type: 'string' }, writer: { type: 'string' } },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const config = loadConfig();
    const readerRole = values.reader ?? `${config.database.schema}_reader`.slice(0, 63);
    const writerRole = values.writer ?? `${config.database.schema}_writer`.slice(0, 63);
    for (const [flag, name] of [
      ['--reader', readerRole],
      ['--writer', writerRole],
    ] as const) {
      const problem = roleNameProblem(name);
      if (problem) throw new UsageError(`${flag} ${problem}`);
    }
    if (readerRole === writerRole) throw new UsageError('--reader and --writer must name different roles');
    const ds = createDataSource(config.database, { applicationName: 'timeline-cli db:roles', poolSize: 1 });
    await ds.initialize();
    try {
      const r = await applyDatabaseRoles(ds, { schema: config.database.schema, readerRole, writerRole });
      for (const s of r.statements) console.log(`${s};`);
      console.log(
        `schema "${config.database.schema}": "${writerRole}" owns it (${r.reassigned} relation(s) reassigned), "${readerRole}" may only read it`,
      );
      if (r.created.length) {
        console.log(
          `created ${r.created.map((n) => `"${n}"`).join(' and ')} without login: ALTER ROLE <name> LOGIN PASSWORD '…' (or GRANT it to a login role), ` +
            `then run the timeline API as "${readerRole}" and the projector as "${writerRole}" (DATABASE_URL)`,
        );
      }
    } finally {
      await ds.destroy();
    }
    return 0;
  },
};
