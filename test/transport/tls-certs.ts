// Certificates for the TLS tests, made with openssl in a temp directory removed after the test
// file: a CA and a certificate it signs (good for a server and a client alike), and the same from
// a second, unrelated CA.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { TlsFiles } from '../../src/transport/tls.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const openssl = (cwd: string, ...args: string[]): void => void execFileSync('openssl', args, { cwd, stdio: 'pipe' });

/** A new CA and one certificate it signs; the files' paths, and their contents. */
export function makeCertificates(name = 'cluster'): { paths: { cert: string; key: string; ca: string }; files: TlsFiles } {
  const dir = mkdtempSync(join(tmpdir(), `raft-tls-${name}-`));
  dirs.push(dir);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(dir, 'req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', `/CN=${name}-ca`);
  openssl(dir, 'req', ...ec, '-keyout', 'node.key', '-out', 'node.csr', '-subj', `/CN=${name}-node`);
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    'node.csr',
    '-CA',
    'ca.pem',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'node.pem',
    '-days',
    '1',
    '-extfile',
    'ext.cnf',
  );
  const paths = { cert: join(dir, 'node.pem'), key: join(dir, 'node.key'), ca: join(dir, 'ca.pem') };
  return { paths, files: { cert: readFileSync(paths.cert), key: readFileSync(paths.key), ca: readFileSync(paths.ca) } };
}
