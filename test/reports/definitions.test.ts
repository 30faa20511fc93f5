import { readFile } from 'node:fs/promises';
import t from 'tap';
import {
  closureDefinitions,
  equityDefinitions,
  fftDefinitions,
  fftReturnDefinitions,
  recommendationsDefinitions,
  themesDefinitions,
} from '../../src/modules/reports/reports.definitions.js';

t.test('docs/reports.md carries the report definitions word for word', async (t) => {
  const doc = await readFile('docs/reports.md', 'utf8');
  for (const [name, text] of Object.entries({
    closureDefinitions,
    themesDefinitions,
    equityDefinitions,
    fftDefinitions,
    fftReturnDefinitions,
    recommendationsDefinitions,
  })) {
    t.ok(doc.includes(text), `${name} is in docs/reports.md`);
  }
});
