import { Injectable } from '@nestjs/common';
import { ErrorCode, LlmpError, type ModelResolution, type Principal } from '@llmp/common';
import { decideAllowlist, type AllowlistDecision } from './allowlist-decision';

/** Stage 3: the resolved model (or an alias a list names exactly) must be allowed by the key and its team. */
@Injectable()
export class AllowlistStage {
  run(principal: Principal, resolution: ModelResolution): void {
    const decision = this.decide(principal, resolution);
    if (!decision.allowed) {
      throw new LlmpError(
        ErrorCode.ModelNotAllowed,
        `This API key is not allowed to use the model \`${resolution.requested}\`.`,
        { param: 'model' },
      );
    }
  }

  /** The same judgement with its reasons, for explain. */
  decide(principal: Principal, resolution: ModelResolution): AllowlistDecision {
    return decideAllowlist(principal, resolution);
  }
}
