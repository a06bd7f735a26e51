import { ApiProperty } from '@nestjs/swagger';

/** One problem of a rejected config file. */
export class ConfigProblemDto {
  @ApiProperty({ example: 12, description: 'Line in the file (0 when unknown).' }) line: number;
  @ApiProperty({ example: 'models.2.targets.0.provider' }) path: string;
  @ApiProperty({ example: 'unknown provider "openai-eu"' }) message: string;
}

/** What a config reload did on the control plane, and how many processes were asked to reload. */
export class ConfigReloadResultDto {
  @ApiProperty({ enum: ['applied', 'unchanged', 'rejected'] }) status: 'applied' | 'unchanged' | 'rejected';
  @ApiProperty({ example: '/etc/llmp/llmp.config.yaml' }) source: string;
  @ApiProperty({ example: 3 }) providers: number;
  @ApiProperty({ example: 12 }) models: number;
  @ApiProperty({ type: [ConfigProblemDto] }) problems: ConfigProblemDto[];
  @ApiProperty({ type: [String], description: 'Changed sections that only apply after a restart (server, auth, routing, limits).' })
  restartRequired: string[];
  @ApiProperty({ example: 4, description: 'Processes subscribed to the reload channel that received the request.' }) notified: number;
}
