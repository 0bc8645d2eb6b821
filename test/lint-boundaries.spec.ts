import path from 'node:path';
import { ESLint } from 'eslint';
import { ROOT } from './support/app-process.js';

/** The monorepo boundary rules must actually block something (CONVENTIONS.md rule 1). */
describe('lint boundary rules', () => {
  const eslint = new ESLint({ cwd: ROOT });
  const lint = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
    return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
  };

  it('rejects a deep import into a lib', async () => {
    expect(await lint('apps/cli/src/x.ts', "import { ident } from '@timeline/store/src/sql.js';\nexport const x = ident;\n")).toEqual([
      expect.stringContaining('only through its alias'),
    ]);
    expect(
      await lint('apps/cli/src/x.ts', "import { ident } from '../../../libs/store/src/sql.js';\nexport const x = ident;\n"),
    ).toHaveLength(1);
  });

  it('rejects an app importing another app', async () => {
    expect(
      await lint(
        'apps/cli/src/x.ts',
        "import { IngestModule } from '../../ingest/src/ingest.module.js';\nexport const x = IngestModule;\n",
      ),
    ).toEqual([expect.stringContaining('Apps never import each other')]);
  });

  it('keeps libs/events free of frameworks', async () => {
    expect(await lint('libs/events/src/x.ts', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n")).toEqual([
      expect.stringContaining('pure TypeScript'),
    ]);
  });

  it('keeps Kafka out of the read API (issue 12)', async () => {
    for (const source of ['kafkajs', '@timeline/kafka']) {
      expect(await lint('apps/timeline-api/src/x.ts', `import { Kafka } from '${source}';\nexport const x = Kafka;\n`)).toEqual([
        expect.stringContaining('needs PostgreSQL only'),
      ]);
    }
    expect(await lint('apps/projector/src/x.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n")).toEqual([]);
  });

  it('keeps Kafka out of libs/store (issue 12)', async () => {
    for (const source of ['kafkajs', '@timeline/kafka', '@timeline/projection']) {
      expect(await lint('libs/store/src/x.ts', `import { Kafka } from '${source}';\nexport const x = Kafka;\n`)).toEqual([
        expect.stringContaining('libs/store imports no Kafka client'),
      ]);
    }
    // A type-only import is an import too.
    expect(await lint('libs/store/src/rebuild/x.ts', "import type { Kafka } from 'kafkajs';\nexport type X = Kafka;\n")).toEqual([
      expect.stringContaining('libs/store imports no Kafka client'),
    ]);
    // Its tests too: those that need Kafka live in libs/projection, the lib that owns the runner and may import it.
    expect(await lint('libs/store/src/x.int-spec.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n")).toEqual([
      expect.stringContaining('libs/store imports no Kafka client'),
    ]);
    expect(await lint('libs/projection/src/x.ts', "import { Kafka } from 'kafkajs';\nexport const x = Kafka;\n")).toEqual([]);
    expect(await lint('libs/store/src/x.ts', "import { DataSource } from 'typeorm';\nexport const x = DataSource;\n")).toEqual([]);
  });

  it('allows the alias', async () => {
    expect(await lint('apps/cli/src/x.ts', "import { ident } from '@timeline/store';\nexport const x = ident;\n")).toEqual([]);
  });
});
