-- Admin tokens carry the token version of their user, and raising it (password, role or disabled change) ends them
ALTER TABLE "AdminUser" ADD COLUMN "tokenVersion" INTEGER NOT NULL DEFAULT 0;
