import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { loadConfig } from '@timeline/config';
import { NaivePeerModule } from './naive-peer.module.js';

// BENCHMARK BASELINE, NOT PRODUCT CODE: the "typical NestJS Kafka consumer" that bench:project
// measures the projector against (docs/benchmarks.md). Never deployed.
const config = loadConfig();
const app = await NestFactory.createMicroservice<MicroserviceOptions>(NaivePeerModule.forRoot(config), {
  logger: ['error', 'warn'],
  transport: Transport.KAFKA,
  options: {
    client: { clientId: config.kafka.clientId, brokers: config.kafka.brokers },
    consumer: { groupId: config.projector.groupId },
    subscribe: { fromBeginning: true },
    postfixId: '',
  },
});
await app.listen();
const stop = () => void app.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
