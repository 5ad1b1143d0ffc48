import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { etcdAttachOptions, etcdEndpoints } from '../../src/cli/etcd-options.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'etcdattach-options-'));
  await writeFile(join(dir, 'ca.pem'), 'CA PEM');
  await writeFile(join(dir, 'client.pem'), 'CERT PEM');
  await writeFile(join(dir, 'client.key'), 'KEY PEM');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the options that reach an etcd cluster elsewhere', () => {
  it('--etcd takes a comma-separated list of http or https client URLs, as etcdctl --endpoints', () => {
    expect(etcdEndpoints('https://10.0.0.1:2379, https://10.0.0.2:2379,')).toEqual(['https://10.0.0.1:2379', 'https://10.0.0.2:2379']);
    expect(() => etcdEndpoints('ftp://10.0.0.1:2379')).toThrow(/http:\/\/ or https:\/\/ client URLs/);
    expect(() => etcdEndpoints('10.0.0.1')).toThrow(/or host:port/);
    expect(() => etcdEndpoints('not a url')).toThrow(/client URLs such as/);
    expect(() => etcdEndpoints(',')).toThrow(/needs client URLs/);
  });

  it('a bare host:port goes over https when a certificate flag is given, else http, as etcdctl does', async () => {
    expect(etcdEndpoints('10.0.0.1:2379')).toEqual(['10.0.0.1:2379']);
    expect((await etcdAttachOptions({ etcd: ['10.0.0.1:2379'] })).endpoints).toEqual(['http://10.0.0.1:2379']);
    expect((await etcdAttachOptions({ etcd: ['10.0.0.1:2379'], cacert: join(dir, 'ca.pem') })).endpoints).toEqual([
      'https://10.0.0.1:2379',
    ]);
  });

  it('reads the certificate files once, and splits --user name:password at the first colon', async () => {
    const o = await etcdAttachOptions({
      etcd: ['https://10.0.0.1:2379'],
      cacert: join(dir, 'ca.pem'),
      cert: join(dir, 'client.pem'),
      key: join(dir, 'client.key'),
      user: 'root:pass:word',
      allowChanges: true,
      interval: 500,
    });
    expect(o).toEqual({
      endpoints: ['https://10.0.0.1:2379'],
      tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
      user: { name: 'root', password: 'pass:word' },
      allowChanges: true,
      intervalMs: 500,
    });
  });

  it('a missing file, a certificate without its key, or a user without a name is a one-line usage error', async () => {
    const etcd = ['https://10.0.0.1:2379'];
    await expect(etcdAttachOptions({ etcd, cacert: join(dir, 'nope.pem') })).rejects.toMatchObject({
      message: `cannot read --cacert ${join(dir, 'nope.pem')}: no such file`,
      code: 'usage',
    });
    await expect(etcdAttachOptions({ etcd, cert: join(dir, 'client.pem') })).rejects.toMatchObject({ code: 'usage', message: /--key/ });
    await expect(etcdAttachOptions({ etcd, user: ':pw' })).rejects.toMatchObject({ code: 'usage' });
  });

  it('a password left out cannot be asked for without a terminal: it says how to give it', async () => {
    await expect(etcdAttachOptions({ etcd: ['http://127.0.0.1:2379'], user: 'root' })).rejects.toMatchObject({
      code: 'usage',
      message: /--user name:password/,
    });
  });
});
