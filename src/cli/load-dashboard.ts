// The dashboard's module (ink and react: the slowest imports of the program, a third of a second
// on an idle machine) loaded while the command opens what it will show, so that neither waits for
// the other.
import type * as Tui from '../tui/run.js';

/**
 * Resolves with what `opening` opened and the dashboard's module. If the module does not load,
 * what was opened is closed with `close` before the error goes on; if opening fails, its error.
 */
export async function openWithDashboard<T>(opening: Promise<T>, close: (opened: T) => Promise<void>): Promise<[T, typeof Tui]> {
  const [opened, loaded] = await Promise.allSettled([opening, import('../tui/run.js')]);
  if (opened.status === 'rejected') throw opened.reason;
  if (loaded.status === 'rejected') {
    await close(opened.value);
    throw loaded.reason;
  }
  return [opened.value, loaded.value];
}
