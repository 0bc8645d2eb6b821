import { Writable } from 'node:stream';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Kafka } from 'kafkajs';
import pino from 'pino';
import { ConfigModule } from '@timeline/config';
import { ObservabilityModule } from '@timeline/observability';
import { KafkaModule } from './kafka.module.js';
import { testConfig } from '../../../test/support/index.js';

describe('KafkaModule', () => {
  it("routes kafkajs's own logs to the app's pino logger (issue 12: ingest and the API dropped them)", async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const { config } = testConfig();
    // A plain application context (no @nestjs/testing: it lags core's version, issue 18).
    @Module({
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule.forRoot('kafka-module-test', logger),
        KafkaModule.forRoot({ ensureTopics: false }),
      ],
    })
    class ProbeModule {}
    const moduleRef = await NestFactory.createApplicationContext(ProbeModule, { logger: false });
    try {
      moduleRef.get(Kafka).logger().warn('probe from kafkajs', { broker: 'x' });
      const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.msg).includes('probe from kafkajs'));
      expect(line).toMatchObject({ component: 'kafkajs', level: 40 });
    } finally {
      await moduleRef.close();
    }
  });
});
