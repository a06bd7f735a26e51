import { Body, Controller, HttpCode, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { PlaygroundChatDto } from './dto/playground-chat.dto';
import { PlaygroundService } from './playground.service';

/** Response headers worth showing in the console; everything else from the data plane is dropped. */
const PASSED_HEADERS = /^(content-type|x-request-id|x-ratelimit-.*|retry-after)$/i;

@ApiTags('playground')
@ApiBearerAuth()
@ApiErrors(400, 401, 403)
@Controller('admin/v1/playground')
export class PlaygroundController {
  constructor(private readonly playground: PlaygroundService) {}

  @Post('chat/completions')
  @HttpCode(200)
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'Chat through the data plane as a virtual key (the data plane\'s answer and status, streamed as it comes)' })
  @ApiProduces('application/json', 'text/event-stream')
  async chat(@Body() dto: PlaygroundChatDto, @Res() reply: FastifyReply): Promise<void> {
    const abort = new AbortController();
    reply.raw.on('close', () => abort.abort());
    let upstream: Response;
    try {
      upstream = await this.playground.chat(dto, abort.signal);
    } catch {
      void reply.code(502).send({ error: { code: 'data_plane_unreachable', message: 'The data plane did not answer.' } });
      return;
    }
    reply.hijack();
    const headers: Record<string, string> = {};
    upstream.headers.forEach((v, k) => {
      if (PASSED_HEADERS.test(k)) headers[k] = v;
    });
    reply.raw.writeHead(upstream.status, headers);
    try {
      if (upstream.body) for await (const chunk of upstream.body) reply.raw.write(chunk);
    } catch {
      // The client went away or the data plane dropped the stream: nothing left to tell anyone.
    }
    reply.raw.end();
  }
}
