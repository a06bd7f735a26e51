import { Injectable } from '@nestjs/common';
import { AuthenticateStage, ModelVisibility, ResolveModelStage } from '@llmp/policy';

/** `GET /v1/models`: what the calling key may use, aliases included, in OpenAI's list shape. */
@Injectable()
export class ModelCatalogService {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly authenticate: AuthenticateStage,
    private readonly visibility: ModelVisibility,
    private readonly resolveModel: ResolveModelStage,
  ) {}

  async list(credentials: string[], clientAddress: string): Promise<{ object: 'list'; data: { id: string; object: 'model'; created: number; owned_by: string }[] }> {
    const principal = await this.authenticate.run(credentials, clientAddress);
    const names = this.visibility.visibleModels(principal, this.resolveModel.modelCatalog);
    return {
      object: 'list',
      data: names.map((id) => ({ id, object: 'model', created: this.created, owned_by: 'llmp' })),
    };
  }
}
