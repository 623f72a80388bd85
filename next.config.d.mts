// Types of next.config.mjs's named export, for the test that holds it to lib/http/gate-rules.ts.
import type { NextConfig } from "next";

export function proxyBodyBound(env?: NodeJS.ProcessEnv): number;
declare const nextConfig: NextConfig;
export default nextConfig;
