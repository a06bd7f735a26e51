#!/bin/sh
# llmp container entrypoint: `api`, `admin`, `worker` or `migrate`; anything else runs as given.
set -e
case "$1" in
  # 32 MB semi-spaces for the data plane: see NODE_FLAGS in scripts/start.mjs.
  api) shift; exec node --max-semi-space-size=32 dist/apps/api/src/main.js "$@" ;;
  admin) shift; exec node dist/apps/admin/src/main.js "$@" ;;
  worker) shift; exec node dist/apps/admin/src/worker.js "$@" ;;
  migrate) shift; exec npx prisma migrate deploy "$@" ;;
  *) exec "$@" ;;
esac
