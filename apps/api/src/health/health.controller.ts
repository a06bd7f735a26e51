import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthProbe } from '@llmp/infra';

/** Liveness (the process answers) and readiness (Postgres and Redis answer). */
@Controller('health')
export class HealthController {
  constructor(private readonly probe: HealthProbe) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.probe.readiness();
    await reply.status(report.status === 'ok' ? 200 : 503).send(report);
  }
}
