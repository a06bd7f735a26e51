import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { openAiToResponsesResponse, OpenAiToResponsesStream, responsesEcho, responsesToOpenAiRequest, type Json, type LlmpError } from '@llmp/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { openAiErrorBody } from '../errors/openai-error.envelope';
import { objectBody, surfaceRequest } from '../ingress/surface-ingress';
import { GatewayPipeline } from '../pipeline/gateway-pipeline.service';
import { abortOnDisconnect, translateStream, writeFramedStream, type StreamFraming } from '../streaming/framed-stream.writer';

const SSE: StreamFraming = {
  contentType: 'text/event-stream; charset=utf-8',
  error: (e: LlmpError) => {
    const { error } = openAiErrorBody(e) as { error: Json };
    return `event: error\ndata: ${JSON.stringify({ type: 'error', code: e.code, message: e.message, param: error.param ?? null })}\n\n`;
  },
};

function frame(ev: Json): string {
  return `event: ${String(ev.type)}\ndata: ${JSON.stringify(ev)}\n\n`;
}

/**
 * The OpenAI Responses surface (`POST /v1/responses`, Codex-style clients), stateless: translated to the chat
 * contract, so every provider type can serve it. Errors use the OpenAI envelope of the global filter.
 */
@Controller('v1')
export class ResponsesController {
  constructor(private readonly pipeline: GatewayPipeline) {}

  @Post('responses')
  @HttpCode(200)
  async create(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = objectBody(req);
    const request = surfaceRequest(req, 'openai', 'responses', responsesToOpenAiRequest(body));
    const echo = responsesEcho(body, request.model);
    const result = await this.pipeline.run(request, abortOnDisconnect(reply));
    switch (result.kind) {
      case 'json':
        await reply.status(result.status).headers(result.headers).send(openAiToResponsesResponse(result.body, echo));
        return;
      case 'raw':
        // Upstream client errors are already in the OpenAI envelope this surface uses.
        await reply.status(result.status).headers(result.headers).type(result.contentType).send(result.body);
        return;
      case 'stream':
        await writeFramedStream(reply, result.headers, SSE, translateStream(result.chunks, new OpenAiToResponsesStream(echo), frame), req.id);
        return;
    }
  }
}
