import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveKafkaJars } from '../../tools/infra/kafka.js';
import { ROOT } from './app-process.js';

/** Kafka's Java client as a foreign producer/consumer: `test/support/java/ForeignProducer.java`. */
const PROGRAM = path.join(ROOT, 'test', 'support', 'java', 'ForeignProducer.java');

/** Codecs a Java producer's `compression.type` accepts. */
export type JavaCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** One record as the Java producer sends it (strings are UTF-8). */
export interface ForeignRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key?: string | Buffer | null;
  readonly value: string | Buffer | null;
  readonly headers?: Record<string, string | Buffer>;
  /** CreateTime in epoch ms; absent: the Java producer stamps the time of the send. */
  readonly timestamp?: number;
}

/** One record as the Java consumer (read_committed) read it. */
export interface JavaConsumedRecord {
  readonly partition: number;
  readonly offset: string;
  readonly timestampType: 'CreateTime' | 'LogAppendTime' | string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

const b64 = (v: string | Buffer | null | undefined) => (v === null || v === undefined ? '~' : Buffer.from(v).toString('base64'));
const unb64 = (v: string) => (v === '~' ? null : Buffer.from(v, 'base64'));

/** Runs the Java program with the broker's classpath; resolves with its stdout, rejects with its output on failure. */
export function runJavaClient(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const classpath = `${resolveKafkaJars(() => undefined)}/*`;
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', classpath, PROGRAM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(stdout);
      else reject(new Error(`java ForeignProducer ${args[0]} exited ${code ?? signal}:\n${`${stdout}\n${stderr}`.slice(-4000)}`));
    });
  });
}

/**
 * The steps a Java producer runs, in order (see the plan format in ForeignProducer.java). Build it, then
 * {@link ForeignProducerPlan.run} it in one JVM.
 */
export class ForeignProducerPlan {
  private readonly steps: string[] = [];

  /** A KafkaProducer named `name` with `compression.type` and, for a transactional one, a `transactional.id`. */
  producer(name: string, compression: JavaCompression, transactionalId?: string): this {
    this.steps.push(['producer', name, compression, transactionalId ?? ''].join('\t'));
    return this;
  }

  /** Sends records (asynchronously: several go into one batch); `flush` waits for them. */
  send(name: string, ...records: readonly ForeignRecord[]): this {
    for (const r of records) {
      const headers = r.headers ? Object.entries(r.headers).map(([k, v]) => `${k}=${b64(v)}`) : [];
      this.steps.push(
        [
          'send',
          name,
          r.topic,
          r.partition ?? '-',
          b64(r.key),
          b64(r.value),
          headers.length ? headers.join(',') : '~',
          r.timestamp ?? '-',
        ].join('\t'),
      );
    }
    return this;
  }

  flush(name: string): this {
    return this.step('flush', name);
  }
  begin(name: string): this {
    return this.step('begin', name);
  }
  commit(name: string): this {
    return this.step('commit', name);
  }
  /** Flushes (the records are in the log) and aborts the transaction. */
  abort(name: string): this {
    return this.step('abort', name);
  }
  close(name: string): this {
    return this.step('close', name);
  }

  /** Runs every step against `brokers`; rejects when the Java client failed. */
  async run(brokers: string): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foreign-producer-'));
    const file = path.join(dir, 'plan.tsv');
    fs.writeFileSync(file, `${this.steps.join('\n')}\n`);
    try {
      const out = await runJavaClient(['run', brokers, file]);
      const done = out.split('\n').filter((l) => l.startsWith('DONE\t')).length;
      if (done !== this.steps.length) throw new Error(`the Java producer ran ${done} of ${this.steps.length} steps:\n${out}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  private step(kind: string, name: string): this {
    this.steps.push(`${kind}\t${name}`);
    return this;
  }
}

/**
 * Reads `count` records of `topic` from the beginning with Kafka's Java consumer (read_committed), and
 * the bytes the topic takes in the broker's log (DescribeLogDirs).
 */
export async function javaConsume(
  brokers: string,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<{ records: JavaConsumedRecord[]; logBytes: number }> {
  const out = await runJavaClient(['consume', brokers, topic, String(count), String(timeoutMs)], timeoutMs + 30_000);
  const size = /^SIZE\t(\d+)$/m.exec(out);
  if (!size) throw new Error(`the Java consumer reported no log size:\n${out}`);
  const records = out
    .split('\n')
    .filter((l) => l.startsWith('REC\t'))
    .map((l) => {
      const [, partition, offset, timestampType, timestamp, key, value] = l.split('\t') as string[];
      return {
        partition: Number(partition),
        offset: offset!,
        timestampType: timestampType!,
        timestamp: timestamp!,
        key: unb64(key!),
        value: unb64(value!),
      };
    });
  return { records, logBytes: Number(size[1]) };
}
