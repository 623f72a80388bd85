-- Single sign-on (OpenID Connect): an operator provisioned on first SSO login
-- is found again by its provider identity, never by username, so a provider
-- account cannot take over a local account that merely shares its name.
-- "sub" is unique only per issuer, hence the pair.
ALTER TABLE "operator" ADD COLUMN "sso_issuer" TEXT;
ALTER TABLE "operator" ADD COLUMN "sso_subject" TEXT;
CREATE UNIQUE INDEX "operator_sso_issuer_sso_subject_key" ON "operator" ("sso_issuer", "sso_subject");
