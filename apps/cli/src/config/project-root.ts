import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The llmp checkout this CLI belongs to (found by walking up, since sources and dist/ sit at different depths). */
export function projectRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'llmp') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the llmp project above ${from}`);
  }
}
