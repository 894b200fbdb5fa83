import { AddressPolicy, isForbiddenAddress } from './address-policy';

describe('webhook address policy (SSRF)', () => {
  test.each([
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.5',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.100.100.200',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:7f00:1',
    '64:ff9b::a9fe:a9fe',
  ])('when the address is %s, then it is forbidden', (address) => {
    expect(isForbiddenAddress(address)).toBe(true);
  });

  test.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])(
    'when the address is public (%s), then it is allowed',
    (address) => {
      expect(isForbiddenAddress(address)).toBe(false);
    },
  );

  const resolving = (addresses: string[]) =>
    new AddressPolicy(false, async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );

  test('when a host name resolves to a private address among public ones, then the URL is refused', async () => {
    await expect(resolving(['93.184.215.14', '10.0.0.1']).check('https://hooks.example.com/x')).rejects.toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
      kind: 'unprocessable',
    });
  });

  test('when a host name resolves to public addresses only, then the first one is the one to connect to', async () => {
    const target = await resolving(['93.184.215.14', '93.184.215.15']).resolve('https://hooks.example.com/x');
    expect(target).toMatchObject({ address: '93.184.215.14', family: 4 });
    expect(target.url.hostname).toBe('hooks.example.com');
  });

  test.each([
    ['http://127.0.0.1:8080/hook', 'loopback'],
    ['http://[::1]/hook', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['ftp://example.com/hook', 'http or https'],
    ['https://user:pass@example.com/hook', 'credentials'],
    ['not a url', 'not a URL'],
  ])('when the URL is %s, then it is refused (%s)', async (url, reason) => {
    await expect(resolving(['93.184.215.14']).check(url)).rejects.toThrow(reason);
  });

  test('when the host does not resolve, then the URL is refused', async () => {
    const policy = new AddressPolicy(false, async () => {
      throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
    });
    await expect(policy.check('https://nowhere.invalid/x')).rejects.toThrow('does not resolve');
  });

  test('when private addresses are allowed, then loopback passes', async () => {
    await expect(new AddressPolicy(true).check('http://127.0.0.1:9/x')).resolves.toBeUndefined();
  });
});
