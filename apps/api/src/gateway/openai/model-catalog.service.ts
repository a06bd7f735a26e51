import { Injectable } from '@nestjs/common';
import { ConfigStore } from '@llmp/infra';
import { AuthenticateStage, ModelVisibility } from '@llmp/policy';

/** `GET /v1/models`: what the calling key may use, aliases included, in OpenAI's list shape. */
@Injectable()
export class ModelCatalogService {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly authenticate: AuthenticateStage,
    private readonly visibility: ModelVisibility,
    private readonly config: ConfigStore,
  ) {}

  async list(credentials: string[], clientAddress: string): Promise<{ object: 'list'; data: { id: string; object: 'model'; created: number; owned_by: string }[] }> {
    const principal = await this.authenticate.run(credentials, clientAddress);
    const names = this.visibility.visibleModels(principal, this.config.current().models.map((m) => m.name));
    return {
      object: 'list',
      data: names.map((id) => ({ id, object: 'model', created: this.created, owned_by: 'llmp' })),
    };
  }
}
