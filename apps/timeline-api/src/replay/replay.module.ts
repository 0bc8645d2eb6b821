import { Module } from '@nestjs/common';
import { ReplayController } from './replay.controller.js';

/** `GET /v1/replay` (SSE replay of the archive). Relies on the global DataSource, config and logger. */
@Module({ controllers: [ReplayController] })
export class ReplayModule {}
