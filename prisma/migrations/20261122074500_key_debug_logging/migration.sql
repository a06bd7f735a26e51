-- A key-level switch that logs the request and response bodies of one key (redacted), off for every existing key
ALTER TABLE "ApiKey" ADD COLUMN "debugLogging" BOOLEAN NOT NULL DEFAULT false;
