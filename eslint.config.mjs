import nextPlugin from "@next/eslint-plugin-next";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      ".next-*/**",
      "bench/results/**",
      "node_modules/**",
      "lib/generated/**",
      ".data/**",
      "next-env.d.ts",
      "test-results/**",
      "playwright-report/**",
    ],
  },
  ...tseslint.configs.recommended,
  {
    plugins: { "@next/next": nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // The database stays on the server: UI code may not reach it, even by accident.
    files: ["components/**", "app/**/*.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: [
                "@/lib/db/*",
                "@/lib/ingest/*",
                "@/lib/export/*",
                "@/lib/generated/*",
                "**/lib/db/*",
              ],
              message: "UI code must not import the database layer; go through the HTTP API.",
            },
            {
              group: ["pg", "pg-query-stream", "@prisma/*"],
              message: "UI code must not import database drivers.",
            },
          ],
        },
      ],
    },
  },
);
