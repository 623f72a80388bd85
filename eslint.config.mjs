import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
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
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    files: ["**/*.mjs", "**/*.js"],
    extends: [tseslint.configs.disableTypeChecked],
  },
  reactHooks.configs.flat.recommended,
  {
    // Tests read JSON bodies (`await response.json()` is any) and poke at
    // internals on purpose: the no-unsafe-* family would flag every assertion
    // on a response body. Everything else of the type-checked set applies.
    files: ["**/*.test.ts", "e2e/**", "test/**", "bench/**"],
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-return": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      // csv-parse's result is cast to the row shape a test expects.
      "@typescript-eslint/no-unnecessary-type-assertion": "off",
    },
  },
  {
    plugins: { "@next/next": nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      "@typescript-eslint/no-explicit-any": "error",
      // Off from the type-checked set: every finding was a function kept in an
      // object whose type declares it in method syntax (scratch.drop,
      // app.fetch, gauges.x) and never uses `this`.
      "@typescript-eslint/unbound-method": "off",
      // Off: an async function without await still promises its callers a
      // Promise (interfaces such as Aedes' persistence or startFleet's).
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    // Client code (components, the app's providers) runs in the browser. It
    // may import types from lib/, never values: what the browser and the
    // server share at runtime lives in contract/ (no zod, no server module).
    files: ["components/**", "app/providers.tsx"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/**", "**/lib/**"],
              allowTypeImports: true,
              message:
                "Client code may only `import type` from lib/; shared runtime code belongs in contract/.",
            },
            {
              group: ["pg", "pg-*", "@prisma/*", "server-only"],
              message: "Client code must not import database drivers or server-only modules.",
            },
          ],
        },
      ],
    },
  },
  {
    // Pages are server shells: they may call lib/, but not the database layer itself.
    files: ["app/**/*.tsx"],
    ignores: ["app/providers.tsx"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["@/lib/db/*", "@/lib/generated/*", "**/lib/db/*"],
              message: "Pages go through lib/'s domain functions, not the database layer.",
            },
            {
              group: ["pg", "pg-query-stream", "@prisma/*"],
              message: "No database drivers in pages.",
            },
          ],
        },
      ],
    },
  },
);
