import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Endpoint } from '@llmp/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { openAiIngress } from '../ingress/openai-ingress';
import { extractCredentials } from '../ingress/credentials';
import { GatewayPipeline } from '../pipeline/gateway-pipeline.service';
import { abortOnDisconnect } from '../streaming/framed-stream.writer';
import { writeSse } from '../streaming/sse-writer';
import { ModelCatalogService } from './model-catalog.service';

/** The OpenAI surface: `/v1/chat/completions`, `/v1/completions`, `/v1/embeddings`, `/v1/models`. */
@Controller('v1')
export class OpenAiController {
  constructor(
    private readonly pipeline: GatewayPipeline,
    private readonly catalog: ModelCatalogService,
  ) {}

  @Post('chat/completions')
  @HttpCode(200)
  chat(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('chat', req, reply);
  }

  @Post('completions')
  @HttpCode(200)
  completions(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('completions', req, reply);
  }

  @Post('embeddings')
  @HttpCode(200)
  embeddings(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('embeddings', req, reply);
  }

  @Get('models')
  async models(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const list = await this.catalog.list(extractCredentials(req), req.clientIp);
    await reply.header('x-request-id', req.id).send(list);
  }

  private async serve(endpoint: Endpoint, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const request = openAiIngress(req, endpoint);
    const result = await this.pipeline.run(request, abortOnDisconnect(reply));
    switch (result.kind) {
      case 'json':
        await reply.status(result.status).headers(result.headers).send(result.body);
        return;
      case 'raw':
        await reply.status(result.status).headers(result.headers).type(result.contentType).send(result.body);
        return;
      case 'stream':
        await writeSse(reply, result.headers, result.chunks, req.id);
        return;
    }
  }
}
