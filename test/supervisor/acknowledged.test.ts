// The supervisor's marks of what each node had on disk, kept in the cluster folder: they only go up,
// survive a new supervisor, and a damaged file is refused with the fix.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ACKNOWLEDGED_FILE, AcknowledgedMarks } from '../../src/supervisor/acknowledged.js';

describe('acknowledged marks', () => {
  it('only rise, and a new supervisor reads them back', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'raft-console-marks-'));
    const marks = new AcknowledgedMarks(folder);
    expect(marks.get(2)).toBeNull();
    marks.seen(2, { term: 3, commit: 40 });
    marks.seen(2, { term: 2, commit: 0 }); // a node started empty reports less: the mark stays
    marks.seen(2, { term: 3, commit: 41 });
    await marks.flush();
    expect(new AcknowledgedMarks(folder).get(2)).toEqual({ term: 3, commit: 41 });
    expect(JSON.parse(await readFile(join(folder, ACKNOWLEDGED_FILE), 'utf8'))).toEqual({ 2: { term: 3, commit: 41 } });
  });

  it('a damaged file is refused, naming it and the fix', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'raft-console-marks-'));
    await writeFile(join(folder, ACKNOWLEDGED_FILE), '{"2": {"term": "x"}}');
    expect(() => new AcknowledgedMarks(folder)).toThrow(
      `${join(folder, ACKNOWLEDGED_FILE)} is corrupt: delete it (nodes that lost data are then no longer recognised at their next start)`,
    );
  });
});
