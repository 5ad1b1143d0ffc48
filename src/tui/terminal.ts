// Whether this terminal can show the dashboard, decided once at start without loading ink: TTYs
// both ways and not a CI run (ink draws no interactive frames under CI=true).
export function canShowDashboard(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): boolean {
  const ci = process.env.CI;
  return stdin.isTTY && stdout.isTTY && (ci === undefined || ci === '' || ci === 'false' || ci === '0');
}
