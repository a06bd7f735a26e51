/**
 * A startup failure in words an operator can act on: a port that is taken or not allowed names the variable that
 * moves it (a second `npm start` on the same machine is the usual cause).
 */
export function startupErrorMessage(e: unknown, portVariable: string): string {
  const err = e as (NodeJS.ErrnoException & { port?: number }) | null;
  if (err?.code === 'EADDRINUSE') {
    return `port ${err.port} is already in use (is llmp already running?): stop that process or choose another port with ${portVariable}`;
  }
  if (err?.code === 'EACCES') return `not allowed to listen on port ${err.port}: choose a port above 1023 with ${portVariable}`;
  return e instanceof Error ? e.message : String(e);
}
