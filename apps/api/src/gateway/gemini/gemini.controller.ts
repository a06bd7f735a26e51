import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import { geminiToOpenAiRequest, openAiToGeminiResponse, OpenAiToGeminiStream, type Json, type LlmpError } from '@llmp/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { extractCredentials } from '../ingress/credentials';
import { objectBody, surfaceRequest } from '../ingress/surface-ingress';
import { ModelCatalogService } from '../openai/model-catalog.service';
import { GatewayPipeline } from '../pipeline/gateway-pipeline.service';
import { abortOnDisconnect, translateStream, writeFramedStream, type StreamFraming } from '../streaming/framed-stream.writer';
import { upstreamMessage } from '../streaming/upstream-message';
import { geminiErrorBody, geminiErrorOfStatus } from './gemini-error.envelope';
import { geminiRouteOf } from './gemini-route';

/** `alt=sse`: one response per event, CRLF-delimited as Google sends them. */
const SSE: StreamFraming = {
  contentType: 'text/event-stream; charset=utf-8',
  error: (e: LlmpError) => `data: ${JSON.stringify(geminiErrorBody(e))}\r\n\r\n`,
};

/** Without `alt=sse`, Gemini streams one JSON array whose elements arrive as they are generated. */
const JSON_ARRAY: StreamFraming = {
  contentType: 'application/json; charset=utf-8',
  open: '[',
  close: ']',
  error: (e: LlmpError) => `${JSON.stringify(geminiErrorBody(e))}]`,
};

/** The Gemini surface: `POST /v1beta/models/{model}:generateContent|:streamGenerateContent`, `GET /v1beta/models`. */
@Controller('v1beta')
export class GeminiController {
  constructor(
    private readonly pipeline: GatewayPipeline,
    private readonly catalog: ModelCatalogService,
  ) {}

  @Get('models')
  async models(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const list = await this.catalog.list(extractCredentials(req), req.clientIp);
    const models = list.data.map((m) => ({
      name: `models/${m.id}`,
      baseModelId: m.id,
      version: 'llmp',
      displayName: m.id,
      description: `${m.id} through llmp`,
      supportedGenerationMethods: ['generateContent', 'streamGenerateContent'],
    }));
    await reply.header('x-request-id', req.id).send({ models });
  }

  @Post('models/*')
  @HttpCode(200)
  async generate(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const { model, action } = geminiRouteOf(req.url);
    const stream = action === 'streamGenerateContent';
    const request = surfaceRequest(req, 'gemini', 'chat', geminiToOpenAiRequest(objectBody(req), model, stream));
    const result = await this.pipeline.run(request, abortOnDisconnect(reply));
    switch (result.kind) {
      case 'json':
        await reply.status(result.status).headers(result.headers).send(openAiToGeminiResponse(result.body, model));
        return;
      case 'raw':
        await reply.status(result.status).headers(result.headers).send(geminiErrorOfStatus(result.status, upstreamMessage(result.body)));
        return;
      case 'stream': {
        const sse = (req.query as Record<string, unknown> | undefined)?.alt === 'sse';
        let first = true;
        const frame = sse
          ? (r: Json): string => `data: ${JSON.stringify(r)}\r\n\r\n`
          : (r: Json): string => {
              const s = `${first ? '' : ',\r\n'}${JSON.stringify(r)}`;
              first = false;
              return s;
            };
        const framing = sse ? SSE : { ...JSON_ARRAY, error: (e: LlmpError) => `${first ? '' : ',\r\n'}${JSON_ARRAY.error(e)}` };
        await writeFramedStream(reply, result.headers, framing, translateStream(result.chunks, new OpenAiToGeminiStream(model), frame), req.id);
        return;
      }
    }
  }
}
