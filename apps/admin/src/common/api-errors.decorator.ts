import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { ErrorEnvelopeDto } from './error-envelope.dto';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (validation failed, unknown fields)',
  401: 'Missing or invalid admin credential',
  403: 'The caller\'s role may not use this route',
  404: 'Not found',
  409: 'Conflict with the current state',
  429: 'Too many failed sign-in attempts from this email or address; see Retry-After',
  503: 'A dependency is unavailable',
};

/** Documents the error responses of a route, all in the admin error envelope. 401 and 403 apply to every guarded route. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status] ?? 'Error', type: ErrorEnvelopeDto })),
  );
}
