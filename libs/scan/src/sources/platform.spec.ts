import {
  formatPlatform as ociFormat,
  parsePlatform as ociParse,
  platformMatches as ociMatches,
} from '@stella/oci';
import { formatPlatform, parsePlatform, platformMatches } from './platform';

describe('platform helpers', () => {
  it('agree with @stella/oci', () => {
    for (const value of ['linux/amd64', 'linux/arm64', 'linux/arm64/v8', 'linux/arm/v7', 'windows/amd64']) {
      expect(parsePlatform(value)).toEqual(ociParse(value));
      expect(formatPlatform(parsePlatform(value))).toBe(ociFormat(ociParse(value)));
      for (const wanted of ['linux/amd64', 'linux/arm64', 'linux/arm64/v8', 'linux/arm/v6'])
        expect(platformMatches(parsePlatform(value), parsePlatform(wanted))).toBe(
          ociMatches(ociParse(value), ociParse(wanted)),
        );
    }
    expect(() => parsePlatform('linux')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
