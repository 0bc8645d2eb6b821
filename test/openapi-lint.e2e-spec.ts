import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ARTIFACTS_DIR, ROOT, createTestDatabase, startApp, testConfig, type RunningApp } from './support/index.js';

const run = promisify(execFile);

/** One problem of `redocly lint --format json`. */
interface LintProblem {
  ruleId: string;
  severity: 'error' | 'warn';
  message: string;
  location: { pointer?: string }[];
}

/**
 * Lints a served document with the Redocly CLI (the tool an integrator runs, issue 18) and the
 * checked-in redocly.yaml (recommended rules; every rule we turn off is justified there).
 */
async function redoclyLint(file: string): Promise<LintProblem[]> {
  const cli = path.join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
  const args = [cli, 'lint', file, '--format', 'json', '--config', path.join(ROOT, 'redocly.yaml'), '--max-problems', '1000'];
  // The CLI exits 1 when it found errors; its JSON report is on stdout either way.
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 32 * 1024 * 1024 }).catch(
    (err: { stdout?: string; stderr?: string }) => {
      if (!err.stdout) throw new Error(`redocly lint produced no report: ${err.stderr ?? String(err)}`);
      return { stdout: err.stdout };
    },
  );
  return (JSON.parse(stdout.slice(stdout.indexOf('{'))) as { problems: LintProblem[] }).problems;
}

describe('the served OpenAPI documents pass redocly lint (issue 18)', () => {
  const { env, config } = testConfig();
  const apps: RunningApp[] = [];
  let drop: () => Promise<void>;

  beforeAll(async () => {
    drop = (await createTestDatabase(config)).drop;
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop()));
    await drop();
  });

  it.each([
    ['timeline-api', 'public'],
    ['ingest', 'public'],
    ['projector', 'public'],
    ['timeline-api', 'key'],
  ] as const)('%s (READ_ACCESS=%s): 0 errors, 0 warnings, servers, summaries and X-API-Key', async (name, readAccess) => {
    const app = await startApp(name, { ...env, READ_ACCESS: readAccess });
    apps.push(app);
    const res = await fetch(`${app.url}/docs-json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as OpenApiDocument;
    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const file = path.join(ARTIFACTS_DIR, `openapi-${name}-${readAccess}.json`);
    await writeFile(file, JSON.stringify(doc, null, 2));

    const problems = await redoclyLint(file);
    const shown = problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer ?? '?'}: ${p.message}`);
    expect(shown).toEqual([]);

    expect(doc.servers?.length).toBeGreaterThan(0);
    expect(doc.components?.securitySchemes?.apiKey).toEqual({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
    const operations = Object.entries(doc.paths).flatMap(([p, item]) =>
      Object.entries(item)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({ at: `${method.toUpperCase()} ${p}`, op })),
    );
    expect(operations.length).toBeGreaterThan(0);
    for (const { at, op } of operations) {
      expect({ at, summary: typeof op.summary === 'string' && op.summary.length > 0 }).toEqual({ at, summary: true });
      expect({ at, security: Array.isArray(op.security) }).toEqual({ at, security: true });
      // redocly.yaml turns operation-4xx-response off for the parameterless open operations only in spirit:
      // this is the check it stands for.
      const keyRequired = (op.security ?? []).length > 0 && !op.security!.some((r) => Object.keys(r).length === 0);
      const takesInput = (op.parameters ?? []).length > 0 || op.requestBody !== undefined || keyRequired;
      const has4xx = Object.keys(op.responses).some((s) => /^4\d\d$|^4XX$/.test(s));
      expect({ at, documents4xx: !takesInput || has4xx }).toEqual({ at, documents4xx: true });
    }
    // Writes and admin need the key; health never does.
    for (const { at, op } of operations) {
      const role = op['x-required-role'];
      if (role === undefined) expect({ at, security: op.security }).toEqual({ at, security: [] });
      else if (role === 'reader' && readAccess === 'public')
        expect({ at, security: op.security }).toEqual({ at, security: [{}, { apiKey: [] }] });
      else expect({ at, security: op.security }).toEqual({ at, security: [{ apiKey: [] }] });
    }
  });
});

interface OpenApiOperation {
  summary?: string;
  security?: Record<string, string[]>[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
  'x-required-role'?: string;
}
interface OpenApiDocument {
  servers?: { url: string }[];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { securitySchemes?: Record<string, unknown> };
}
