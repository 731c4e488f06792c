// The `x11` package ships no type declarations; the adapter types the few parts it uses.
declare module 'x11' {
  const x11: {
    createClient(options: { display?: string }, cb: (err: Error | null, display: any) => void): { on(event: 'error', l: (e: Error) => void): void };
  };
  export default x11;
}
