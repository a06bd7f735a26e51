import { Inject, Injectable } from '@nestjs/common';
import { ENV_CONFIG, type EnvConfig } from '@llmp/infra';
import type { PlaygroundChatDto } from './dto/playground-chat.dto';

/**
 * Forwards the console's playground chat to the local data plane. Going through the control plane keeps the console
 * same-origin (the data plane sends no CORS headers) and lets the data plane stay off the admin's network path.
 */
@Injectable()
export class PlaygroundService {
  private readonly dataPlane: string;

  constructor(@Inject(ENV_CONFIG) env: EnvConfig) {
    const host = env.host === '0.0.0.0' || env.host === '::' || !env.host ? '127.0.0.1' : env.host;
    this.dataPlane = `http://${host.includes(':') ? `[${host}]` : host}:${env.apiPort}`;
  }

  chat(dto: PlaygroundChatDto, signal: AbortSignal): Promise<Response> {
    return fetch(`${this.dataPlane}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${dto.key}`, 'content-type': 'application/json' },
      body: JSON.stringify(dto.request),
      signal,
    });
  }
}
