-- "All rules" is the empty list, as Prisma can describe it (a scalar list is never NULL).
UPDATE "alert_silence" SET "rule_ids" = '{}' WHERE "rule_ids" IS NULL;
ALTER TABLE "alert_silence" ALTER COLUMN "rule_ids" SET DEFAULT '{}', ALTER COLUMN "rule_ids" SET NOT NULL;
