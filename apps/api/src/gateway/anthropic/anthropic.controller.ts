import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { anthropicToOpenAiRequest, openAiToAnthropicResponse, OpenAiToAnthropicStream, type AnthropicStreamEvent, type LlmpError } from '@llmp/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { objectBody, surfaceRequest } from '../ingress/surface-ingress';
import { GatewayPipeline } from '../pipeline/gateway-pipeline.service';
import { abortOnDisconnect, translateStream, writeFramedStream, type StreamFraming } from '../streaming/framed-stream.writer';
import { upstreamMessage } from '../streaming/upstream-message';
import { anthropicErrorBody, anthropicErrorOfStatus } from './anthropic-error.envelope';
import { AnthropicTokenCounter } from './anthropic-token-counter.service';

const SSE: StreamFraming = {
  contentType: 'text/event-stream; charset=utf-8',
  error: (e: LlmpError) => `event: error\ndata: ${JSON.stringify(anthropicErrorBody(e))}\n\n`,
};

function frame(ev: AnthropicStreamEvent): string {
  return `event: ${ev.type}\ndata: ${JSON.stringify(ev)}\n\n`;
}

/** The Anthropic surface: `POST /v1/messages` and `POST /v1/messages/count_tokens`, for Claude Code and the SDKs. */
@Controller('v1/messages')
export class AnthropicController {
  constructor(
    private readonly pipeline: GatewayPipeline,
    private readonly counter: AnthropicTokenCounter,
  ) {}

  @Post()
  @HttpCode(200)
  async messages(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const request = surfaceRequest(req, 'anthropic', 'messages', anthropicToOpenAiRequest(objectBody(req)));
    const result = await this.pipeline.run(request, abortOnDisconnect(reply));
    switch (result.kind) {
      case 'json':
        await reply.status(result.status).headers(result.headers).send(openAiToAnthropicResponse(result.body, request.model));
        return;
      case 'raw':
        await reply.status(result.status).headers(result.headers).send(anthropicErrorOfStatus(result.status, upstreamMessage(result.body)));
        return;
      case 'stream':
        await writeFramedStream(reply, result.headers, SSE, translateStream(result.chunks, new OpenAiToAnthropicStream(request.model), frame), req.id);
        return;
    }
  }

  @Post('count_tokens')
  @HttpCode(200)
  async countTokens(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const counted = await this.counter.count(req);
    await reply.headers(counted.headers).send(counted.body);
  }
}
