import { craftLayer, pushRawLayerImage, startScanner, type ScannerHarness } from './scanner-harness';

jest.setTimeout(120_000);

/**
 * The per-layer analysis cache lives in STELLA_SCANNER_CACHE_DIR and survives a restart: after the
 * service is stopped and started again, an image whose layer was analysed before is scanned
 * without analysing that layer again.
 */
describe('scanner layer cache across restarts', () => {
  let h: ScannerHarness;
  let token: string;

  const submitAndWait = async (image: string): Promise<{ status: string; componentCount?: number }> => {
    const submitted = await fetch(`${h.url}/api/v1/scans`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ image }),
    });
    const { scanId } = (await submitted.json()) as { scanId: string };
    const deadline = Date.now() + 60_000;
    for (;;) {
      const scan = (await (
        await fetch(`${h.url}/api/v1/scans/${scanId}`, { headers: { authorization: `Bearer ${token}` } })
      ).json()) as { status: string; componentCount?: number };
      if (scan.status === 'completed' || scan.status === 'failed') return scan;
      if (Date.now() > deadline) throw new Error(`scan ${scanId} still ${scan.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  const layerCounts = async (): Promise<{ cached: number; analysed: number }> => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    const value = (cached: string) =>
      Number(
        new RegExp(`^stella_scanner_layers_total\\{[^}]*cached="${cached}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0,
      );
    return { cached: value('true'), analysed: value('false') };
  };

  beforeAll(async () => {
    h = await startScanner();
    token = await h.tokens.mint();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('reuses the analysis of a layer scanned before the restart', async () => {
    const layer = await craftLayer([
      { name: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
      { name: 'srv/node_modules/lodash/package.json', content: '{"name":"lodash","version":"4.17.21"}' },
    ]);
    const first = await pushRawLayerImage(h.registry, 'team/one', 'v1', layer, { build: '1' });
    const second = await pushRawLayerImage(h.registry, 'team/two', 'v1', layer, { build: '2' });
    expect(second.digest).not.toBe(first.digest);

    expect(await submitAndWait(first.reference)).toMatchObject({ status: 'completed', componentCount: 1 });
    expect(await layerCounts()).toEqual({ cached: 0, analysed: 1 });

    await h.restart();
    expect(await submitAndWait(second.reference)).toMatchObject({ status: 'completed', componentCount: 1 });
    expect(await layerCounts()).toEqual({ cached: 1, analysed: 0 });
  });
});
