import t from 'tap';
import { GroupCommit } from '../../src/db/group-commit.js';

// The queue driven by in-process writes that record each group they are handed and finish when the
// test lets them, so the test decides what is in flight while requests arrive.

interface Item {
  name: string;
  key?: string;
}

const wrote = (items: readonly Item[]) => items.map((item) => `wrote ${item.name}`);

/**
 * A write the test finishes by hand: the groups it was handed, in order, and a way to let them end.
 * `answer` gives a group's outcomes, or throws to fail it as a whole.
 */
function heldWrites(answer: (items: readonly Item[]) => (string | Error)[] = wrote) {
  const groups: string[][] = [];
  const pending: (() => void)[] = [];
  const write = async (items: readonly Item[]) => {
    groups.push(items.map((item) => item.name));
    await new Promise<void>((resolve) => pending.push(resolve));
    return answer(items);
  };
  /** Lets the oldest `count` writes end one after the other, each once its answers are delivered. */
  const finish = async (count = 1) => {
    for (let n = 0; n < count; n++) {
      pending.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { groups, write, finish };
}

/** Whether the promise has settled yet, read without waiting for it. */
function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  return () => done;
}

const item = (name: string, key?: string): Item => (key === undefined ? { name } : { name, key });

/** The answers of the requests, in order: each result, or `refused: ` and the rejection's message. */
const answersOf = async (answers: Promise<string>[]) =>
  (await Promise.allSettled(answers)).map((answer) =>
    answer.status === 'fulfilled' ? answer.value : `refused: ${(answer.reason as Error).message}`,
  );

t.test('a request alone is written at once, and answered only when its write has finished', async (t) => {
  const writes = heldWrites();
  const queue = new GroupCommit<Item, string>({ maxGroupSize: 200, maxGroups: 1, write: writes.write });
  const answer = queue.submit(item('a'));
  const answered = settled(answer);
  t.same(writes.groups, [['a']], 'its write started in the same turn, without waiting for company');
  await new Promise((resolve) => setImmediate(resolve));
  t.notOk(answered(), 'not answered while its write is still going');
  await writes.finish();
  t.equal(await answer, 'wrote a');
});

t.test('requests that arrive during a write share the next write, each answered its own result', async (t) => {
  const writes = heldWrites();
  const queue = new GroupCommit<Item, string>({ maxGroupSize: 200, maxGroups: 1, write: writes.write });
  const first = queue.submit(item('a'));
  const later = ['b', 'c', 'd'].map((name) => queue.submit(item(name)));
  const answered = later.map(settled);
  t.same(writes.groups, [['a']], 'the later ones wait while a write is in flight');
  await writes.finish();
  t.same(writes.groups, [['a'], ['b', 'c', 'd']], 'then go in one write, in arrival order');
  t.notOk(
    answered.some((isAnswered) => isAnswered()),
    'none answered before that write has finished',
  );
  await writes.finish();
  t.same(await Promise.all([first, ...later]), ['wrote a', 'wrote b', 'wrote c', 'wrote d']);
});

t.test('groups are at most maxGroupSize, and up to maxGroups are written at once', async (t) => {
  const writes = heldWrites();
  const queue = new GroupCommit<Item, string>({ maxGroupSize: 2, maxGroups: 2, write: writes.write });
  const answers = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => queue.submit(item(name)));
  t.same(writes.groups, [['a'], ['b']], 'two lone requests both written at once');
  await writes.finish();
  t.same(writes.groups, [['a'], ['b'], ['c', 'd']], 'a freed slot takes the next two');
  await writes.finish(3);
  t.same(writes.groups, [['a'], ['b'], ['c', 'd'], ['e', 'f']]);
  t.same(await Promise.all(answers), ['wrote a', 'wrote b', 'wrote c', 'wrote d', 'wrote e', 'wrote f']);
});

t.test("one request's refusal is its own: the others of its group get their results", async (t) => {
  const writes = heldWrites((items) =>
    items.map((item) => (item.name === 'c' ? new Error('c is refused') : `wrote ${item.name}`)),
  );
  const queue = new GroupCommit<Item, string>({ maxGroupSize: 200, maxGroups: 1, write: writes.write });
  const answers = answersOf(['a', 'b', 'c', 'd'].map((name) => queue.submit(item(name))));
  await writes.finish(2);
  t.same(await answers, ['wrote a', 'wrote b', 'refused: c is refused', 'wrote d']);
  t.same(writes.groups, [['a'], ['b', 'c', 'd']], 'the refusal came from the shared write, not a retry');
});

t.test('a group that fails as a whole is written again one request at a time', async (t) => {
  // One item the write cannot take, which fails any group that holds it.
  const writes = heldWrites((items) => {
    if (items.some((item) => item.name === 'poison')) throw new Error('the write failed');
    return wrote(items);
  });
  const queue = new GroupCommit<Item, string>({ maxGroupSize: 200, maxGroups: 1, write: writes.write });
  const answers = answersOf(['a', 'b', 'poison', 'c'].map((name) => queue.submit(item(name))));
  await writes.finish(5);
  t.same(
    await answers,
    ['wrote a', 'wrote b', 'refused: the write failed', 'wrote c'],
    'the requests beside the failing one get the answers they have alone; the failing one its own failure',
  );
  t.same(writes.groups, [['a'], ['b', 'poison', 'c'], ['b'], ['poison'], ['c']], 'retried alone, in order');
});

t.test('a failure that failsWholeGroup names fails the whole group, without retries', async (t) => {
  const gone = new Error('the database is gone');
  const writes = heldWrites(() => {
    throw gone;
  });
  const queue = new GroupCommit<Item, string>({
    maxGroupSize: 200,
    maxGroups: 1,
    write: writes.write,
    failsWholeGroup: (error) => error === gone,
  });
  const answers = answersOf(['a', 'b', 'c'].map((name) => queue.submit(item(name))));
  await writes.finish(2);
  t.same(await answers, [
    'refused: the database is gone',
    'refused: the database is gone',
    'refused: the database is gone',
  ]);
  t.same(writes.groups, [['a'], ['b', 'c']], 'each group written once');
});

t.test('a request whose exclusive key is already in the group waits for a later group', async (t) => {
  const writes = heldWrites();
  const queue = new GroupCommit<Item, string>({
    maxGroupSize: 200,
    maxGroups: 1,
    write: writes.write,
    exclusiveKey: (item) => item.key,
  });
  const answers = [item('a', 'k'), item('b', 'k'), item('c', 'm'), item('d'), item('e', 'k'), item('f')].map(
    (request) => queue.submit(request),
  );
  await writes.finish();
  t.same(writes.groups[1], ['b', 'c', 'd', 'f'], 'one request per key; requests without a key all join');
  await writes.finish();
  t.same(writes.groups[2], ['e'], 'the second with key k goes in the next group');
  await writes.finish();
  t.same(await Promise.all(answers), ['wrote a', 'wrote b', 'wrote c', 'wrote d', 'wrote e', 'wrote f']);
});
