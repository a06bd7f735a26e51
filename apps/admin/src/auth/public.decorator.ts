import { SetMetadata } from '@nestjs/common';

export const PUBLIC_KEY = 'llmp:public';

/** Marks a route as reachable without credentials (health, login); every other route must declare roles. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
