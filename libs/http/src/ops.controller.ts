import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeEndpoint, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@timeline/observability';

/** A named dependency check for /health. */
export interface HealthCheck {
  readonly name: string;
  /** `degraded`: working, but something needs an operator (e.g. a parked partition); still 200. */
  check(): Promise<{ status: 'up' | 'down' | 'degraded'; [detail: string]: unknown }>;
}

/** Injection token: the app's {@link HealthCheck}s. */
export const HEALTH_CHECKS = Symbol.for('timeline.HealthChecks');

interface StatusResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * `/health` and `/health/ready` — readiness: 200 when every check is up, else 503 (a load balancer
 * stops routing here); `/health/live` — liveness: 200 while the process serves HTTP at all (an
 * orchestrator restarts it only when this fails, never because a dependency is down); `/metrics`.
 */
@ApiTags('operations')
@Controller()
export class OpsController {
  constructor(
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
  ) {}

  @Get('health/live')
  @ApiOperation({ summary: 'Liveness: the process serves HTTP (no dependency is checked)' })
  @ApiOkResponse({ description: 'The process is alive and serving (dependencies are not checked).' })
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get(['health', 'health/ready'])
  @ApiOperation({ summary: 'Readiness: every dependency this app needs is up' })
  @ApiOkResponse({ description: 'Ready: every dependency is up.' })
  @ApiResponse({ status: 503, description: 'Not ready: a dependency is down (same body shape, `checks` says which).' })
  async health(@Res() res: StatusResponse): Promise<void> {
    const entries = await Promise.all(
      this.checks.map(async (c) => {
        const timeout = new Promise<{ status: 'down'; error: string }>((r) =>
          setTimeout(() => r({ status: 'down', error: 'check timed out after 3 s' }), 3000).unref(),
        );
        return [
          c.name,
          await Promise.race([c.check().catch((e: unknown) => ({ status: 'down' as const, error: String(e) })), timeout]),
        ] as const;
      }),
    );
    const details = Object.fromEntries(entries);
    const down = entries.some(([, r]) => r.status === 'down');
    const degraded = entries.some(([, r]) => r.status === 'degraded');
    // Degraded stays 200: the process works and must not be restarted or taken out of rotation for it.
    res.status(down ? 503 : 200).json({ status: down ? 'down' : degraded ? 'degraded' : 'up', checks: details });
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
