import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as contracts from '@stella/contracts';
const { renderEventsDoc } = require('./render-events.js') as {
  renderEventsDoc: (c: typeof contracts) => string;
};

describe('docs/events.md', () => {
  it('is generated from the current event catalogue (run `npm run docs` after changing an event)', () => {
    const onDisk = readFileSync(join(__dirname, '..', '..', 'docs', 'events.md'), 'utf8');
    expect(onDisk).toBe(renderEventsDoc(contracts));
  });

  it('lists every event type', () => {
    const doc = renderEventsDoc(contracts);
    for (const d of contracts.listEventDefinitions()) expect(doc).toContain(`\`${d.type}\``);
  });
});
