import { Module } from '@nestjs/common';
import { RebuildController } from './rebuild.controller.js';
import { RebuildJobs } from './rebuild-jobs.js';

/**
 * Operator endpoints for projection rebuilds (admin key). Relies on the global DataSource, Kafka,
 * config and logger providers of the projector module (the only writer, issue 12).
 */
@Module({ controllers: [RebuildController], providers: [RebuildJobs] })
export class RebuildAdminModule {}
