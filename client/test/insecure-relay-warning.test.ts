import { insecureRelayWarning } from '../insecure-relay-warning';

describe('the agent warns before using plain ws:// to another machine', () => {
  it.each(['ws://soporte.example.com/ws', 'ws://10.0.0.2:8080/ws', 'ws://[2001:db8::1]:8080/ws'])('warns for %s, in both languages', (url) => {
    const warning = insecureRelayWarning(url);
    expect(warning).toContain('no está cifrada');
    expect(warning).toContain('not encrypted');
    expect(warning).toContain(new URL(url).host);
  });

  it.each(['wss://soporte.example.com/ws', 'ws://127.0.0.1:8080/ws', 'ws://127.3.4.5/ws', 'ws://localhost:8080/ws', 'ws://[::1]:8080/ws'])('says nothing for %s', (url) => {
    expect(insecureRelayWarning(url)).toBeUndefined();
  });
});
