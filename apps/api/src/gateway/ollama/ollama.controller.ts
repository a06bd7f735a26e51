import { Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ollamaChatToOpenAiRequest, ollamaGenerateToOpenAiRequest, openAiToOllamaResponse, OpenAiToOllamaStream, type Json, type LlmpError,
} from '@llmp/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { extractCredentials } from '../ingress/credentials';
import { objectBody, surfaceRequest } from '../ingress/surface-ingress';
import { ModelCatalogService } from '../openai/model-catalog.service';
import { GatewayPipeline } from '../pipeline/gateway-pipeline.service';
import { abortOnDisconnect, translateStream, writeFramedStream, type StreamFraming } from '../streaming/framed-stream.writer';
import { upstreamMessage } from '../streaming/upstream-message';
import { ollamaErrorBody } from './ollama-error.envelope';

const NDJSON: StreamFraming = {
  contentType: 'application/x-ndjson',
  error: (e: LlmpError) => `${JSON.stringify(ollamaErrorBody(e))}\n`,
};

/** The version Ollama clients see; recent enough that they use the chat API with tools and thinking. */
const OLLAMA_VERSION = '0.9.0';

/** The Ollama surface: `POST /api/chat`, `POST /api/generate` (NDJSON streams by default), `GET /api/tags`. */
@Controller('api')
export class OllamaController {
  constructor(
    private readonly pipeline: GatewayPipeline,
    private readonly catalog: ModelCatalogService,
  ) {}

  @Post('chat')
  @HttpCode(200)
  chat(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('chat', ollamaChatToOpenAiRequest(objectBody(req)), req, reply);
  }

  @Post('generate')
  @HttpCode(200)
  generate(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.serve('generate', ollamaGenerateToOpenAiRequest(objectBody(req)), req, reply);
  }

  @Get('tags')
  async tags(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const list = await this.catalog.list(extractCredentials(req), req.clientIp);
    const modifiedAt = new Date(list.data[0]?.created ? list.data[0].created * 1000 : Date.now()).toISOString();
    const models = list.data.map((m) => ({
      name: m.id,
      model: m.id,
      modified_at: modifiedAt,
      size: 0,
      digest: '',
      details: { parent_model: '', format: 'llmp', family: '', families: null, parameter_size: '', quantization_level: '' },
    }));
    await reply.header('x-request-id', req.id).send({ models });
  }

  @Get('version')
  async version(@Res() reply: FastifyReply): Promise<void> {
    await reply.send({ version: OLLAMA_VERSION });
  }

  private async serve(mode: 'chat' | 'generate', chat: Json, req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const request = surfaceRequest(req, 'ollama', 'chat', chat);
    const result = await this.pipeline.run(request, abortOnDisconnect(reply));
    switch (result.kind) {
      case 'json':
        await reply.status(result.status).headers(result.headers).send(openAiToOllamaResponse(result.body, request.model, mode));
        return;
      case 'raw':
        await reply.status(result.status).headers(result.headers).send({ error: upstreamMessage(result.body) });
        return;
      case 'stream': {
        const frames = translateStream(result.chunks, new OpenAiToOllamaStream(request.model, mode), (line: Json) => `${JSON.stringify(line)}\n`);
        await writeFramedStream(reply, result.headers, NDJSON, frames, req.id);
        return;
      }
    }
  }
}
