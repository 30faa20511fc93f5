import t from 'tap';
import { FreshReads } from '../../src/db/fresh-reads.js';

/** A stand-in for the database: each read answers the version there was when it began, once released. */
function fakeDatabase() {
  let version = 0;
  const started: { release: () => void; fail: (error: Error) => void }[] = [];
  const query = () =>
    new Promise<number>((resolve, reject) => {
      const began = version;
      started.push({ release: () => resolve(began), fail: reject });
    });
  const commit = () => {
    version += 1;
  };
  return { started, query, commit };
}

// Reads begin at the end of the event loop's turn, so that requests arriving together share one.
const turn = () => new Promise((resolve) => setImmediate(resolve));

t.test('callers asking together share one read', async (t) => {
  const reads = new FreshReads<number>();
  const db = fakeDatabase();
  const answers = Promise.all([1, 2, 3].map(() => reads.read('ward', db.query)));
  await turn();
  t.equal(db.started.length, 1, 'one query for three callers');
  db.started[0]?.release();
  t.same(await answers, [0, 0, 0]);
});

t.test('a caller arriving while a read runs waits for the next read, not the running one', async (t) => {
  const reads = new FreshReads<number>();
  const db = fakeDatabase();
  const early = reads.read('ward', db.query);
  await turn();
  t.equal(db.started.length, 1);
  db.commit();
  // These callers arrive after the commit, which the running read began too early to see.
  const late = [reads.read('ward', db.query), reads.read('ward', db.query)];
  await turn();
  t.equal(db.started.length, 1, 'no second query while the first runs');
  db.started[0]?.release();
  t.equal(await early, 0, 'the first caller gets the read begun after it asked');
  await turn();
  t.equal(db.started.length, 2, 'the next read starts once the first ends, shared by both late callers');
  db.started[1]?.release();
  t.same(await Promise.all(late), [1, 1], 'the late callers see the commit made before they asked');
  await turn();
  t.equal(db.started.length, 2, 'two queries in all: none is started for nobody');

  const after = reads.read('ward', db.query);
  await turn();
  t.equal(db.started.length, 3, 'with nothing under way, the next caller starts a read of its own');
  db.started[2]?.release();
  t.equal(await after, 1);
});

t.test('different keys do not share reads', async (t) => {
  const reads = new FreshReads<number>();
  const db = fakeDatabase();
  const one = reads.read('ward-1', db.query);
  const two = reads.read('ward-2', db.query);
  await turn();
  t.equal(db.started.length, 2);
  for (const read of db.started) read.release();
  t.same(await Promise.all([one, two]), [0, 0]);
});

t.test('a failed read fails its own callers only; the next read runs afresh', async (t) => {
  const reads = new FreshReads<number>();
  const db = fakeDatabase();
  const first = reads.read('ward', db.query);
  await turn();
  db.commit();
  const waiting = [reads.read('ward', db.query), reads.read('ward', db.query)];
  db.started[0]?.fail(new Error('connection lost'));
  await t.rejects(first, /connection lost/, 'the caller of the failed read sees its error');
  await turn();
  t.equal(db.started.length, 2, 'the callers who arrived meanwhile get a read of their own');
  db.started[1]?.release();
  t.same(await Promise.all(waiting), [1, 1], 'and its answer, not the error');
});

t.test('a query that throws at once fails its callers and leaves nothing stuck', async (t) => {
  const reads = new FreshReads<number>();
  const failing = () => {
    throw new Error('bad query');
  };
  await t.rejects(Promise.all([reads.read('ward', failing), reads.read('ward', failing)]), /bad query/);
  t.equal(await reads.read('ward', async () => 7), 7);
});
