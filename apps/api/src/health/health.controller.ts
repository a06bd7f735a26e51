import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthProbe, InflightTracker } from '@llmp/infra';

/** Liveness (the process answers) and readiness (Postgres and Redis answer). */
@Controller('health')
export class HealthController {
  constructor(
    private readonly probe: HealthProbe,
    private readonly inflight: InflightTracker,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    // A draining replica reports unready so load balancers stop sending it new requests.
    if (this.inflight.draining) return void (await reply.status(503).send({ status: 'draining' }));
    const report = await this.probe.readiness();
    await reply.status(report.status === 'ok' ? 200 : 503).send(report);
  }
}
