-- Admin tokens carry the user's token version; raising it (password, role or disabled change) ends their sessions
ALTER TABLE "AdminUser" ADD COLUMN "tokenVersion" INTEGER NOT NULL DEFAULT 0;
