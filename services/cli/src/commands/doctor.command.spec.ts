import { expectedStreams, formatDoctorLine } from './doctor.command';

describe('stella doctor', () => {
  it('expects one stream per event domain plus the dead-letter stream, under the prefix', () => {
    const streams = expectedStreams('stella');
    expect(streams).toContain('STELLA_AUTHORITY');
    expect(streams).toContain('STELLA_DLQ');
    expect(expectedStreams('t_abc').every((s) => s.startsWith('T_ABC_'))).toBe(true);
  });

  it('prints one line per check, with the fix under failures', () => {
    expect(formatDoctorLine({ name: 'postgres', status: 'pass', detail: 'PostgreSQL 15' })).toBe(
      `ok    ${'postgres'.padEnd(28)} PostgreSQL 15`,
    );
    expect(formatDoctorLine({ name: 'nats', status: 'fail', detail: 'down', fix: 'start it' })).toContain(
      '\n      fix: start it',
    );
  });
});
