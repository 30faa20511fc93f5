/** Rewrites docs/reports.md from the definitions: `node --import tsx test/reports/write-docs.ts`. */
import { writeFileSync } from 'node:fs';
import {
  closureDefinitions,
  equityDefinitions,
  themesDefinitions,
} from '../../src/modules/reports/reports.definitions.js';

const doc = `# Reports: exact definitions

This text is the same as the OpenAPI descriptions of the report endpoints (it comes from
\`src/modules/reports/reports.definitions.ts\`; \`test/reports/definitions.test.ts\` fails when the two differ).

## Closure report — \`GET /v1/reports/closure\` (auditor, staff, admin)

${closureDefinitions}

## Themes report — \`GET /v1/reports/themes\` (auditor, staff, admin)

${themesDefinitions}

## Equity report — \`GET /v1/reports/equity?characteristic=…\` (auditor, admin)

${equityDefinitions}
`;
writeFileSync('docs/reports.md', doc);
