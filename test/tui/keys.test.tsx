// Every key dispatches its action: the real App with its key router, a fake cluster behind it.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { Action, ActionResult, ClusterModel } from '../../src/cluster-model/index.js';
import { App, type Controller } from '../../src/tui/app.js';
import { initialUi, route, type KeyContext } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import type { ClusterSource } from '../../src/cluster-model/source.js';
import { DashboardStore } from '../../src/tui/store.js';
import { waitFor } from '../support/wait.js';
import { exerciseView, healthy, keyContext } from './fixtures.js';

/** A cluster that records what it is asked to do. */
class FakeCluster implements ClusterSource {
  readonly acted: Action[] = [];
  readonly writes: string[] = [];
  quits = 0;
  triggers = 0;
  constructor(readonly current: ClusterModel = healthy()) {}
  get model(): ClusterModel {
    return this.current;
  }
  subscribe = (): (() => void) => () => undefined;
  onGone = (): (() => void) => () => undefined;
  act = async (action: Action): Promise<ActionResult> => {
    this.acted.push(action);
    return { ok: true, text: `did ${action.op}` };
  };
}

const mounted: Array<() => void> = [];
afterEach(() => {
  for (const m of mounted.splice(0)) m();
});

function open(cluster: FakeCluster, opts: { owned?: boolean; trigger?: boolean } = {}) {
  const store = new DashboardStore(cluster, () => 1_000_000);
  const controller: Controller = {
    act: cluster.act,
    submit: async (text, via) => {
      cluster.writes.push(via === undefined ? `submit ${text}` : `submit ${text} via n${via}`);
      return { ok: true, text: `committed ${text}` };
    },
    put: async (key, value) => {
      cluster.writes.push(`put ${key}=${value}`);
      return { ok: true, text: `${key} = ${value}` };
    },
    request: async (request, options) => {
      cluster.writes.push(`${JSON.stringify(request)} via ${options.via ?? 'leader'} within ${options.timeoutMs}`);
      return { ok: true, text: `sent ${request.op}` };
    },
    trigger: async () => {
      cluster.triggers++;
      return { ok: true, text: 'set up' };
    },
    quit: () => {
      cluster.quits++;
    },
    exercise: () => (opts.trigger === true ? exerciseView({ trigger: { label: 'start two elections' } }) : null),
  };
  const app = render(
    <App
      store={store}
      controller={controller}
      labels={labelsFor('en')}
      colour={false}
      owned={opts.owned ?? false}
      attached
      size={{ cols: 120, rows: 40 }}
    />,
  );
  mounted.push(() => app.unmount());
  return { app, store };
}

/** Types keys one at a time, letting ink read each. */
async function press(app: ReturnType<typeof render>, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    app.stdin.write(k);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const UP = '\u001b[A';
const TAB = '\t';
const ESC = '\u001b';
const DOWN = '\u001b[B';
const RIGHT = '\u001b[C';
const ENTER = '\r';

describe('keys dispatch their actions to the supervisor', () => {
  const cases: Array<[string, string[], Action]> = [
    ['x kills the selected node', ['2', 'x'], { op: 'kill', nodes: [2] }],
    ['r restarts it', ['3', 'r'], { op: 'restart', nodes: [3] }],
    ['s stops it', ['s'], { op: 'stop', nodes: [1] }],
    ['z pauses it', ['j', 'z'], { op: 'pause', nodes: [2] }],
    ['i isolates it', [DOWN, DOWN, 'i'], { op: 'isolate', node: 3 }],
    ['e starts an election on it', ['k', 'e'], { op: 'campaign', node: 3 }],
    ['t transfers leadership to it', ['2', UP, DOWN, 't'], { op: 'transfer', node: 2 }],
    ['- removes it after a yes', ['3', '-', 'y'], { op: 'remove', node: 3 }],
    ['+ adds a node', ['+'], { op: 'add' }],
    ['h heals the network', ['h'], { op: 'heal' }],
    ['f changes the speed preset', ['f'], { op: 'speed', preset: 'fast' }],
    ['p, group letters and enter apply a partition', ['p', '3', 'b', ENTER], { op: 'partition', groups: [[1, 2], [3]] }],
    ['the partition editor moves nodes with arrows', ['p', '1', RIGHT, '2', RIGHT, ENTER], { op: 'partition', groups: [[3], [1, 2]] }],
  ];
  for (const [name, keys, action] of cases)
    it(name, async () => {
      const cluster = new FakeCluster();
      const { app } = open(cluster);
      await press(app, ...keys);
      await waitFor(action.op, () => cluster.acted.length > 0);
      expect(cluster.acted).toEqual([action]);
    });

  it('z resumes a paused node', async () => {
    const m = healthy();
    m.nodes[0]!.process.state = 'paused';
    const cluster = new FakeCluster(m);
    const { app } = open(cluster);
    await press(app, 'z');
    await waitFor('resume', () => cluster.acted.length > 0);
    expect(cluster.acted).toEqual([{ op: 'resume', nodes: [1] }]);
  });

  it('n submits an entry and v puts a value through the one-line input', async () => {
    const cluster = new FakeCluster();
    const { app } = open(cluster);
    await press(app, 'n', 'h', 'i', ENTER, 'v', 'c', '=', 'r', 'e', 'd', ENTER);
    await waitFor('two writes', () => cluster.writes.length === 2);
    expect(cluster.writes).toEqual(['submit hi', 'put c=red']);
    expect(cluster.acted).toEqual([]);
  });

  it('N submits to the selected node only, and the prompt names it', async () => {
    const cluster = new FakeCluster();
    const { app } = open(cluster);
    await press(app, '3', 'N');
    await waitFor('the prompt', () => (app.lastFrame() ?? '').includes('submit entry to n3 only>'));
    await press(app, 'h', 'i', ENTER);
    await waitFor('the write', () => cluster.writes.length === 1);
    expect(cluster.writes).toEqual(['submit hi via n3']);
  });

  it("an action's result shows on the flash line", async () => {
    const cluster = new FakeCluster();
    const { app, store } = open(cluster);
    await press(app, 'x');
    await waitFor('the result', () => {
      store.publish();
      return (app.lastFrame() ?? '').includes('✔ did kill');
    });
  });

  it('q quits at once when attached, and asks first when the dashboard owns the cluster', async () => {
    const attached = new FakeCluster();
    await press(open(attached).app, 'q');
    await waitFor('quit', () => attached.quits === 1);

    const owned = new FakeCluster();
    const { app } = open(owned, { owned: true });
    await press(app, 'q');
    await waitFor('the question', () => (app.lastFrame() ?? '').includes('stop the cluster'));
    expect(owned.quits).toBe(0);
    await press(app, 'n', 'q', 'y');
    await waitFor('quit', () => owned.quits === 1);
  });

  it("X runs the exercise's set-up when the step has one", async () => {
    const cluster = new FakeCluster();
    const { app } = open(cluster, { trigger: true });
    await press(app, 'X');
    await waitFor('trigger', () => cluster.triggers === 1);
  });
});

const ctx: KeyContext = keyContext;

describe('the key router', () => {
  it('ignores a digit that names no node and says so', () => {
    const r = route(initialUi(1), '7', {}, ctx);
    expect(r.ui.selected).toBe(1);
    expect(r.intents).toEqual([{ type: 'note', text: 'there is no n7: the nodes are n1 n2 n3' }]);
  });

  it('← → on a cluster that hides its log (etcd) say why nothing scrolls, rather than doing nothing', () => {
    const r = route(initialUi(1), '', { leftArrow: true }, { ...ctx, noLog: 'etcd does not expose its log entries' });
    expect(r.ui.logBack).toBe(0);
    expect(r.intents).toEqual([{ type: 'note', text: 'etcd does not expose its log entries' }]);
    expect(route(initialUi(1), '', { leftArrow: true }, ctx).ui.logBack).toBe(10);
  });

  it('space freezes the event scroll where it is and again follows', () => {
    const frozen = route(initialUi(1), ' ', {}, ctx).ui;
    expect(frozen.frozenAt).toBe(10);
    expect(route(frozen, ' ', {}, ctx).ui.frozenAt).toBeNull();
  });

  it('a partition with everyone in one group heals instead', () => {
    const editing = route(initialUi(1), 'p', {}, ctx).ui;
    expect(route(editing, '', { return: true }, ctx).intents).toEqual([{ type: 'action', action: { op: 'heal' } }]);
  });

  it('the editor starts from the partition in force', () => {
    const editing = route(initialUi(1), 'p', {}, { ...ctx, partition: [[3], [1, 2]] }).ui;
    expect(editing.mode).toEqual({ kind: 'partition', groups: { 1: 1, 2: 1, 3: 0 } });
  });

  it('Ctrl-C asks when the cluster is owned, and a second Ctrl-C means it', () => {
    const asked = route(initialUi(1), 'c', { ctrl: true }, { ...ctx, owned: true });
    expect(asked.ui.mode.kind).toBe('confirm');
    expect(route(asked.ui, 'c', { ctrl: true }, { ...ctx, owned: true }).intents).toEqual([{ type: 'quit' }]);
  });

  it('Tab cycles the lower panel: events, messages, reads, members, and events again', () => {
    const seen: string[] = [];
    let ui = initialUi(1);
    for (let i = 0; i < 5; i++) {
      seen.push(ui.panel);
      ui = route(ui, '', { tab: true }, ctx).ui;
    }
    expect(seen).toEqual(['events', 'messages', 'reads', 'members', 'events']);
  });

  it('escape leaves the input line without sending', () => {
    const typing = route(initialUi(1), 'n', {}, ctx).ui;
    const r = route({ ...typing, mode: { kind: 'input', what: 'submit', text: 'abc' } }, '', { escape: true }, ctx);
    expect(r.ui.mode.kind).toBe('normal');
    expect(r.intents).toEqual([]);
  });
});

describe('keys typed together', () => {
  it('act one after the other ("2x" selects n2, then kills it)', async () => {
    const cluster = new FakeCluster();
    const { app } = open(cluster);
    app.stdin.write('2x');
    await waitFor('kill', () => cluster.acted.length > 0);
    expect(cluster.acted).toEqual([{ op: 'kill', nodes: [2] }]);
  });
});

describe('a line typed at once', () => {
  it('keeps its tab, backspace and Ctrl-C the keys they are', async () => {
    const cluster = new FakeCluster();
    const { app } = open(cluster, { owned: true });
    app.stdin.write(':iso\t3x\u007f\r');
    await waitFor('isolate', () => cluster.acted.length > 0);
    expect(cluster.acted).toEqual([{ op: 'isolate', node: 3 }]);
    app.stdin.write('\u0003\u0003');
    await waitFor('quit', () => cluster.quits === 1);
  });

  it('is sent by the Enter that arrived with it', async () => {
    const cluster = new FakeCluster();
    const { app } = open(cluster);
    await press(app, 'n');
    app.stdin.write('hi\r');
    await waitFor('the write', () => cluster.writes.length > 0);
    expect(cluster.writes).toEqual(['submit hi']);
  });
});

describe('texts that scroll', () => {
  it('scrolls the help with the arrows and page keys, within the text, and closes it with any other key', () => {
    const long = { ...ctx, textMax: 30, textPage: 10 };
    const help = route(initialUi(1), '?', {}, long).ui;
    expect(help.mode.kind).toBe('help');
    const down = route(route(help, '', { pageDown: true }, long).ui, 'j', {}, long).ui;
    expect(down.textScroll).toBe(11);
    expect(route(down, '', { pageUp: true }, long).ui.textScroll).toBe(1);
    // Never past the end of the text, never above its top.
    expect(route({ ...down, textScroll: 28 }, '', { pageDown: true }, long).ui.textScroll).toBe(30);
    expect(route(help, 'k', {}, long).ui.textScroll).toBe(0);
    const closed = route(down, 'x', {}, long);
    expect(closed.ui.mode.kind).toBe('normal');
    expect(closed.intents).toEqual([]);
  });

  it('opens the last results with m, scrolled to the top', () => {
    const r = route({ ...initialUi(1), textScroll: 5 }, 'm', {}, ctx).ui;
    expect(r.mode.kind).toBe('results');
    expect(r.textScroll).toBe(0);
  });

  it('scrolls the exercise text with the page keys while H has it open, and the events otherwise', () => {
    const ex = { ...ctx, exercise: true, textMax: 20, textPage: 8 };
    const open = route(initialUi(1), 'H', {}, ex).ui;
    const scrolled = route(open, '', { pageDown: true }, ex).ui;
    expect(scrolled.textScroll).toBe(8);
    expect(scrolled.eventsBack).toBe(0);
    const closed = route(scrolled, 'H', {}, ex).ui;
    expect(closed.textScroll).toBe(0);
    expect(route(closed, '', { pageUp: true }, ex).ui.eventsBack).toBe(5);
  });
});

describe('the : command line', () => {
  /** The flash line and the prompt, as drawn now. */
  /** Opens the command line, types the line and presses enter, all in one write as a fast typist's keys arrive. */
  function run(app: ReturnType<typeof render>, line: string): void {
    app.stdin.write(`:${line}\r`);
  }

  async function shows(app: ReturnType<typeof render>, store: DashboardStore, text: string): Promise<void> {
    await waitFor(text, () => {
      store.publish();
      return (app.lastFrame() ?? '').includes(text);
    });
  }

  it(':kill 2 and enter kill n2 and show the result', async () => {
    const cluster = new FakeCluster();
    const { app, store } = open(cluster);
    run(app, 'kill 2');
    await waitFor('kill', () => cluster.acted.length > 0);
    expect(cluster.acted).toEqual([{ op: 'kill', nodes: [2] }]);
    await shows(app, store, '✔ did kill');
  });

  it('takes what the CLI takes: a partition, a link with options, and client commands with --via', async () => {
    const cluster = new FakeCluster();
    const { app } = open(cluster);
    for (const line of ['partition 1,2 3', 'link 1 2 --drop 30% --one-way', 'put color red', 'submit --via 3 "hello world"'])
      run(app, line);
    await waitFor('four commands', () => cluster.acted.length === 2 && cluster.writes.length === 2);
    expect(cluster.acted).toEqual([
      { op: 'partition', groups: [[1, 2], [3]] },
      { op: 'link', from: 1, to: 2, drop: 0.3, oneWay: true },
    ]);
    expect(cluster.writes).toEqual([
      '{"op":"put","key":"color","value":"red"} via leader within 5000',
      '{"op":"submit","text":"hello world"} via 3 within 5000',
    ]);
  });

  it('shows why a line is wrong on the result line, and refuses commands that are not for a running cluster', async () => {
    const cluster = new FakeCluster();
    const { app, store } = open(cluster);
    run(app, 'kill x');
    await shows(app, store, "✘ command-argument value 'x' is invalid for argument 'id'. a node id must be a whole number");
    run(app, 'up 3');
    await shows(app, store, '✘ "up" is not a command for the running cluster');
    expect(cluster.acted).toEqual([]);
  });

  it('completes with tab, recalls the last line with ↑, and leaves with esc without running anything', async () => {
    const cluster = new FakeCluster();
    const { app, store } = open(cluster);
    await press(app, ':', 'i', 's', TAB);
    await shows(app, store, ':isolate ');
    await press(app, TAB);
    // Three nodes to choose from: the choices are shown after the prompt and its cursor.
    await shows(app, store, ':isolate   1 2 3');
    await press(app, '3', ENTER);
    await waitFor('isolate', () => cluster.acted.length === 1);
    expect(cluster.acted).toEqual([{ op: 'isolate', node: 3 }]);
    await press(app, ':', UP);
    await shows(app, store, ':isolate 3');
    await press(app, ESC);
    await waitFor('the prompt closed', () => {
      store.publish();
      return !(app.lastFrame() ?? '').includes(':isolate 3');
    });
    expect(cluster.acted).toHaveLength(1);
  });
});

describe('the mouse in the dashboard', () => {
  it("selects the node whose row is clicked, and a report's digits never act as keys", async () => {
    const cluster = new FakeCluster();
    const { app } = open(cluster);
    // A click on the header (column 2, row 1) and the wheel over it: "2" and "1" are in the bytes.
    app.stdin.write('\u001b[<0;2;1M');
    app.stdin.write('\u001b[<0;2;1m');
    app.stdin.write('\u001b[<64;2;1M');
    // A click on n3's row (the fourth line is n1's).
    app.stdin.write('\u001b[<0;5;6M');
    await waitFor('n3 selected', () => /^▸ n3 /m.test(app.lastFrame() ?? ''));
    await press(app, 'x');
    await waitFor('kill', () => cluster.acted.length > 0);
    expect(cluster.acted).toEqual([{ op: 'kill', nodes: [3] }]);
  });
});
