-- Most choices (n, best_of, candidateCount) one request may ask for, null meaning the default
ALTER TABLE "Team" ADD COLUMN "maxChoices" INTEGER;
ALTER TABLE "ApiKey" ADD COLUMN "maxChoices" INTEGER;
