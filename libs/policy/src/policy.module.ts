import { Module } from '@nestjs/common';
import { GlobalAliasCache } from './keys/global-alias.cache';
import { KeyAuthService } from './keys/key-auth.service';
import { KeySnapshotStore } from './keys/key-snapshot.store';
import { PolicyInvalidationListener } from './keys/policy-invalidation.listener';
import { PolicyInvalidator } from './keys/policy-invalidator.service';
import { ApiKeyRepository } from './repositories/api-key.repository';
import { IdempotencyRepository } from './repositories/idempotency.repository';
import { ModelAliasRepository } from './repositories/model-alias.repository';
import { TeamRepository } from './repositories/team.repository';
import { TransactionRunner } from './repositories/transaction.runner';
import { AllowlistStage } from './stages/allowlist.stage';
import { AuthenticateStage } from './stages/authenticate.stage';
import { ModelVisibility } from './stages/model-visibility';
import { PolicyExplainService } from './stages/policy-explain.service';
import { ResolveModelStage } from './stages/resolve-model.stage';
import { TokenCapStage } from './stages/token-cap.stage';

const EXPORTED = [
  AllowlistStage,
  ApiKeyRepository,
  AuthenticateStage,
  GlobalAliasCache,
  IdempotencyRepository,
  KeyAuthService,
  ModelAliasRepository,
  ModelVisibility,
  PolicyExplainService,
  PolicyInvalidator,
  ResolveModelStage,
  TeamRepository,
  TokenCapStage,
  TransactionRunner,
];

/**
 * Keys, policy stages and their caches. Needs the global InfraModule; starts the invalidation subscriber, so every
 * process that imports it sees control plane changes within a second.
 */
@Module({
  providers: [...EXPORTED, KeySnapshotStore, PolicyInvalidationListener],
  exports: EXPORTED,
})
export class PolicyModule {}
