/** The configuration used when no llmp.config.yaml exists: everything on the built-in mock provider. */
export const DEMO_CONFIG_YAML = `# Built-in demo configuration: every model is served by the deterministic mock provider.
providers:
  - name: mock
    type: mock
models:
  - name: gpt-4o-mini
    targets:
      - { provider: mock, model: mock-small }
    pricing: { input: 0.15, output: 0.60 }
    maxOutputTokens: 4096
  - name: gpt-4o
    targets:
      - { provider: mock, model: mock-large }
    pricing: { input: 2.50, output: 10.00 }
    maxOutputTokens: 4096
  - name: text-embedding-3-small
    targets:
      - { provider: mock, model: mock-embed }
    pricing: { input: 0.02, output: 0 }
aliases:
  fast: gpt-4o-mini
  smart: gpt-4o
`;
