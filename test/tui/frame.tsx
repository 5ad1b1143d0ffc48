// The dashboard's frame as text, rendered with ink-testing-library from a snapshot of the test's choosing.
import { render } from 'ink-testing-library';
import { Dashboard } from '../../src/tui/dashboard.js';
import { initialUi, type UiState } from '../../src/tui/keys.js';
import { labelsFor } from '../../src/tui/labels.js';
import type { Size } from '../../src/tui/layout.js';
import type { Snapshot } from '../../src/tui/store.js';

export function frame(snap: Snapshot, opts: { ui?: Partial<UiState>; size?: Size; colour?: boolean; lang?: 'en' | 'zh' } = {}): string {
  const ui = { ...initialUi(1), ...opts.ui };
  const { lastFrame, unmount } = render(
    <Dashboard
      snap={snap}
      ui={ui}
      size={opts.size ?? { cols: 100, rows: 30 }}
      labels={labelsFor(opts.lang ?? 'en')}
      colour={opts.colour ?? false}
      attached={false}
      exercise={null}
    />,
  );
  const out = lastFrame() ?? '';
  unmount();
  return out;
}
